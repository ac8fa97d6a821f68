"""The span of days the platform deals in.

A date typed or linked far outside it (0001-01-01, 9999-12-31) makes date
arithmetic overflow; such a date is refused with a message, never a 500.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2099, 12, 31)
OUT_OF_REACH = _("日期超出范围：请选择 2000 年到 2099 年之间的日期")


def within_reach(day: dt.date | None) -> bool:
    return day is not None and EARLIEST <= day <= LATEST


def validate_within_reach(day: dt.date | None) -> None:
    """A form field validator: empty passes (the field's `required` decides)."""
    if day is not None and not within_reach(day):
        raise ValidationError(OUT_OF_REACH, code="out_of_reach")


def day_from_link(value: str | None) -> dt.date | None:
    """The day a calendar link names (2027-03-06); None for nonsense or a day out of reach."""
    try:
        day = dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if within_reach(day) else None


# "Monthly" repeats the first date's day of the month; the 29th–31st are missing from
# some months, which a recurrence would skip without a word.
MONTHLY_LAST_DAY = 28


def monthly_day_problem(day: int) -> str | None:
    """Why a monthly repetition cannot start on day `day` of the month, or None."""
    if day <= MONTHLY_LAST_DAY:
        return None
    return gettext(
        "每月 %(d)s 日不是每个月都有：请从 1 到 28 日中选，或按“每月第几个星期几”重复"
    ) % {"d": day}
