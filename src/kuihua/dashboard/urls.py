"""数据看板's pages: the dashboards and exports (page_urls) and the annual report (report_urls)."""

from kuihua.dashboard.page_urls import urlpatterns as page_urlpatterns
from kuihua.dashboard.report_urls import urlpatterns as report_urlpatterns

app_name = "dashboard"
urlpatterns = [*page_urlpatterns, *report_urlpatterns]
