"""The dashboards of a community and of a district, and their Excel exports."""

urlpatterns: list = []
