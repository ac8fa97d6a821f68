from django.urls import path

from kuihua.accounts import views

app_name = "accounts"

urlpatterns = [
    path("2fa/", views.otp_verify, name="otp_verify"),
    path("2fa/setup/", views.otp_setup, name="otp_setup"),
    path("elder-mode/", views.elder_mode, name="elder_mode"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
]
