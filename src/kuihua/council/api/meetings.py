"""Council over JSON: meetings and delegates (mounted at /api/council).

Everyone taking part reads meetings, their accepted agenda and approved minutes, and
proposes agenda items; coordinators call meetings, decide proposals, take attendance,
write and approve minutes, and appoint and end delegates. What a user may not see or
do is 404. The rules are in council/meetings.py; a broken one answers 400.
"""

from django.utils.translation import gettext as _
from ninja import Router, Status

from kuihua.core.api_support import body_ref, error_responses, paginated, require
from kuihua.council import meetings as svc
from kuihua.council.meeting_schemas import (
    DelegateAppointIn,
    DelegateOut,
    MeetingAgendaDecisionIn,
    MeetingAgendaItemIn,
    MeetingAgendaItemOut,
    MeetingCheckInOut,
    MeetingDetailOut,
    MeetingIn,
    MeetingMinutesIn,
    MeetingMinutesOut,
    MeetingOut,
    MeetingQuorumOut,
)
from kuihua.registry.selectors import access_compound, access_resident
from kuihua.venues.selectors import access_room

router = Router(tags=["council"])


def _quorum(meeting) -> dict:
    q = svc.meeting_quorum(meeting)
    return {
        "invited": q.invited,
        "present": q.present,
        "guests_present": q.guests_present,
        "percent": q.percent,
        "needed": q.needed,
        "missing": q.missing,
        "met": q.met,
    }


def _detail(user, meeting):
    meeting = svc.access_meeting(user, meeting.pk)
    meeting.agenda_rows = svc.agenda_of(user, meeting)
    meeting.quorum_now = _quorum(meeting)
    meeting.minutes_now = svc.minutes_visible(user, meeting)
    meeting.attendee_rows = (
        svc.attendees_of(meeting) if user.has_perm("council.take_attendance") else []
    )
    return meeting


# --- meetings -----------------------------------------------------------------------------


@router.get(
    "/meetings",
    response={200: list[MeetingOut], **error_responses(404, 422)},
    summary="The community's council meetings, latest first",
)
@paginated
def list_meetings(request):
    require(request.user, "council.take_part")
    return svc.meetings_for(request.user).order_by("-starts_at", "-id")


@router.post(
    "/meetings",
    response={201: MeetingDetailOut, **error_responses(400, 404, 422)},
    summary="Call a meeting: book the room, copy the rules in force, invite the delegates "
    "(coordinators)",
)
def call_meeting(request, payload: MeetingIn):
    user = request.user
    require(user, "council.manage")
    room = (
        body_ref(access_room, user, payload.room_id, "room_id", _("找不到该会议室"))
        if payload.room_id is not None
        else None
    )
    compound = (
        body_ref(access_compound, user, payload.compound_id, "compound_id", _("找不到该小区"))
        if payload.compound_id is not None
        else None
    )
    meeting = svc.meeting_call(
        actor=user,
        title=payload.title,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        room=room,
        place=payload.place,
        compound=compound,
        agenda=payload.agenda,
        guests=payload.guests,
    )
    return Status(201, _detail(user, meeting))


@router.get(
    "/meetings/{int:meeting_id}",
    response={200: MeetingDetailOut, **error_responses(404)},
    summary="One meeting: agenda, quorum, minutes (approved ones only, for residents)",
)
def get_meeting(request, meeting_id: int):
    meeting = svc.access_meeting(request.user, meeting_id)
    return _detail(request.user, meeting)


@router.post(
    "/meetings/{int:meeting_id}/agenda",
    response={201: MeetingAgendaItemOut, **error_responses(400, 404, 422)},
    summary="Add an agenda item (coordinators) or propose one (anyone taking part)",
)
def add_agenda_item(request, meeting_id: int, payload: MeetingAgendaItemIn):
    user = request.user
    meeting = svc.access_meeting(user, meeting_id)
    if user.has_perm("council.manage"):
        item = svc.agenda_item_add(actor=user, meeting=meeting, title=payload.title)
    else:
        item = svc.agenda_item_propose(actor=user, meeting=meeting, title=payload.title)
    return Status(201, item)


