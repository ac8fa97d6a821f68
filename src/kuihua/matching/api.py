"""Needs, services and matching over JSON (mounted at /api/matching).

What a user may not see is 404; an action on a visible need the user may not
take (a resident starting their own order) is 404 too. Business rules live in
`services`; a broken one answers 400 with the message on its field.
"""

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from kuihua.core.api_support import (
    RowId,
    ServiceError,
    body_ref,
    error_responses,
    paginated,
    require,
)
from kuihua.matching import runs, selectors, services, solver
from kuihua.matching.models import Need, NeedEvent
from kuihua.matching.schemas import (
    AcceptIn,
    AcceptOut,
    AssignIn,
    AttributionIn,
    CategoryIn,
    CategoryOut,
    DeliveryIn,
    DeliveryOut,
    GapOut,
    NeedDetailOut,
    NeedIn,
    NeedOut,
    OfferIn,
    OfferOut,
    ProposalOut,
    RateIn,
    ReasonIn,
    RunOut,
    StatsOut,
    WeightsIn,
)
from kuihua.organizations.selectors import access_organization, access_partner_unit
from kuihua.registry.models import Compound
from kuihua.registry.selectors import access_resident

router = Router(tags=["matching"])


def _category(category_id: int, field: str):
    found = selectors.categories().filter(pk=category_id).first()
    if found is None:
        raise ServiceError(_("找不到该服务类别"), field=field)
    return found


def _detail(user, need: Need) -> Need:
    """`need` with what NeedDetailOut adds: the person as `user` may see them, steps, proposal."""
    details = selectors.need_personal_details(user, need)
    shared = details is not None
    need.person = {**(details if shared else selectors.need_masked_details(need)), "shared": shared}
    need.steps = list(NeedEvent.objects.filter(need=need).values("status", "at", "by_id", "note"))
    need.proposal = selectors.latest_proposal(need) if user.has_perm("matching.manage") else None
    return need


# --- taxonomy ----------------------------------------------------------------------------


@router.get("/categories", response={200: list[CategoryOut]}, summary="Service categories")
def list_categories(request):
    return selectors.categories()


@router.post(
    "/categories",
    response={201: CategoryOut, **error_responses(400, 404, 422)},
    summary="Add a category of the community's own (coordinators)",
)
def create_category(request, payload: CategoryIn):
    require(request.user, "matching.manage")
    return Status(201, services.category_create(actor=request.user, name=payload.name))


# --- needs -------------------------------------------------------------------------------


class NeedFilter(Schema):
    status: str = ""
    category_id: RowId | None = None


@router.get(
    "/needs",
    response={200: list[NeedOut], **error_responses(422)},
    summary="Needs the user may see (all of them for coordinators)",
)
@paginated
def list_needs(request, filters: Query[NeedFilter]):
    return selectors.need_list(request.user, status=filters.status, category_id=filters.category_id)


@router.post(
    "/needs",
    response={201: NeedDetailOut, **error_responses(400, 403, 404, 422)},
    summary="Raise a need (for oneself, or for a resident one may see)",
)
def raise_need(request, payload: NeedIn):
    user = request.user
    if payload.project_id is not None and not user.has_perm("matching.manage"):
        raise ServiceError(_("只有社区工作者可以指定公益项目"), field="project_id", status=403)
    if payload.resident_id is None or payload.resident_id == user.resident_id:
        if user.resident is None:
            raise ServiceError(_("您的账户未关联居民信息"), field="resident_id")
        resident, channel = user.resident, Need.Channel.RESIDENT
    else:
        resident = body_ref(access_resident, user, payload.resident_id, "resident_id")
        channel = (
            Need.Channel.COORDINATOR if user.has_perm("matching.manage") else Need.Channel.VOLUNTEER
        )
    need = services.need_raise(
        actor=user,
        resident=resident,
        category=_category(payload.category_id, "category_id"),
        description=payload.description,
        urgency=payload.urgency,
        days=payload.days,
        slots=payload.slots,
        recurrence=payload.recurrence,
        consent_to_share=payload.consent_to_share,
        channel=channel,
        project=payload.project_id,
    )
    return Status(201, _detail(user, selectors.access_need(user, need.pk)))


