"""The calendar year of a figure on the community's clock (Asia/Shanghai), and its months."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def year_window(year: int) -> tuple[dt.datetime, dt.datetime]:
    """[1 January 00:00, next 1 January 00:00) of `year`, Beijing time."""
    return dt.datetime(year, 1, 1, tzinfo=zone()), dt.datetime(year + 1, 1, 1, tzinfo=zone())


def in_year(field: str, year: int) -> dict:
    """Filter keywords: `field` (a moment) within the calendar year."""
    start, end = year_window(year)
    return {f"{field}__gte": start, f"{field}__lt": end}


def month_labels() -> dict[str, str]:
    """`month:<n>` keys (1..12, as ExtractMonth gives them) to their labels."""
    return {str(m): _("%(month)s月") % {"month": m} for m in range(1, 13)}
