from django.urls import path
from django.views.generic import RedirectView

from kuihua.venues import views

app_name = "venues"
urlpatterns = [
    # The calendar of rooms and activities is activities' page; the old address still works.
    path("", RedirectView.as_view(pattern_name="activities:calendar", query_string=True)),
    path("rooms/", views.room_list, name="rooms"),
    path("rooms/new/", views.room_create, name="room_create"),
    path("rooms/<int:room_id>/edit/", views.room_edit, name="room_edit"),
    path("bookings/new/", views.booking_create, name="booking_create"),
    path("bookings/<int:booking_id>/", views.booking_detail, name="booking_detail"),
    path("bookings/<int:booking_id>/cancel/", views.booking_cancel, name="booking_cancel"),
]
