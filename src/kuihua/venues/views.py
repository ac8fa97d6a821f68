"""Venue pages: the one calendar, the rooms, and booking a room.

Views parse input, fetch through the selectors (404 for what the user may not
see or act on) and call services for every write.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.core.dates import day_from_link
from kuihua.core.pages import apply_service_error, post_only, require
from kuihua.venues import selectors, services
from kuihua.venues.forms import BookingForm, RoomForm
from kuihua.venues.services import BookingClash, BookingError

# --- rooms ------------------------------------------------------------------------------


@login_required
def room_list(request):
    require(request.user, "venues.view_calendar")
    context = {
        "rooms": selectors.room_list(request.user),
        "can_manage": request.user.has_perm("venues.manage_rooms"),
        "can_book": selectors.may_book(request.user),
    }
    return render(request, "venues/room_list.html", context)


@login_required
def room_create(request):
    require(request.user, "venues.manage_rooms")
    form = RoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            room = services.room_create(actor=request.user, **form.cleaned_data)
        except BookingError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已添加活动室 %(name)s") % {"name": room})
            return redirect("venues:rooms")
    return render(request, "venues/room_form.html", {"form": form, "room": None})


@login_required
def room_edit(request, room_id: int):
    room = selectors.access_room_for_change(request.user, room_id)
    initial = {f: getattr(room, f) for f in services.ROOM_FIELDS}
    form = RoomForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.room_update(actor=request.user, room=room, **form.cleaned_data)
        except BookingError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已保存活动室 %(name)s") % {"name": room})
            return redirect("venues:rooms")
    return render(request, "venues/room_form.html", {"form": form, "room": room})


# --- bookings ---------------------------------------------------------------------------


def _booking_form(request, data=None, initial=None) -> BookingForm:
    user = request.user
    return BookingForm(
        data,
        initial=initial,
        rooms=selectors.room_list(user, include_inactive=user.has_perm("venues.manage_rooms")),
        organizations=selectors.organizations_bookable_by(user),
        organization_required=not user.has_perm("venues.manage_rooms"),
    )


def _initial(request) -> dict:
    initial: dict = {"start_time": dt.time(9), "end_time": dt.time(11)}
    day = day_from_link(request.GET.get("date"))
    if day:
        initial["day"] = day
    room_id = request.GET.get("room")
    if room_id and room_id.isdigit():
        initial["room"] = int(room_id)
    organizations = list(selectors.organizations_bookable_by(request.user)[:2])
    if len(organizations) == 1:
        initial["organization"] = organizations[0]
    return initial


@login_required
def booking_create(request):
    """Book a room once or repeatedly. A clash names who holds the room, and changes nothing."""
    if not selectors.may_book(request.user):
        raise Http404
    if request.method != "POST":
        form = _booking_form(request, initial=_initial(request))
        return render(request, "venues/booking_form.html", {"form": form})
    form = _booking_form(request, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        starts_at, ends_at = form.span()
        common = {
            "actor": request.user,
            "room": data["room"],
            "organization": data["organization"],
            "title": data["title"],
        }
        try:
            if form.rule():
                bookings = services.booking_create_series(
                    **common,
                    first_starts_at=starts_at,
                    first_ends_at=ends_at,
                    rule=form.rule(),
                    until=data["until"],
                )
            else:
                bookings = [services.booking_create(**common, starts_at=starts_at, ends_at=ends_at)]
        except BookingClash as exc:
            form.add_error(None, str(exc))
        except BookingError as exc:
            exc.field = BookingForm.SERVICE_FIELDS.get(exc.field, exc.field)
            apply_service_error(form, exc)
        else:
            first = bookings[0]
            if len(bookings) == 1:
                messages.success(request, _("已预约 %(room)s") % {"room": first.room})
            else:
                messages.success(
                    request,
                    _("已预约 %(room)s，共 %(n)s 次") % {"room": first.room, "n": len(bookings)},
                )
            url = reverse("activities:calendar")
            return redirect(f"{url}?date={starts_at.date().isoformat()}")
    return render(request, "venues/booking_form.html", {"form": form})


@login_required
def booking_detail(request, booking_id: int):
    booking = selectors.access_booking(request.user, booking_id)
    context = {
        "booking": booking,
        "can_cancel": booking.cancelled_at is None
        and request.user.has_perm("venues.cancel_booking", booking),
    }
    return render(request, "venues/booking_detail.html", context)


@login_required
def booking_cancel(request, booking_id: int):
    booking = selectors.access_booking_for_cancel(request.user, booking_id)
    if (refused := post_only(request)) is not None:
        return refused
    try:
        if request.POST.get("series") and booking.series_key:
            count = services.booking_cancel_series(actor=request.user, booking=booking)
            messages.success(request, _("已取消 %(n)s 次预约") % {"n": count})
        else:
            services.booking_cancel(actor=request.user, booking=booking)
            messages.success(request, _("已取消预约"))
    except BookingError as exc:
        messages.error(request, str(exc))
    url = reverse("activities:calendar")
    return redirect(f"{url}?date={timezone.localdate(booking.starts_at).isoformat()}")
