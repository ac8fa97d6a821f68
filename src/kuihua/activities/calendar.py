"""The one calendar of rooms and activities ("活动缺统筹"): bookings and published
activities side by side, week (rooms × days) or month.

It lives with activities because it reads both: venues below knows only rooms and
bookings. It costs a constant number of queries whatever the number of rooms,
bookings and activities.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.activities.models import Activity
from kuihua.organizations.selectors import organizations_led_by
from kuihua.venues.models import Room
from kuihua.venues.selectors import bookings_between, room_list


@dataclass
class Entry:
    """One thing on the calendar: a booking or an activity, with its place."""

    kind: str  # "booking" | "activity"
    pk: int
    title: str
    organization: str
    room_id: int | None
    place: str
    starts_at: dt.datetime  # local time
    ends_at: dt.datetime
    series: bool = False
    cancellable: bool = False
    booking_id: int | None = None

    def on(self, day: dt.date) -> bool:
        day_start = aware_day(day)
        return self.starts_at < day_start + dt.timedelta(days=1) and self.ends_at > day_start

    @property
    def time_label(self) -> str:
        if self.starts_at.date() == self.ends_at.date():
            return f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}"
        return f"{self.starts_at:%m-%d %H:%M}–{self.ends_at:%m-%d %H:%M}"


@dataclass
class Day:
    date: dt.date
    entries: list[Entry] = field(default_factory=list)
    in_month: bool = True
    today: bool = False


@dataclass
class RoomRow:
    room: Room | None  # None: activities held elsewhere (an address)
    label: str
    cells: list[Day]


@dataclass
class Calendar:
    view: str  # "week" | "month"
    start: dt.date  # first day shown (a Monday)
    end: dt.date  # the day after the last day shown
    anchor: dt.date  # the day the user asked for
    days: list[Day]
    rooms: list[Room]
    rows: list[RoomRow]  # the week grid: room × day
    weeks: list[list[Day]]  # the month grid
    entries: list[Entry]
    previous: dt.date
    next: dt.date

    @property
    def last(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def today(self) -> dt.date:
        return timezone.localdate()

    @property
    def days_with_entries(self) -> list[Day]:
        return [d for d in self.days if d.entries and d.in_month]


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def calendar_span(view: str, anchor: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """(first day, day after the last, previous anchor, next anchor) of a week or month view."""
    if view == "month":
        first = anchor.replace(day=1)
        last = anchor.replace(day=pycalendar.monthrange(anchor.year, anchor.month)[1])
        start = week_start(first)
        end = week_start(last) + dt.timedelta(days=7)
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        following = last + dt.timedelta(days=1)
        return start, end, previous, following
    start = week_start(anchor)
    return (
        start,
        start + dt.timedelta(days=7),
        start - dt.timedelta(days=7),
        start + dt.timedelta(days=7),
    )


def aware_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def calendar_entries(user, start: dt.datetime, end: dt.datetime) -> list[Entry]:
    """Live bookings and published activities overlapping [start, end): three queries.

    A booking made for an activity shows once, as the activity.
    """
    led = set()
    is_coordinator = user.has_perm("venues.manage_rooms")
    if not is_coordinator:
        led = set(organizations_led_by(user).values_list("pk", flat=True))
    activities = list(
        Activity.objects.filter(
            status=Activity.Status.PUBLISHED, starts_at__lt=end, ends_at__gt=start
        )
        .select_related("organization", "room")
        .order_by("starts_at", "id")
    )
    shown_as_activity = {a.booking_id for a in activities if a.booking_id}
    entries = []
    for b in bookings_between(user, start, end):
        if b.pk in shown_as_activity:
            continue
        entries.append(
            Entry(
                kind="booking",
                pk=b.pk,
                booking_id=b.pk,
                title=b.title,
                organization=b.organization.name if b.organization_id else "",
                room_id=b.room_id,
                place=str(b.room),
                starts_at=timezone.localtime(b.starts_at),
                ends_at=timezone.localtime(b.ends_at),
                series=bool(b.series_key),
                cancellable=is_coordinator or (b.organization_id in led),
            )
        )
    for a in activities:
        entries.append(
            Entry(
                kind="activity",
                pk=a.pk,
                booking_id=a.booking_id,
                title=a.title,
                organization=a.organization.name,
                room_id=a.room_id,
                place=str(a.room) if a.room_id else a.address,
                starts_at=timezone.localtime(a.starts_at),
                ends_at=timezone.localtime(a.ends_at),
                series=bool(a.series_id),
            )
        )
    entries.sort(key=lambda e: (e.starts_at, e.kind, e.pk))
    return entries


def calendar_for(user, *, view: str = "week", anchor: dt.date | None = None) -> Calendar:
    """The week (rooms × days) or the month (weeks × days) around `anchor`: four queries."""
    view = view if view in ("week", "month") else "week"
    today = timezone.localdate()
    anchor = anchor or today
    start, end, previous, following = calendar_span(view, anchor)
    rooms = list(room_list(user))
    entries = calendar_entries(user, aware_day(start), aware_day(end))
    dates = [start + dt.timedelta(days=n) for n in range((end - start).days)]
    days = [
        Day(
            date=d,
            entries=[e for e in entries if e.on(d)],
            in_month=view == "week" or d.month == anchor.month,
            today=d == today,
        )
        for d in dates
    ]
    rows: list[RoomRow] = []
    if view == "week":
        for room in rooms:
            cells = [
                Day(
                    date=d.date,
                    today=d.today,
                    entries=[e for e in d.entries if e.room_id == room.pk],
                )
                for d in days
            ]
            rows.append(RoomRow(room=room, label=str(room), cells=cells))
        elsewhere = [
            Day(date=d.date, today=d.today, entries=[e for e in d.entries if e.room_id is None])
            for d in days
        ]
        if any(c.entries for c in elsewhere):
            rows.append(RoomRow(room=None, label=_("其他地点"), cells=elsewhere))
    weeks = [days[i : i + 7] for i in range(0, len(days), 7)] if view == "month" else [days]
    return Calendar(
        view=view,
        start=start,
        end=end,
        anchor=anchor,
        days=days,
        rooms=rooms,
        rows=rows,
        weeks=weeks,
        entries=entries,
        previous=previous,
        next=following,
    )
