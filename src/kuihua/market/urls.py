"""爱心集市 pages (namespace `market`): stall holders selling, coordinators running market
days, "my points"."""

from kuihua.market.views import days, points, selling

app_name = "market"

urlpatterns = [*selling.urlpatterns, *days.urlpatterns, *points.urlpatterns]
