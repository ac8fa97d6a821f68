"""公益项目 pages. The report's routes (page, Excel, PDF) are in report_urls.py."""

from django.urls import include, path

app_name = "projects"

urlpatterns = [
    path("", include("kuihua.projects.report_urls")),
]
