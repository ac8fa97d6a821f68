from django.urls import path

from kuihua.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list_view, name="list"),
    path("mine/", views.my_activities_view, name="mine"),
    path("overview/", views.overview_view, name="overview"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("new/", views.activity_create_view, name="create"),
    path("scan/", views.scan_view, name="scan"),
    path("recurring/", views.series_list_view, name="series_list"),
    path("series/new/", views.series_create_view, name="series_create"),
    path("series/<int:series_id>/", views.series_detail_view, name="series_detail"),
    path(
        "series/<int:series_id>/skipped/<int:skipped_id>/",
        views.series_skipped_view,
        name="series_skipped",
    ),
    path("drives/new/", views.drive_create_view, name="drive_create"),
    path("drives/<int:drive_id>/", views.drive_detail_view, name="drive_detail"),
    path("<int:activity_id>/", views.activity_detail, name="detail"),
    path("<int:activity_id>/signup/", views.signup_view, name="signup"),
    path("<int:activity_id>/signup/cancel/", views.signup_cancel_view, name="signup_cancel"),
    path("<int:activity_id>/signup/accept/", views.offer_accept_view, name="offer_accept"),
    path("<int:activity_id>/edit/", views.activity_edit_view, name="edit"),
    path("<int:activity_id>/cancel/", views.activity_cancel_view, name="cancel"),
    path("<int:activity_id>/manage/", views.manage_view, name="manage"),
    path("<int:activity_id>/qr/", views.qr_view, name="qr"),
    path(
        "<int:activity_id>/signups/<int:signup_id>/attendance/",
        views.mark_view,
        name="mark",
    ),
    path(
        "<int:activity_id>/signups/<int:signup_id>/phone/",
        views.signup_phone_view,
        name="signup_phone",
    ),
]
