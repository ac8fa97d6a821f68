"""The project report's routes: the page, its Excel file and its PDF."""

from django.urls import path

from kuihua.projects import report_views

urlpatterns = [
    path("<int:project_id>/report/", report_views.report, name="report"),
    path("<int:project_id>/report.xlsx", report_views.report_xlsx, name="report_xlsx"),
    path("<int:project_id>/report.pdf", report_views.report_pdf, name="report_pdf"),
]
