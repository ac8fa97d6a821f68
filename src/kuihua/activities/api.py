"""Activities over JSON: list, create, change, cancel; series; drives and shifts; attendance.

Mounted at /api/activities beside the sign-ups router (signups/api.py, other paths).
Everyone signed in reads the community's published activities; managing one is
for coordinators and the leaders of its organization, and anyone else gets a
404 for it, as if it were not there to manage. Creating for an organization
one may not manage answers 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Status

from kuihua.activities import attendance as attendance_services
from kuihua.activities import services
from kuihua.activities.drives import drive_attribute, drive_create, shift_create
from kuihua.activities.models import Activity
from kuihua.activities.schemas import (
    ActivityIn,
    ActivityListItem,
    ActivityOut,
    ActivityPatch,
    AttendanceOut,
    AttributionIn,
    CancelIn,
    DriveIn,
    DriveOut,
    MarkIn,
    QrOut,
    ScanIn,
    ScanOut,
    SeriesIn,
    SeriesOut,
    ShiftIn,
)
from kuihua.activities.selectors import (
    KINDS,
    access_activity,
    access_activity_for_manage,
    access_drive,
    access_drive_for_manage,
    access_series,
    access_signup_for_manage,
    activity_list,
)
from kuihua.activities.series import series_attribute, series_create
from kuihua.core.api_support import (
    MAX_ROW_ID,
    ServiceError,
    body_ref,
    error_responses,
    paginated,
)
from kuihua.organizations.selectors import access_organization
from kuihua.venues.selectors import access_room

router = Router(tags=["activities"])

SCAN_MESSAGES = {
    "in": gettext_lazy("签到成功"),
    "out": gettext_lazy("签退成功"),
    "already_in": gettext_lazy("已签到"),
}


def _organization_for_new(user, organization_id: int):
    try:
        organization = access_organization(user, organization_id)
    except Http404:
        raise ServiceError(_("找不到该组织"), field="organization_id") from None
    if not user.has_perm("activities.add_activity", organization):
        raise PermissionDenied
    return organization


def _room(user, room_id: int | None):
    if room_id is None:
        return None
    return body_ref(access_room, user, room_id, "room_id", _("找不到该活动室"))


def _fields(user, payload, exclude: set[str] = frozenset()) -> dict:
    values = payload.dict(exclude_unset=False)
    values = {k: v for k, v in values.items() if k not in exclude}
    if "room_id" in values:
        values["room"] = _room(user, values.pop("room_id"))
    if "project_id" in values:
        values["project"] = values.pop("project_id")
    return values


def _reloaded(activity: Activity) -> Activity:
    return Activity.objects.select_related("organization", "room").get(pk=activity.pk)


# --- activities ----------------------------------------------------------------------------


@router.get(
    "",
    response={200: list[ActivityListItem], **error_responses(403, 422)},
    summary="Upcoming activities (filter by organization, kind; open_to_me for one's own)",
)
@paginated
def list_activities(
    request,
    organization_id: int | None = Query(None, ge=1, le=MAX_ROW_ID),
    kind: str = "",
    open_to_me: bool = False,
    include_past: bool = False,
    q: str = "",
):
    return activity_list(
        request.user,
        organization_id=organization_id,
        kind=kind if kind in KINDS else "",
        upcoming=not include_past,
        open_to_me=open_to_me,
        query=q,
    )


@router.post(
    "",
    response={201: ActivityOut, **error_responses(400, 403, 422)},
    summary="Create an activity (books its room)",
)
def create_activity(request, payload: ActivityIn):
    organization = _organization_for_new(request.user, payload.organization_id)
    activity = services.activity_create(
        actor=request.user,
        organization=organization,
        **_fields(request.user, payload, exclude={"organization_id"}),
    )
    return Status(201, _reloaded(activity))


# Before /{activity_id}: fixed paths first (ids are ints anyway).


@router.post(
    "/series",
    response={201: SeriesOut, **error_responses(400, 403, 422)},
    summary="Create a recurring activity; occurrences are generated 8 weeks ahead",
)
def create_series(request, payload: SeriesIn):
    organization = _organization_for_new(request.user, payload.organization_id)
    series = series_create(
        actor=request.user,
        organization=organization,
        **_fields(request.user, payload, exclude={"organization_id"}),
    )
    return Status(201, _series_out(series))


def _series_out(series):
    series.occurrence_list = list(
        series.occurrences.select_related("organization", "room").order_by("starts_at", "id")
    )
    return series


@router.get(
    "/series/{int:series_id}",
    response={200: SeriesOut, **error_responses(404)},
    summary="A recurring activity with its occurrences (organizers)",
)
def get_series(request, series_id: int):
    return _series_out(access_series(request.user, series_id))


@router.post(
    "/drives",
    response={201: DriveOut, **error_responses(400, 403, 422)},
    summary="Create a drive (its shifts are added next)",
)
def create_drive(request, payload: DriveIn):
    organization = _organization_for_new(request.user, payload.organization_id)
    drive = drive_create(
        actor=request.user,
        organization=organization,
        title=payload.title,
        description=payload.description,
        project=payload.project_id,
    )
    return Status(201, _drive_out(drive))


def _drive_out(drive):
    drive.shift_list = list(
        drive.shifts.select_related("organization", "room").order_by("starts_at", "id")
    )
    return drive


@router.get(
    "/drives/{int:drive_id}",
    response={200: DriveOut, **error_responses(404)},
    summary="A drive with its shifts",
)
def get_drive(request, drive_id: int):
    return _drive_out(access_drive(request.user, drive_id))


@router.post(
    "/drives/{int:drive_id}/project",
    response={200: DriveOut, **error_responses(400, 404, 422)},
    summary="Say which public-welfare project a drive counts in (its shifts follow)",
)
def attribute_drive(request, drive_id: int, payload: AttributionIn):
    drive = access_drive_for_manage(request.user, drive_id)
    drive_attribute(actor=request.user, drive=drive, project=payload.project_id)
    return _drive_out(access_drive(request.user, drive_id))


@router.post(
    "/series/{int:series_id}/project",
    response={200: SeriesOut, **error_responses(400, 404, 422)},
    summary="Say which public-welfare project a series counts in (its occurrences follow)",
)
def attribute_series(request, series_id: int, payload: AttributionIn):
    series = access_series(request.user, series_id)
    series_attribute(actor=request.user, series=series, project=payload.project_id)
    return _series_out(access_series(request.user, series_id))


@router.post(
    "/drives/{int:drive_id}/shifts",
    response={201: ActivityOut, **error_responses(400, 404, 422)},
    summary="Add a shift to a drive",
)
def create_shift(request, drive_id: int, payload: ShiftIn):
    drive = access_drive_for_manage(request.user, drive_id)
    shift = shift_create(actor=request.user, drive=drive, **_fields(request.user, payload))
    return Status(201, _reloaded(shift))


@router.post(
    "/signups/{int:signup_id}/attendance",
    response={200: AttendanceOut, **error_responses(400, 404, 422)},
    summary="Mark a person present or absent from the list (organizers)",
)
def mark_attendance(request, signup_id: int, payload: MarkIn):
    signup = access_signup_for_manage(request.user, signup_id)
    return attendance_services.attendance_mark(
        actor=request.user, signup=signup, present=payload.present
    )


@router.get(
    "/{int:activity_id}",
    response={200: ActivityOut, **error_responses(404)},
    summary="One activity",
)
def get_activity(request, activity_id: int):
    return access_activity(request.user, activity_id)


@router.patch(
    "/{int:activity_id}",
    response={200: ActivityOut, **error_responses(400, 404, 422)},
    summary="Change one activity (one occurrence of a series alone)",
)
def update_activity(request, activity_id: int, payload: ActivityPatch):
    activity = access_activity_for_manage(request.user, activity_id)
    changes = payload.dict(exclude_unset=True)
    if "room_id" in changes:
        changes["room"] = _room(request.user, changes.pop("room_id"))
    if "project_id" in changes:
        changes["project"] = changes.pop("project_id")
    # null clears a field that may be empty (places: unlimited); for the others it
    # means "not given", as a column that cannot be empty is never cleared.
    changes = {
        name: value
        for name, value in changes.items()
        if value is not None or Activity._meta.get_field(name).null
    }
    activity = services.activity_update(actor=request.user, activity=activity, **changes)
    return _reloaded(activity)


@router.post(
    "/{int:activity_id}/cancel",
    response={200: ActivityOut, **error_responses(400, 404, 422)},
    summary="Cancel an activity; everyone signed up is told",
)
def cancel_activity(request, activity_id: int, payload: CancelIn):
    activity = access_activity_for_manage(request.user, activity_id)
    activity = services.activity_cancel(
        actor=request.user, activity=activity, reason=payload.reason
    )
    return _reloaded(activity)


@router.get(
    "/{int:activity_id}/qr",
    response={200: QrOut, **error_responses(404)},
    summary="The current attendance code (organizers); it changes every 30 seconds",
)
def current_qr(request, activity_id: int):
    activity = access_activity_for_manage(request.user, activity_id)
    token = attendance_services.qr_token(activity)
    return {
        "token": token,
        "scan_path": attendance_services.scan_path(activity, token),
        "window_seconds": attendance_services.WINDOW_SECONDS,
    }


@router.post(
    "/{int:activity_id}/attendance/scan",
    response={200: ScanOut, **error_responses(400, 404, 422)},
    summary="Scan the attendance code: check in, or check out if already in",
)
def scan(request, activity_id: int, payload: ScanIn):
    activity = access_activity(request.user, activity_id)
    attendance, action = attendance_services.attendance_scan(
        actor=request.user, activity=activity, token=payload.token
    )
    return {"action": action, "message": str(SCAN_MESSAGES[action]), "attendance": attendance}
