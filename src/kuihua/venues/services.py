"""Every write to rooms and bookings.

Live bookings of one room never overlap. The service decides it under a lock:
it locks the room's row (`SELECT … FOR UPDATE`; on SQLite the IMMEDIATE
transaction already serialises writers), looks for an overlapping live booking
and only then inserts. On PostgreSQL an exclusion constraint (migration 0002)
is the last word; its violation is turned into the same `BookingClash`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Iterable

from dateutil import rrule as dateutil_rrule
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.core.audit import audit
from kuihua.core.dates import monthly_day_problem
from kuihua.core.errors import ApplicationError
from kuihua.venues.models import Booking, Room

# The PostgreSQL exclusion constraint added by migration 0002.
OVERLAP_CONSTRAINT = "booking_no_overlap"

# A series is booked ahead, not forever.
MAX_OCCURRENCES = 400

SIMPLE_RULES = {
    "daily": dateutil_rrule.DAILY,
    "weekly": dateutil_rrule.WEEKLY,
    "monthly": dateutil_rrule.MONTHLY,
}

ROOM_FIELDS = ("centre", "name", "capacity", "equipment", "is_active")


class BookingError(ApplicationError):
    """A rule of venues was broken; the message is for the user, translated."""


class BookingClash(BookingError):
    """The requested time overlaps a live booking of the room; `.clash` is that booking."""

    def __init__(self, message: str, *, clash: Booking | None, field: str | None = "starts_at"):
        super().__init__(message, field=field)
        self.clash = clash


# --- rooms --------------------------------------------------------------------------


def _clean_room_values(values: dict) -> dict:
    out = dict(values)
    for key in ("centre", "name", "equipment"):
        if key in out:
            out[key] = (out[key] or "").strip()
    if "name" in out and not out["name"]:
        raise BookingError(_("请填写活动室名称"), field="name")
    if "capacity" in out:
        try:
            out["capacity"] = int(out["capacity"])
        except (TypeError, ValueError):
            raise BookingError(_("容纳人数须为整数"), field="capacity") from None
        if out["capacity"] < 1:
            raise BookingError(_("容纳人数至少为1"), field="capacity")
    for key, limit in (("centre", 100), ("name", 100), ("equipment", 200)):
        if key in out and len(out[key]) > limit:
            raise BookingError(_("内容太长"), field=key)
    return out


def _room_name_taken(*, centre: str, name: str, exclude_pk=None) -> bool:
    qs = Room.objects.filter(centre=centre, name=name)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


@transaction.atomic
def room_create(
    *, actor, name: str, capacity: int, centre: str = "", equipment: str = "", is_active=True
) -> Room:
    values = _clean_room_values(
        {
            "name": name,
            "capacity": capacity,
            "centre": centre,
            "equipment": equipment,
            "is_active": bool(is_active),
        }
    )
    if _room_name_taken(centre=values["centre"], name=values["name"]):
        raise BookingError(_("已有同名活动室"), field="name")
    room = Room.objects.create(**values)
    audit(
        actor=actor,
        community_id=room.community_id,
        action="room.create",
        obj=room,
        new={k: values[k] for k in ROOM_FIELDS},
    )
    return room


@transaction.atomic
def room_update(*, actor, room: Room, **changes) -> Room:
    unknown = set(changes) - set(ROOM_FIELDS)
    if unknown:
        raise BookingError(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    values = _clean_room_values(changes)
    if "is_active" in values:
        values["is_active"] = bool(values["is_active"])
    centre = values.get("centre", room.centre)
    name = values.get("name", room.name)
    if (centre, name) != (room.centre, room.name) and _room_name_taken(
        centre=centre, name=name, exclude_pk=room.pk
    ):
        raise BookingError(_("已有同名活动室"), field="name")
    old = {k: getattr(room, k) for k in values}
    for key, value in values.items():
        setattr(room, key, value)
    room.save()
    audit(
        actor=actor,
        community_id=room.community_id,
        action="room.update",
        obj=room,
        old=old,
        new=values,
    )
    return room


# --- bookings -----------------------------------------------------------------------


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value)


def format_span(starts_at: dt.datetime, ends_at: dt.datetime) -> tuple[str, str]:
    """("2026-03-02 09:00", "11:00") — the end's date only when it differs."""
    start, end = _local(starts_at), _local(ends_at)
    end_format = "%H:%M" if start.date() == end.date() else "%Y-%m-%d %H:%M"
    return start.strftime("%Y-%m-%d %H:%M"), end.strftime(end_format)


