"""Rooms and bookings over JSON (the calendar is activities.calendar_api).

Everyone signed in reads rooms. Coordinators manage rooms.
Coordinators and an organization's leaders book for that organization; naming
an organization one may not book for, or cancelling another's booking, is a
404, as if it were not there. A clash is a 400 whose message names the booking
in the way.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Router, Status

from kuihua.core.api_support import ServiceError, error_responses, paginated
from kuihua.venues import selectors, services
from kuihua.venues.schemas import (
    BookingIn,
    BookingOut,
    RoomIn,
    RoomOut,
    RoomPatch,
)

router = Router(tags=["venues"])


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


# --- rooms ------------------------------------------------------------------------------


@router.get("/rooms", response={200: list[RoomOut], **error_responses(403, 422)}, summary="Rooms")
@paginated
def list_rooms(request):
    return selectors.room_list(request.user)


@router.post(
    "/rooms", response={201: RoomOut, **error_responses(400, 403, 422)}, summary="Add a room"
)
def create_room(request, payload: RoomIn):
    _require(request.user, "venues.manage_rooms")
    room = services.room_create(actor=request.user, **payload.dict())
    return Status(201, room)


@router.get(
    "/rooms/{int:room_id}", response={200: RoomOut, **error_responses(404)}, summary="One room"
)
def get_room(request, room_id: int):
    return selectors.access_room(request.user, room_id)


@router.patch(
    "/rooms/{int:room_id}",
    response={200: RoomOut, **error_responses(400, 404, 422)},
    summary="Change a room (pause bookings with is_active=false)",
)
def update_room(request, room_id: int, payload: RoomPatch):
    room = selectors.access_room_for_change(request.user, room_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if changes:
        room = services.room_update(actor=request.user, room=room, **changes)
    return room


# --- bookings ---------------------------------------------------------------------------


@router.post(
    "/bookings",
    response={201: list[BookingOut], **error_responses(400, 403, 404, 422)},
    summary="Book a room, once or recurring (all or nothing); a clash is refused naming it",
)
def create_booking(request, payload: BookingIn):
    user = request.user
    if not selectors.may_book(user):
        raise PermissionDenied
    room = selectors.access_room_for_booking(user, payload.room_id)
    organization = None
    if payload.organization_id is not None:
        organization = selectors.access_organization_for_booking(user, payload.organization_id)
    elif not user.has_perm("venues.manage_rooms"):
        raise ServiceError(_("请选择预约组织"), field="organization_id")
    if payload.repeat is None:
        booking = services.booking_create(
            actor=user,
            room=room,
            organization=organization,
            title=payload.title,
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
        )
        return Status(201, [booking])
    bookings = services.booking_create_series(
        actor=user,
        room=room,
        organization=organization,
        title=payload.title,
        first_starts_at=payload.starts_at,
        first_ends_at=payload.ends_at,
        rule=payload.repeat.rule,
        until=payload.repeat.until,
    )
    return Status(201, bookings)


@router.get(
    "/bookings/{int:booking_id}",
    response={200: BookingOut, **error_responses(404)},
    summary="One booking",
)
def get_booking(request, booking_id: int):
    return selectors.access_booking(request.user, booking_id)


@router.delete(
    "/bookings/{int:booking_id}",
    response={204: None, **error_responses(400, 404, 422)},
    summary="Cancel a booking (with series=true, also the later occurrences of its series)",
)
def cancel_booking(request, booking_id: int, series: bool = False):
    booking = selectors.access_booking_for_cancel(request.user, booking_id)
    if series and booking.series_key:
        services.booking_cancel_series(actor=request.user, booking=booking)
    else:
        services.booking_cancel(actor=request.user, booking=booking)
    return Status(204, None)
