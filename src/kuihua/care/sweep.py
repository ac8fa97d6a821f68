"""The sweep: every closed check-in window without a check-in becomes one alert.

Derived from the database, idempotent, and safe to kill at any moment:

* It reads only people whose watched window has closed (`next_closes_at <=
  now`, a partial index), a batch at a time, oldest first. A quiet sweep is one
  index probe, whatever the size of the enrolment.
* For each person it walks every window that has closed since the cursor
  (several, if the system was down), raising an alert for each without a
  check-in since it opened, and moves the cursor to the next open window.
* The alerts and the moved cursors are written in one transaction per batch.
  Killed before the commit, the batch is done again after a restart; after it,
  it is never seen again. The unique constraint (person, window) is the last
  word should two sweeps ever overlap (on PostgreSQL they skip each other's
  locked rows).
* A window that closed more than two sweep periods before it was swept closed
  while the system was not sweeping: its alert is flagged `while_down` so the
  duty officer checks those first rather than trust silence.

Notifications are not sent here: `alerts_notify` sends what each alert's level
asks for and marks it in the same transaction (exactly once as well).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kuihua.care.models import Alert, CareRecipient, SweepMark
from kuihua.core.tenancy import sweep_every_community

SWEEP_PERIOD = dt.timedelta(minutes=1)
ACKNOWLEDGE_WITHIN = dt.timedelta(minutes=15)
BATCH = 1000


def parse_time(value: str) -> dt.time:
    """ "08:00" -> time(8, 0): the form windows and shifts are stored in."""
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def windows_after(windows: list, after: dt.datetime, *, paused_until: dt.date | None = None):
    """Yield (opens, closes) of the windows closing after `after`, in order (local time).

    Days up to and including `paused_until` are skipped (a hospital stay, a trip).
    """
    zone = ZoneInfo(settings.TIME_ZONE)
    spans = sorted((parse_time(a), parse_time(b)) for a, b in windows)
    if not spans:
        return
    day = after.astimezone(zone).date()
    while True:
        if paused_until is None or day > paused_until:
            for start, end in spans:
                closes = dt.datetime.combine(day, end, tzinfo=zone)
                if closes > after:
                    yield dt.datetime.combine(day, start, tzinfo=zone), closes
        day += dt.timedelta(days=1)


def next_window(windows: list, after: dt.datetime, *, paused_until=None):
    """The first (opens, closes) closing after `after`, or (None, None) without windows."""
    return next(iter(windows_after(windows, after, paused_until=paused_until)), (None, None))


def _sweep_batch(now: dt.datetime, batch: int, period: dt.timedelta) -> int | None:
    """One batch in one transaction; the number of alerts raised, None when nothing was due."""
    down_before = now - 2 * period
    with transaction.atomic(), sweep_every_community():
        due = list(
            CareRecipient.objects.select_for_update(skip_locked=True)
            .filter(active=True, next_closes_at__lte=now)
            .order_by("next_closes_at", "id")
            .values_list(
                "pk",
                "community_id",
                "next_opens_at",
                "next_closes_at",
                "last_check_in_at",
                "windows",
                "paused_until",
            )[:batch]
        )
        if not due:
            return None
        alerts, moved = [], []
        for pk, community_id, opens, closes, last, windows, paused_until in due:
            while closes is not None and closes <= now:
                if last is None or last < opens:
                    alerts.append(
                        Alert(
                            community_id=community_id,
                            recipient_id=pk,
                            kind=Alert.Kind.MISSED,
                            window_opens_at=opens,
                            window_closes_at=closes,
                            while_down=closes < down_before,
                            raised_at=now,
                            escalate_at=now + ACKNOWLEDGE_WITHIN,
                        )
                    )
                opens, closes = next_window(windows, closes, paused_until=paused_until)
            moved.append(CareRecipient(pk=pk, next_opens_at=opens, next_closes_at=closes))
        Alert.objects.bulk_create(alerts, ignore_conflicts=True, batch_size=1000)
        CareRecipient.objects.bulk_update(
            moved, ["next_opens_at", "next_closes_at"], batch_size=500
        )
        return len(alerts)


def windows_sweep(
    *, now: dt.datetime | None = None, batch: int = BATCH, period: dt.timedelta = SWEEP_PERIOD
) -> int:
    """Raise an alert for every closed window without a check-in; how many were raised."""
    now = now or timezone.now()
    raised = 0
    while (count := _sweep_batch(now, batch, period)) is not None:
        raised += count
    SweepMark.objects.update_or_create(name="windows", defaults={"at": now})
    return raised


def last_sweep() -> dt.datetime | None:
    mark = SweepMark.objects.filter(name="windows").first()
    return mark.at if mark else None