def clash_message(clash: Booking) -> str:
    start, end = format_span(clash.starts_at, clash.ends_at)
    organization = clash.organization.name if clash.organization_id else _("社区")
    return _("该时段已被“%(title)s”（%(organization)s，%(start)s–%(end)s）占用") % {
        "title": clash.title,
        "organization": organization,
        "start": start,
        "end": end,
    }


def _overlapping(room_id: int, starts_at: dt.datetime, ends_at: dt.datetime):
    """Live bookings of the room overlapping [starts_at, ends_at). Touching is not overlapping."""
    return (
        Booking.objects.filter(
            room_id=room_id,
            cancelled_at__isnull=True,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        )
        .select_related("organization")
        .order_by("starts_at", "id")
    )


def _lock_room(room: Room) -> Room:
    """The room's row, locked until the transaction ends: one booking decision at a time."""
    return Room.objects.select_for_update().get(pk=room.pk)


def _validate(*, room: Room, title: str, starts_at, ends_at) -> str:
    title = (title or "").strip()
    if not title:
        raise BookingError(_("请填写用途"), field="title")
    if len(title) > 200:
        raise BookingError(_("内容太长"), field="title")
    if starts_at is None or ends_at is None:
        raise BookingError(_("请填写开始和结束时间"), field="starts_at")
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise BookingError(_("时间须带时区"), field="starts_at")
    if ends_at <= starts_at:
        raise BookingError(_("结束时间须晚于开始时间"), field="ends_at")
    if ends_at - starts_at > dt.timedelta(days=31):
        raise BookingError(_("一次预约不能超过31天"), field="ends_at")
    if not room.is_active:
        raise BookingError(_("该活动室暂停预约"), field="room")
    return title


def _is_overlap_violation(exc: IntegrityError) -> bool:
    return OVERLAP_CONSTRAINT in str(exc)


def _insert(bookings: list[Booking]) -> list[Booking]:
    """Insert in a savepoint: a constraint violation leaves the outer transaction usable."""
    with transaction.atomic():
        if len(bookings) == 1:
            bookings[0].save()
            return bookings
        return Booking.objects.bulk_create(bookings)


@transaction.atomic
def booking_create(
    *, actor, room: Room, organization, title: str, starts_at: dt.datetime, ends_at: dt.datetime
) -> Booking:
    """Book `room` for [starts_at, ends_at), or raise BookingClash naming the booking in the way."""
    title = _validate(room=room, title=title, starts_at=starts_at, ends_at=ends_at)
    room = _lock_room(room)
    clash = _overlapping(room.pk, starts_at, ends_at).first()
    if clash is not None:
        raise BookingClash(clash_message(clash), clash=clash)
    booking = Booking(
        community_id=room.community_id,
        room=room,
        organization=organization,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        booked_by=actor if getattr(actor, "pk", None) else None,
    )
    try:
        _insert([booking])
    except IntegrityError as exc:
        if not _is_overlap_violation(exc):
            raise
        clash = _overlapping(room.pk, starts_at, ends_at).first()
        raise BookingClash(
            clash_message(clash) if clash else _("该时段已被占用"), clash=clash
        ) from exc
    audit(
        actor=actor,
        community_id=booking.community_id,
        action="booking.create",
        obj=booking,
        new=_booking_values(booking),
    )
    return booking


