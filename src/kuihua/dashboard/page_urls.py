"""The dashboards of a community and of a district, and their Excel exports."""

from django.urls import path

from kuihua.dashboard import views

urlpatterns = [
    path("", views.home, name="home"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("district/", views.district, name="district"),
    path("district/export.xlsx", views.district_export_xlsx, name="district_export_xlsx"),
]