@router.get(
    "/needs/{int:need_id}",
    response={200: NeedDetailOut, **error_responses(404)},
    summary="One need: steps, the resident's details (only with consent), the last proposal",
)
def get_need(request, need_id: int):
    return _detail(request.user, selectors.access_need(request.user, need_id))


@router.post(
    "/needs/{int:need_id}/cancel",
    response={200: NeedOut, **error_responses(400, 404, 422)},
    summary="Cancel one's need, or close it (coordinators), with a reason",
)
def cancel_need(request, need_id: int, payload: ReasonIn):
    need = selectors.access_need(request.user, need_id)
    require(request.user, "matching.cancel_need", need)
    close = (
        request.user.has_perm("matching.manage") and need.resident_id != request.user.resident_id
    )
    return services.need_cancel(actor=request.user, need=need, reason=payload.reason, close=close)


@router.post(
    "/needs/{int:need_id}/assign",
    response={200: NeedOut, **error_responses(400, 404, 422)},
    summary="Give the need to a provider of the coordinator's choice",
)
def assign_need(request, need_id: int, payload: AssignIn):
    need = selectors.access_need(request.user, need_id)
    require(request.user, "matching.manage")
    offer = body_ref(selectors.access_offer, request.user, payload.offer_id, "offer_id")
    return services.need_assign(actor=request.user, need=need, offer=offer)


@router.post(
    "/needs/{int:need_id}/start",
    response={200: NeedOut, **error_responses(400, 404)},
    summary="The provider starts serving",
)
def start_need(request, need_id: int):
    need = selectors.access_need(request.user, need_id)
    require(request.user, "matching.serve_need", need)
    return services.need_start(actor=request.user, need=need)


@router.post(
    "/needs/{int:need_id}/done",
    response={200: NeedOut, **error_responses(400, 404)},
    summary="The provider finished: the service is recorded",
)
def finish_need(request, need_id: int):
    need = selectors.access_need(request.user, need_id)
    require(request.user, "matching.serve_need", need)
    return services.need_done(actor=request.user, need=need)


@router.post(
    "/needs/{int:need_id}/deliveries",
    response={201: DeliveryOut, **error_responses(400, 404, 422)},
    summary="Record one delivery of a recurring need (each is a person-time)",
)
def deliver_need(request, need_id: int, payload: DeliveryIn | None = None):
    need = selectors.access_need(request.user, need_id)
    require(request.user, "matching.serve_need", need)
    delivery = services.need_delivery_record(
        actor=request.user, need=need, delivered_at=payload.delivered_at if payload else None
    )
    return Status(201, delivery)


@router.post(
    "/needs/{int:need_id}/project",
    response={200: NeedOut, **error_responses(400, 403, 404, 422)},
    summary="Say which public-welfare project a need counts in (coordinators)",
)
def attribute_need(request, need_id: int, payload: AttributionIn):
    need = selectors.access_need(request.user, need_id)
    require(request.user, "matching.manage")
    return services.need_attribute(actor=request.user, need=need, project=payload.project_id)


@router.post(
    "/needs/{int:need_id}/rate",
    response={200: NeedOut, **error_responses(400, 404, 422)},
    summary="Rate a finished service (the resident, or a coordinator for them)",
)
def rate_need(request, need_id: int, payload: RateIn):
    need = selectors.access_need(request.user, need_id)
    require(request.user, "matching.rate_need", need)
    return services.need_rate(
        actor=request.user, need=need, rating=payload.rating, comment=payload.comment
    )


@router.get(
    "/orders",
    response={200: list[NeedOut], **error_responses(422)},
    summary="The needs given to me as a provider",
)
@paginated
def my_orders(request):
    return selectors.orders_of(request.user)


# --- offers ------------------------------------------------------------------------------


@router.get(
    "/offers", response={200: list[OfferOut], **error_responses(422)}, summary="The services list"
)
@paginated
def list_offers(request):
    return selectors.offer_list(request.user)


