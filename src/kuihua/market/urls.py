"""爱心集市 pages: stall holders selling, coordinators running market days, "my points"."""

app_name = "market"

urlpatterns: list = []