def _booking_values(booking: Booking) -> dict:
    return {
        "room": booking.room_id,
        "organization": booking.organization_id,
        "title": booking.title,
        "starts_at": booking.starts_at.isoformat(),
        "ends_at": booking.ends_at.isoformat(),
        **({"series_key": str(booking.series_key)} if booking.series_key else {}),
    }


def _as_local_datetime(value, *, end_of_day: bool) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return _local(value) if timezone.is_aware(value) else timezone.make_aware(value)
    moment = dt.datetime.combine(value, dt.time.max if end_of_day else dt.time.min)
    return timezone.make_aware(moment)


def occurrences(
    *, first_starts_at: dt.datetime, first_ends_at: dt.datetime, rule: str, until
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The (start, end) of each occurrence, computed in local time (wall-clock stays put).

    `rule` is "daily", "weekly", "monthly" or an RFC 5545 RRULE (`FREQ=WEEKLY;BYDAY=TU,TH`);
    `until` is a date (inclusive) or a datetime.
    """
    if until is None:
        raise BookingError(_("请填写重复截止日期"), field="until")
    start = _local(first_starts_at)
    duration = first_ends_at - first_starts_at
    naive_start = start.replace(tzinfo=None)
    naive_until = _as_local_datetime(until, end_of_day=True).replace(tzinfo=None)
    if naive_until < naive_start:
        raise BookingError(_("重复截止日期不能早于第一次"), field="until")
    rule = (rule or "").strip()
    if rule.lower() == "monthly" and (problem := monthly_day_problem(naive_start.day)):
        raise BookingError(problem, field="rule")
    try:
        if rule.lower() in SIMPLE_RULES:
            recurrence = dateutil_rrule.rrule(
                SIMPLE_RULES[rule.lower()],
                dtstart=naive_start,
                until=naive_until,
                count=None,
            )
        else:
            text = rule.removeprefix("RRULE:")
            if "UNTIL=" in text.upper() or "COUNT=" in text.upper():
                raise BookingError(_("重复规则中不要写截止，请单独填写截止日期"), field="rule")
            recurrence = dateutil_rrule.rrulestr(text, dtstart=naive_start, forceset=False).replace(
                until=naive_until
            )
    except BookingError:
        raise
    except (ValueError, TypeError, AttributeError):
        raise BookingError(_("无法识别的重复规则"), field="rule") from None
    result = []
    tz = timezone.get_current_timezone()
    for moment in recurrence:
        if len(result) >= MAX_OCCURRENCES:
            raise BookingError(_("重复次数不能超过%(n)s次") % {"n": MAX_OCCURRENCES}, field="until")
        begins = timezone.make_aware(moment, tz)
        result.append((begins, begins + duration))
    if not result:
        raise BookingError(_("按该规则没有任何一次"), field="rule")
    return result


@transaction.atomic
def booking_create_series(
    *,
    actor,
    room: Room,
    organization,
    title: str,
    first_starts_at: dt.datetime,
    first_ends_at: dt.datetime,
    rule: str,
    until,
) -> list[Booking]:
    """Book every occurrence as its own row with one `series_key`, all or nothing.

    If any occurrence clashes, nothing is booked and the message lists the dates.
    """
    title = _validate(room=room, title=title, starts_at=first_starts_at, ends_at=first_ends_at)
    spans = occurrences(
        first_starts_at=first_starts_at, first_ends_at=first_ends_at, rule=rule, until=until
    )
    for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
        if s2 < e1:
            raise BookingError(_("每次的时长超过了重复间隔，前后会重叠"), field="ends_at")
    room = _lock_room(room)
    existing = list(_overlapping(room.pk, spans[0][0], spans[-1][1]))
    clashes = _series_clashes(spans, existing)
    if clashes:
        raise _series_clash_error(clashes)
    key = uuid.uuid4()
    booked_by = actor if getattr(actor, "pk", None) else None
    bookings = [
        Booking(
            community_id=room.community_id,
            room=room,
            organization=organization,
            title=title,
            starts_at=s,
            ends_at=e,
            series_key=key,
            booked_by=booked_by,
        )
        for s, e in spans
    ]
    try:
        bookings = _insert(bookings)
    except IntegrityError as exc:
        if not _is_overlap_violation(exc):
            raise
        existing = list(_overlapping(room.pk, spans[0][0], spans[-1][1]))
        raise _series_clash_error(_series_clashes(spans, existing) or [(spans[0], None)]) from exc
    if bookings and bookings[0].pk is None:
        # bulk_create on a backend that returns no ids: read them back.
        bookings = list(Booking.objects.filter(series_key=key).order_by("starts_at"))
    audit(
        actor=actor,
        community_id=room.community_id,
        action="booking.create_series",
        obj=bookings[0],
        new={
            **_booking_values(bookings[0]),
            "rule": rule,
            "until": str(until),
            "count": len(bookings),
        },
    )
    return bookings


def _series_clashes(
    spans: list[tuple[dt.datetime, dt.datetime]], existing: Iterable[Booking]
) -> list[tuple[tuple[dt.datetime, dt.datetime], Booking | None]]:
    existing = list(existing)
    found = []
    for span in spans:
        for other in existing:
            if span[0] < other.ends_at and span[1] > other.starts_at:
                found.append((span, other))
                break
    return found


def _series_clash_error(clashes) -> BookingClash:
    dates = [f"{_local(span[0]):%Y-%m-%d}" for span, _other in clashes]
    first = clashes[0][1]
    message = _("以下日期已被占用，未做任何预约：%(dates)s") % {"dates": "、".join(dates)}
    if first is not None:
        message = f"{message}。{clash_message(first)}"
    return BookingClash(message, clash=first)


@transaction.atomic
def booking_cancel(*, actor, booking: Booking, by_activity: bool = False) -> Booking:
    """Free the room; the row stays (cancelled) for the record.

    The room of a live activity is given back by the activity itself (moved or
    cancelled, `by_activity`): cancelled from the calendar, the room would look free
    while the activity still meets there.
    """
    locked = Booking.objects.select_for_update().get(pk=booking.pk)
    if locked.cancelled_at is not None:
        raise BookingError(_("该预约已取消"), field="booking")
    held_for = _live_activity_of(locked)
    if held_for is not None and not by_activity:
        raise BookingError(
            _("这是活动“%(t)s”的场地，请在活动页面修改时间、地点或取消活动")
            % {"t": held_for.title},
            field="booking",
        )
    locked.cancelled_at = timezone.now()
    locked.save(update_fields=["cancelled_at"])
    booking.cancelled_at = locked.cancelled_at
    audit(
        actor=actor,
        community_id=locked.community_id,
        action="booking.cancel",
        obj=locked,
        old={"cancelled_at": None},
        new={"cancelled_at": locked.cancelled_at.isoformat()},
    )
    return booking


def _live_activity_of(booking: Booking):
    """The activity (not cancelled) this booking holds the room for, if any."""
    try:
        activity = booking.activity  # the activities app's one-to-one
    except ObjectDoesNotExist:
        return None
    return None if activity.status == "cancelled" else activity


@transaction.atomic
def booking_cancel_series(*, actor, booking: Booking, from_starts_at=None) -> int:
    """Cancel the series' live occurrences from `from_starts_at` (default: this one's start)."""
    if not booking.series_key:
        booking_cancel(actor=actor, booking=booking)
        return 1
    since = from_starts_at or booking.starts_at
    now = timezone.now()
    count = Booking.objects.filter(
        series_key=booking.series_key, cancelled_at__isnull=True, starts_at__gte=since
    ).update(cancelled_at=now)
    audit(
        actor=actor,
        community_id=booking.community_id,
        action="booking.cancel_series",
        obj=booking,
        new={"series_key": str(booking.series_key), "from": since.isoformat(), "count": count},
    )
    return count
