from django.urls import path

from kuihua.care import views

app_name = "care"

urlpatterns = [
    path("", views.board, name="board"),
    path("visits/", views.my_visits, name="my_visits"),
    path("figures/", views.figures, name="figures"),
    path("people/", views.recipient_list, name="recipient_list"),
    path("people/<int:recipient_id>/", views.recipient_detail, name="recipient_detail"),
    path("rota/", views.rota_page, name="rota"),
    path("duty/", views.my_duty, name="my_duty"),
    path("alerts/<int:alert_id>/", views.alert_detail, name="alert_detail"),
    path("me/<str:token>/", views.self_check_in, name="self_check_in"),
]
