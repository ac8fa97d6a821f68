"""The calendar of rooms and activities over JSON, at /api/venues/calendar (where clients
have always found it; the router is mounted there by config/api.py).

Everyone signed in reads it.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from kuihua.activities.calendar import aware_day, calendar_entries, week_start
from kuihua.core.api_support import ServiceError, error_responses
from kuihua.venues.schemas import CalendarOut, CalendarQuery
from kuihua.venues.selectors import room_list

router = Router(tags=["venues"])

MAX_CALENDAR_DAYS = 62


@router.get(
    "/calendar",
    response={200: CalendarOut, **error_responses(400, 403, 422)},
    summary="Bookings and published activities between two days",
    # Generated clients name their method after this: kept from before the move.
    operation_id="kuihua_venues_api_get_calendar",
)
def get_calendar(request, filters: Query[CalendarQuery]):
    start = filters.start or week_start(timezone.localdate())
    end = filters.end or start + dt.timedelta(days=7)
    if end <= start:
        raise ServiceError(_("结束日期须晚于开始日期"), field="end")
    if (end - start).days > MAX_CALENDAR_DAYS:
        raise ServiceError(_("一次最多查询%(n)s天") % {"n": MAX_CALENDAR_DAYS}, field="end")
    entries = calendar_entries(request.user, aware_day(start), aware_day(end))
    return {
        "start": start,
        "end": end,
        "rooms": list(room_list(request.user)),
        "bookings": [
            {
                "id": e.pk,
                "room_id": e.room_id,
                "room": e.place,
                "organization": e.organization,
                "title": e.title,
                "starts_at": e.starts_at,
                "ends_at": e.ends_at,
                "series": e.series,
            }
            for e in entries
            if e.kind == "booking"
        ],
        "activities": [
            {
                "id": e.pk,
                "room_id": e.room_id,
                "place": e.place,
                "organization": e.organization,
                "title": e.title,
                "starts_at": e.starts_at,
                "ends_at": e.ends_at,
                "booking_id": e.booking_id,
            }
            for e in entries
            if e.kind == "activity"
        ],
    }
