"""The care programme 幸福来敲门 over JSON (mounted at /api/care).

What a user may not see is 404, and so is an action they may not take: the
people, alerts, board, rota and figures are the coordinators'; a person's
primary and backup visitors see that person (never the health conditions) and
record their visits; a shift's holder asks to hand it over. Every object is
fetched within the signed-in user's community (the care models are scoped).
Business rules live in `services` and `duty`; a broken one answers 400 with
the message on its field.
"""

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kuihua.accounts.models import User
from kuihua.care import duty, selectors, services
from kuihua.care.models import Alert, CareRecipient, DutyShift, SwapRequest
from kuihua.care.schemas import (
    AlertDetailOut,
    AlertOut,
    AttributionIn,
    BoardOut,
    CheckInIn,
    CheckInOut,
    EnrolIn,
    FiguresOut,
    IncidentIn,
    IncidentOut,
    PauseIn,
    RecipientDetailOut,
    RecipientOut,
    ResolveIn,
    RotaIn,
    RotaOut,
    SelfLinkOut,
    ShiftOut,
    SwapDecisionIn,
    SwapIn,
    SwapOut,
    VisitOut,
)
from kuihua.core.api_support import ServiceError, body_ref, error_responses, paginated, require
from kuihua.core.audit import log_access
from kuihua.core.tenancy import current_community_ids
from kuihua.registry.selectors import access_resident

router = Router(tags=["care"])


def _member_ref(user_id: int, field: str) -> User:
    """An active account of the community in force named in a body, else a field error."""
    found = User.objects.filter(
        pk=user_id, is_active=True, community_id__in=current_community_ids()
    ).first()
    if found is None:
        raise ServiceError(_("找不到该记录"), field=field)
    return found


def _alerts() -> QuerySet[Alert]:
    return Alert.objects.select_related("recipient__resident")


def _listed(user, perm: str, rows: QuerySet, *, order: tuple[str, ...], **given) -> QuerySet:
    """A list the user may read under `perm` (else 404), narrowed by each filter that was
    given (a query parameter left out is None or ""), in `order`. The rows come from a
    scoped manager, so only the community in force is listed."""
    require(user, perm)
    narrowed = {lookup: value for lookup, value in given.items() if value not in (None, "")}
    return rows.filter(**narrowed).order_by(*order)


def _detail(user, recipient: CareRecipient) -> CareRecipient:
    """`recipient` with what RecipientDetailOut adds; a coordinator's read of the health
    conditions is access-logged."""
    if user.has_perm("care.manage"):
        log_access(user=user, subject=recipient.resident, fields=["conditions"], purpose="care")
        recipient.conditions_shown = recipient.conditions
    recipient.latest_check_ins = list(recipient.check_ins.select_related("alert")[:20])
    return recipient


# --- people ------------------------------------------------------------------------------


@router.get(
    "/recipients",
    response={200: list[RecipientOut], **error_responses(404, 422)},
    summary="Everyone enrolled (coordinators)",
)
@paginated
def list_recipients(request):
    require(request.user, "care.manage")
    return selectors.recipients_with_visitors().order_by("resident__name_pinyin", "id")


@router.post(
    "/recipients",
    response={201: RecipientOut, **error_responses(400, 404, 422)},
    summary="Enrol a resident: risk, check-in windows, trained visitors (coordinators)",
)
def enrol_recipient(request, payload: EnrolIn):
    user = request.user
    require(user, "care.manage")
    resident = body_ref(
        access_resident, user, payload.resident_id, "resident_id", _("找不到该居民")
    )
    primary = (
        _member_ref(payload.primary_visitor_id, "primary_visitor_id")
        if payload.primary_visitor_id is not None
        else None
    )
    backups = [
        _member_ref(pk, "backup_visitor_ids") for pk in dict.fromkeys(payload.backup_visitor_ids)
    ]
    recipient = services.recipient_enrol(
        actor=user,
        resident=resident,
        risk=payload.risk,
        conditions=payload.conditions,
        windows=payload.windows,
        primary_visitor=primary,
        backup_visitors=backups,
        project=payload.project_id,
    )
    return Status(201, selectors.access_recipient(request.user, recipient.pk, action="manage"))


@router.get(
    "/recipients/{int:recipient_id}",
    response={200: RecipientDetailOut, **error_responses(404)},
    summary="One person and their latest check-ins (coordinators, or their visitors); "
    "the health conditions for coordinators only, access-logged",
)
def get_recipient(request, recipient_id: int):
    recipient = selectors.access_recipient(request.user, recipient_id)
    return _detail(request.user, recipient)


