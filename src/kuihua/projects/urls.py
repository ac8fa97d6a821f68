"""公益项目 pages (namespace `projects`): the list, a project's page and its forms
(views.py); the report's routes (page, Excel, PDF) are in report_urls.py."""

from django.urls import include, path

from kuihua.projects import views

app_name = "projects"

urlpatterns = [
    *views.urlpatterns,
    path("", include("kuihua.projects.report_urls")),
]
