"""Reads of rooms and bookings (the one calendar of rooms and activities is
activities.calendar, which reads these).

Fetch from user input only through the `access_*` functions (404 when not
visible or not the user's to act on).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kuihua.organizations.models import Organization
from kuihua.organizations.selectors import organizations_led_by
from kuihua.venues.models import Booking, Room

# --- rooms ----------------------------------------------------------------------------


def rooms_visible_to(user) -> QuerySet[Room]:
    if not user.is_authenticated:
        return Room.objects.none()
    return Room.objects.all()


def room_list(user, *, include_inactive: bool = True) -> QuerySet[Room]:
    qs = rooms_visible_to(user)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("centre", "name", "id")


def access_room(user, room_id: int) -> Room:
    return get_object_or_404(rooms_visible_to(user), pk=room_id)


def access_room_for_change(user, room_id: int) -> Room:
    room = access_room(user, room_id)
    if not user.has_perm("venues.manage_rooms"):
        raise Http404
    return room


def access_room_for_booking(user, room_id: int) -> Room:
    """A room the user may book (an active one; coordinators may also book paused ones)."""
    if not may_book(user):
        raise Http404
    return access_room(user, room_id)


# --- who books for which organization ---------------------------------------------------


def organizations_bookable_by(user) -> QuerySet[Organization]:
    """Coordinators book for any organization; leaders and deputies for their own."""
    if not user.is_authenticated:
        return Organization.objects.none()
    if user.has_perm("venues.manage_rooms"):
        return Organization.objects.all().order_by("category", "name")
    return organizations_led_by(user).distinct().order_by("category", "name")


def may_book(user) -> bool:
    return user.is_authenticated and (
        user.has_perm("venues.manage_rooms") or organizations_bookable_by(user).exists()
    )


def access_organization_for_booking(user, organization_id: int) -> Organization:
    return get_object_or_404(organizations_bookable_by(user), pk=organization_id)


# --- bookings -------------------------------------------------------------------------


def bookings_visible_to(user) -> QuerySet[Booking]:
    """Every signed-in user of the community sees who holds which room when."""
    if not user.is_authenticated:
        return Booking.objects.none()
    return Booking.objects.select_related("room", "organization")


def access_booking(user, booking_id: int) -> Booking:
    return get_object_or_404(bookings_visible_to(user), pk=booking_id)


def access_booking_for_cancel(user, booking_id: int) -> Booking:
    """The booking if `user` may cancel it (coordinator, or its organization's leader), else 404."""
    booking = access_booking(user, booking_id)
    if not user.has_perm("venues.cancel_booking", booking):
        raise Http404
    return booking


def bookings_between(user, start: dt.datetime, end: dt.datetime, *, room=None):
    qs = bookings_visible_to(user).filter(
        cancelled_at__isnull=True, starts_at__lt=end, ends_at__gt=start
    )
    if room is not None:
        qs = qs.filter(room=room)
    return qs.order_by("starts_at", "id")


# --- the workbench (dashboard.workbench): what waits for a user today --------------------


def bookings_today(user, *, now: dt.datetime | None = None) -> QuerySet[Booking]:
    """Today's bookings that `user` answers for: every one for a coordinator, else their
    organizations' (those they may cancel); the earliest first."""
    if not user.is_authenticated:
        return Booking.objects.none()
    now = now or timezone.now()
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(timezone.localdate(now), dt.time(), tzinfo=zone)
    bookings = bookings_between(user, start, start + dt.timedelta(days=1))
    if not user.has_perm("venues.manage_rooms"):
        bookings = bookings.filter(organization__in=organizations_led_by(user).values("pk"))
    return bookings
