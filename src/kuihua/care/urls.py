from django.urls import path

from kuihua.care import views

app_name = "care"

urlpatterns = [
    path("", views.board, name="board"),
    path("visits/", views.my_visits, name="my_visits"),
    path("alerts/<int:alert_id>/", views.alert_detail, name="alert_detail"),
    path("me/<str:token>/", views.self_check_in, name="self_check_in"),
]
