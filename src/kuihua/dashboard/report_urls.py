"""The annual report (年度报告) of a community and of a district, as a PDF (?year=)."""

from django.urls import path

from kuihua.dashboard import report_views

urlpatterns = [
    path("report.pdf", report_views.annual_report, name="annual_report"),
    path(
        "district/report.pdf",
        report_views.district_annual_report,
        name="district_annual_report",
    ),
]