@router.post(
    "/offers",
    response={201: OfferOut, **error_responses(400, 404, 422)},
    summary="Register a provider's offer (coordinators)",
)
def create_offer(request, payload: OfferIn):
    user = request.user
    require(user, "matching.manage")
    compounds = list(Compound.objects.filter(pk__in=payload.compound_ids))
    if len(compounds) != len(set(payload.compound_ids)):
        raise ServiceError(_("找不到该小区"), field="compound_ids")
    extra = [_category(c, "category_ids") for c in payload.category_ids]
    offer = services.offer_create(
        actor=user,
        provider_type=payload.provider_type,
        name=payload.name,
        main_category=_category(payload.main_category_id, "main_category_id"),
        categories=extra,
        capacity_per_week=payload.capacity_per_week,
        organization=body_ref(access_organization, user, payload.organization_id, "organization_id")
        if payload.organization_id
        else None,
        volunteer=body_ref(access_resident, user, payload.volunteer_id, "volunteer_id")
        if payload.volunteer_id
        else None,
        partner=body_ref(access_partner_unit, user, payload.partner_id, "partner_id")
        if payload.partner_id
        else None,
        serves_all=payload.serves_all,
        compounds=compounds,
        days=payload.days,
        slots=payload.slots,
        is_free=payload.is_free,
        price_note=payload.price_note,
        project=payload.project_id,
    )
    return Status(201, offer)


@router.get(
    "/offers/{int:offer_id}", response={200: OfferOut, **error_responses(404)}, summary="One offer"
)
def get_offer(request, offer_id: int):
    return selectors.access_offer(request.user, offer_id)


# --- runs --------------------------------------------------------------------------------


@router.post(
    "/offers/{int:offer_id}/project",
    response={200: OfferOut, **error_responses(400, 403, 404, 422)},
    summary="Say which public-welfare project an offer's services count in (coordinators)",
)
def attribute_offer(request, offer_id: int, payload: AttributionIn):
    require(request.user, "matching.manage")
    offer = selectors.access_offer(request.user, offer_id)
    services.offer_attribute(actor=request.user, offer=offer, project=payload.project_id)
    return selectors.offer_list(request.user).get(pk=offer.pk)


@router.post(
    "/runs",
    response={201: RunOut, **error_responses(404, 422)},
    summary="Match every open need to the free capacity, optimally (coordinators)",
)
def start_run(request, payload: WeightsIn | None = None):
    require(request.user, "matching.run")
    weights = solver.Weights(**payload.dict()) if payload else None
    return Status(201, runs.match_run(actor=request.user, weights=weights))


@router.get("/runs/{int:run_id}", response={200: RunOut, **error_responses(404)}, summary="A run")
def get_run(request, run_id: int):
    return selectors.access_run(request.user, run_id)


class ProposalFilter(Schema):
    unmatched: bool | None = None


@router.get(
    "/runs/{int:run_id}/proposals",
    response={200: list[ProposalOut], **error_responses(404, 422)},
    summary="A run's proposals with their cost terms, and the unmatched needs with the reason",
)
@paginated
def list_proposals(request, run_id: int, filters: Query[ProposalFilter]):
    run = selectors.access_run(request.user, run_id)
    return selectors.run_proposals(run, unmatched=filters.unmatched)


@router.post(
    "/runs/{int:run_id}/accept",
    response={200: AcceptOut, **error_responses(404, 422)},
    summary="Accept the run's proposals, all or those named",
)
def accept_run(request, run_id: int, payload: AcceptIn | None = None):
    run = selectors.access_run(request.user, run_id)
    accepted, problems = services.proposals_accept(
        actor=request.user, run=run, proposal_ids=payload.proposal_ids if payload else None
    )
    return {"accepted": accepted, "problems": problems}


# --- reports -----------------------------------------------------------------------------


@router.get(
    "/gaps",
    response={200: list[GapOut], **error_responses(404)},
    summary="Where needs outrun offers: what to incubate or recruit for (coordinators)",
)
def gaps(request):
    require(request.user, "matching.manage")
    return selectors.gap_report()


@router.get(
    "/stats",
    response={200: StatsOut, **error_responses(404)},
    summary="Services completed by month, category and provider type (coordinators)",
)
def stats(request):
    require(request.user, "matching.manage")
    return selectors.delivery_stats()