@router.post(
    "/meetings/{int:meeting_id}/agenda/{int:agenda_item_id}/decide",
    response={200: MeetingAgendaItemOut, **error_responses(400, 404, 422)},
    summary="Accept or decline (with a reason) a proposed agenda item (coordinators)",
)
def decide_agenda_item(
    request, meeting_id: int, agenda_item_id: int, payload: MeetingAgendaDecisionIn
):
    user = request.user
    meeting = svc.access_meeting(user, meeting_id, action="manage")
    item = svc.access_agenda_item(user, meeting, agenda_item_id)
    return svc.agenda_item_decide(
        actor=user, item=item, accept=payload.accept, reason=payload.reason
    )


@router.post(
    "/meetings/{int:meeting_id}/attendees/{int:attendee_id}/check-in",
    response={200: MeetingCheckInOut, **error_responses(400, 404)},
    summary="Check an invitee in from the list; a second check-in changes nothing (coordinators)",
)
def check_in_attendee(request, meeting_id: int, attendee_id: int):
    user = request.user
    meeting = svc.access_meeting(user, meeting_id, action="attendance")
    attendee = svc.access_attendee(user, meeting, attendee_id)
    attendee, fresh = svc.attendee_check_in(actor=user, attendee=attendee)
    return {"attendee": attendee, "checked_in_now": fresh, "quorum": _quorum(meeting)}


@router.get(
    "/meetings/{int:meeting_id}/quorum",
    response={200: MeetingQuorumOut, **error_responses(404)},
    summary="The live quorum: delegates present against delegates invited",
)
def get_quorum(request, meeting_id: int):
    meeting = svc.access_meeting(request.user, meeting_id)
    return _quorum(meeting)


@router.put(
    "/meetings/{int:meeting_id}/minutes",
    response={200: MeetingMinutesOut, **error_responses(400, 404, 422)},
    summary="Write or rewrite the minutes until they are approved (coordinators)",
)
def write_minutes(request, meeting_id: int, payload: MeetingMinutesIn):
    meeting = svc.access_meeting(request.user, meeting_id, action="manage")
    return svc.minutes_write(actor=request.user, meeting=meeting, body=payload.body)


@router.post(
    "/meetings/{int:meeting_id}/minutes/approve",
    response={200: MeetingMinutesOut, **error_responses(400, 404)},
    summary="Approve the minutes: published to residents, no longer editable (coordinators)",
)
def approve_minutes(request, meeting_id: int):
    meeting = svc.access_meeting(request.user, meeting_id, action="manage")
    return svc.minutes_approve(actor=request.user, meeting=meeting)


# --- delegates ----------------------------------------------------------------------------


@router.get(
    "/delegates",
    response={200: list[DelegateOut], **error_responses(404, 422)},
    summary="The council's delegates, current first, with who is trained",
)
@paginated
def list_delegates(request):
    require(request.user, "council.take_part")
    return svc.delegates_for(request.user)


@router.post(
    "/delegates",
    response={201: DelegateOut, **error_responses(400, 404, 422)},
    summary="Appoint a resident as a delegate (coordinators)",
)
def appoint_delegate(request, payload: DelegateAppointIn):
    user = request.user
    require(user, "council.manage")
    resident = body_ref(
        access_resident, user, payload.resident_id, "resident_id", _("找不到该居民")
    )
    delegate = svc.delegate_appoint(
        actor=user, resident=resident, kind=payload.kind, since=payload.since
    )
    return Status(201, svc.access_delegate(user, delegate.pk))


@router.delete(
    "/delegates/{int:delegate_id}",
    response={200: DelegateOut, **error_responses(400, 404)},
    summary="End a delegate's term today; the record stays (coordinators)",
)
def end_delegate(request, delegate_id: int):
    user = request.user
    delegate = svc.access_delegate(user, delegate_id)
    svc.delegate_end(actor=user, delegate=delegate)
    return svc.access_delegate(user, delegate.pk)