@router.post(
    "/recipients/{int:recipient_id}/project",
    response={200: RecipientOut, **error_responses(400, 404, 422)},
    summary="Say which public-welfare project a person is enrolled in (coordinators)",
)
def attribute_recipient(request, recipient_id: int, payload: AttributionIn):
    recipient = selectors.access_recipient(request.user, recipient_id, action="manage")
    services.recipient_attribute(
        actor=request.user, recipient=recipient, project=payload.project_id
    )
    return selectors.access_recipient(request.user, recipient_id, action="manage")


@router.post(
    "/recipients/{int:recipient_id}/pause",
    response={200: RecipientOut, **error_responses(400, 404, 422)},
    summary="Pause check-ins up to a day (a stay in hospital); null resumes (coordinators)",
)
def pause_recipient(request, recipient_id: int, payload: PauseIn):
    recipient = selectors.access_recipient(request.user, recipient_id, action="manage")
    services.recipient_pause(
        actor=request.user, recipient=recipient, until=payload.until, reason=payload.reason
    )
    return selectors.access_recipient(request.user, recipient.pk, action="manage")


@router.post(
    "/recipients/{int:recipient_id}/check-ins",
    response={201: CheckInOut, **error_responses(400, 404, 422)},
    summary="Record a visit (coordinators, or the person's visitors) or a call (coordinators); "
    "no answer or a concern raises an alert at once",
)
def record_check_in(request, recipient_id: int, payload: CheckInIn):
    action = "visit" if payload.channel == "visit" else "manage"
    recipient = selectors.access_recipient(request.user, recipient_id, action=action)
    record = services.check_in(
        actor=request.user,
        recipient=recipient,
        channel=payload.channel,
        result=payload.result,
        note=payload.note,
    )
    return Status(201, record)


@router.post(
    "/recipients/{int:recipient_id}/self-link",
    response={200: SelfLinkOut, **error_responses(404)},
    summary="Issue the person's own check-in link, shown once; the old one stops working "
    "(coordinators)",
)
def issue_self_link(request, recipient_id: int):
    recipient = selectors.access_recipient(request.user, recipient_id, action="manage")
    token = services.self_link_issue(actor=request.user, recipient=recipient)
    return {"path": reverse("care:self_check_in", args=[token])}


@router.post(
    "/recipients/{int:recipient_id}/incidents",
    response={201: IncidentOut, **error_responses(400, 404, 422)},
    summary="Record a fall, another accident or a hospital stay (coordinators)",
)
def record_incident(request, recipient_id: int, payload: IncidentIn):
    recipient = selectors.access_recipient(request.user, recipient_id, action="manage")
    incident = services.incident_record(
        actor=request.user,
        recipient=recipient,
        kind=payload.kind,
        occurred_on=payload.occurred_on,
        note=payload.note,
    )
    return Status(201, incident)


@router.get(
    "/incidents/{int:incident_id}",
    response={200: IncidentOut, **error_responses(404)},
    summary="One incident (coordinators)",
)
def get_incident(request, incident_id: int):
    return selectors.access_incident(request.user, incident_id)


@router.get(
    "/visits",
    response={200: list[VisitOut], **error_responses(422)},
    summary="The people I visit, as primary or backup visitor",
)
@paginated
def my_visits(request):
    return selectors.visits_of(request.user)


# --- alerts ------------------------------------------------------------------------------


class AlertFilter(Schema):
    open: bool | None = Field(None, description="true: not yet resolved; false: resolved")


@router.get(
    "/alerts",
    response={200: list[AlertOut], **error_responses(404, 422)},
    summary="Alerts, the open ones first, then the newest (the duty officer)",
)
@paginated
def list_alerts(request, filters: Query[AlertFilter]):
    alerts = _alerts().alias(
        is_open=ExpressionWrapper(Q(resolved_at__isnull=True), output_field=BooleanField())
    )
    return _listed(
        request.user,
        "care.handle_alert",
        alerts,
        order=("-is_open", "-raised_at", "-id"),
        resolved_at__isnull=filters.open,
    )


@router.get(
    "/alerts/{int:alert_id}",
    response={200: AlertDetailOut, **error_responses(404)},
    summary="One alert, with the person's emergency contacts in order "
    "(the duty officer, the person's visitors)",
)
def get_alert(request, alert_id: int):
    alert = selectors.access_alert(request.user, alert_id)
    alert.contacts = selectors.alert_contacts(request.user, alert)
    return alert


