"""The year and its months as the figures count them (no figure lives here)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy as _


def year_span(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The calendar year in Asia/Shanghai as aware datetimes [start, end)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return dt.datetime(year, 1, 1, tzinfo=zone), dt.datetime(year + 1, 1, 1, tzinfo=zone)


def month_labels() -> dict[str, str]:
    """The twelve months as a line chart's categories ("month:01" … "month:12")."""
    return {f"{m:02d}": _("%(month)d月") % {"month": m} for m in range(1, 13)}


def two_digit_months(rows):
    """`.values(…, "month").annotate(…)` rows with the month as "01" … "12"."""
    return [{**row, "month": f"{row['month']:02d}"} for row in rows]
