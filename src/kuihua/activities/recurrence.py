"""Recurrence rules of a series as RFC 5545 lines in local time (Asia/Shanghai), e.g.::

    DTSTART:20261202T190000
    DURATION:PT120M
    RRULE:FREQ=WEEKLY;BYDAY=WE
    X-WORKDAYS-ONLY:TRUE

Plain functions over text and dates (dateutil, the official holiday calendar): no
database. A rule it cannot read is an ActivityError on the field "rule".
"""

from __future__ import annotations

import datetime as dt
import re

from dateutil import rrule as dateutil_rrule
from django.utils.translation import gettext as _

from kuihua.activities.services import ActivityError, _local
from kuihua.core.dates import monthly_day_problem

FREQUENCIES = {
    "daily": "FREQ=DAILY",
    "weekly": "FREQ=WEEKLY",
    "monthly": "FREQ=MONTHLY",
}


WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def build_rule(
    *,
    first_starts_at: dt.datetime,
    duration: dt.timedelta,
    frequency: str,
    weekdays: list[int] | None = None,
    interval: int = 1,
    working_days_only: bool = False,
) -> str:
    """The `Series.rule` text for a simple recurrence (weekdays 0 = Monday)."""
    if frequency == "monthly" and (problem := monthly_day_problem(_local(first_starts_at).day)):
        raise ActivityError(problem, field="rule")
    if frequency in FREQUENCIES:
        parts = [FREQUENCIES[frequency]]
        if interval and interval > 1:
            parts.append(f"INTERVAL={int(interval)}")
        if weekdays and frequency == "weekly":
            parts.append("BYDAY=" + ",".join(WEEKDAY_CODES[d] for d in sorted(set(weekdays))))
        recurrence = ";".join(parts)
    else:
        recurrence = frequency
    return compose_rule(
        first_starts_at=first_starts_at,
        duration=duration,
        rrule=recurrence,
        working_days_only=working_days_only,
    )


def compose_rule(
    *,
    first_starts_at: dt.datetime,
    duration: dt.timedelta,
    rrule: str,
    working_days_only: bool = False,
) -> str:
    text = (rrule or "").strip().removeprefix("RRULE:")
    if not text or "\n" in text or "UNTIL=" in text.upper() or "COUNT=" in text.upper():
        raise ActivityError(_("无法识别的重复规则"), field="rule")
    minutes = int(duration.total_seconds() // 60)
    if minutes <= 0:
        raise ActivityError(_("结束时间须晚于开始时间"), field="ends_at")
    lines = [
        f"DTSTART:{_local(first_starts_at):%Y%m%dT%H%M%S}",
        f"DURATION:PT{minutes}M",
        f"RRULE:{text}",
    ]
    if working_days_only:
        lines.append("X-WORKDAYS-ONLY:TRUE")
    rule = "\n".join(lines)
    if len(rule) > 200:
        raise ActivityError(_("重复规则太长"), field="rule")
    parse_rule(rule)  # raises ActivityError if dateutil cannot read it
    return rule


def parse_rule(rule: str) -> tuple[dateutil_rrule.rrule, dt.timedelta, bool]:
    """(recurrence over naive local datetimes, duration, working days only)."""
    fields = {}
    for line in rule.splitlines():
        name, _sep, value = line.partition(":")
        fields[name.strip().upper()] = value.strip()
    try:
        start = dt.datetime.strptime(fields["DTSTART"], "%Y%m%dT%H%M%S")
        match = re.fullmatch(r"PT(\d+)M", fields["DURATION"])
        duration = dt.timedelta(minutes=int(match.group(1)))  # type: ignore[union-attr]
        recurrence = dateutil_rrule.rrulestr(fields["RRULE"], dtstart=start, forceset=False)
    except (KeyError, ValueError, TypeError, AttributeError):
        raise ActivityError(_("无法识别的重复规则"), field="rule") from None
    return recurrence, duration, fields.get("X-WORKDAYS-ONLY", "").upper() == "TRUE"


def is_working_day(day: dt.date) -> bool:
    """China's official working days (make-up Saturdays count, holidays do not)."""
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # The calendar's data ends with the last announced year: Monday–Friday after that.
        return day.weekday() < 5