@router.post(
    "/alerts/{int:alert_id}/acknowledge",
    response={200: AlertOut, **error_responses(404)},
    summary="I am on it: stops the escalation (the duty officer, the person's visitors)",
)
def acknowledge_alert(request, alert_id: int):
    alert = selectors.access_alert(request.user, alert_id)
    services.alert_acknowledge(actor=request.user, alert=alert)
    return selectors.access_alert(request.user, alert.pk)


@router.post(
    "/alerts/{int:alert_id}/resolve",
    response={200: AlertOut, **error_responses(400, 404, 422)},
    summary="Close the alert with its outcome; hospital or incident records an incident "
    "(the duty officer, the person's visitors)",
)
def resolve_alert(request, alert_id: int, payload: ResolveIn):
    alert = selectors.access_alert(request.user, alert_id)
    services.alert_resolve(
        actor=request.user, alert=alert, outcome=payload.outcome, note=payload.note
    )
    return selectors.access_alert(request.user, alert.pk)


# --- board, figures ----------------------------------------------------------------------


@router.get(
    "/board",
    response={200: BoardOut, **error_responses(404)},
    summary="Today's windows of everyone enrolled, the worst first, and the open alerts "
    "(the duty officer)",
)
def get_board(request):
    require(request.user, "care.handle_alert")
    found = selectors.board()
    return {
        "counts": found["counts"],
        "summary": found["summary"],
        "rows": found["rows"],
        "open_alert_ids": [a.pk for a in found["open_alerts"]],
    }


class YearFilter(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="default: this year")


@router.get(
    "/figures",
    response={200: FiguresOut, **error_responses(404, 422)},
    summary="The year's people enrolled, person-times served, incidents and accident rate "
    "(coordinators)",
)
def get_figures(request, filters: Query[YearFilter]):
    require(request.user, "care.manage")
    return selectors.programme_figures(year=filters.year or timezone.localdate().year)


# --- the duty line -----------------------------------------------------------------------


@router.post(
    "/rota",
    response={201: RotaOut, **error_responses(400, 404, 422)},
    summary="Generate the month's duty rota, replacing the month's previous one; "
    "the shifts nobody could take with the reason (coordinators)",
)
def generate_rota(request, payload: RotaIn):
    require(request.user, "care.manage")
    shifts, left = duty.rota_generate(actor=request.user, year=payload.year, month=payload.month)
    return Status(201, {"shifts": len(shifts), "uncovered": left})


class MonthFilter(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="default: this month's")
    month: int | None = Field(None, ge=1, le=12, description="default: this month")


@router.get(
    "/shifts",
    response={200: list[ShiftOut], **error_responses(422)},
    summary="The month's duty shifts and who holds them (every month fits one answer)",
)
def list_shifts(request, filters: Query[MonthFilter]):
    today = timezone.localdate()
    return DutyShift.objects.filter(
        day__year=filters.year or today.year, day__month=filters.month or today.month
    ).select_related("user")


@router.post(
    "/shifts/{int:shift_id}/swap",
    response={201: SwapOut, **error_responses(400, 404, 422)},
    summary="Ask to hand my shift to another volunteer; a coordinator decides",
)
def request_swap(request, shift_id: int, payload: SwapIn):
    shift = selectors.access_shift(request.user, shift_id)
    to_user = _member_ref(payload.to_user_id, "to_user_id")
    return Status(201, duty.swap_request(actor=request.user, shift=shift, to_user=to_user))


class SwapFilter(Schema):
    status: str = Field("", description="pending | approved | refused")


@router.get(
    "/swaps",
    response={200: list[SwapOut], **error_responses(404, 422)},
    summary="Swap requests, the newest first (coordinators)",
)
@paginated
def list_swaps(request, filters: Query[SwapFilter]):
    return _listed(
        request.user,
        "care.manage",
        SwapRequest.objects.all(),
        order=("-created_at", "-id"),
        status=filters.status,
    )


@router.post(
    "/swaps/{int:swap_id}/decide",
    response={200: SwapOut, **error_responses(400, 404, 422)},
    summary="Approve (the shift changes hands) or refuse a swap (coordinators)",
)
def decide_swap(request, swap_id: int, payload: SwapDecisionIn):
    swap = selectors.access_swap(request.user, swap_id)
    return duty.swap_decide(actor=request.user, swap=swap, approve=payload.approve)
