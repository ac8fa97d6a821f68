from django.urls import path

from kuihua.registry import views

app_name = "registry"
urlpatterns = [
    path("residents/", views.resident_list, name="resident_list"),
]
