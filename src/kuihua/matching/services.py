"""Every write to needs and service offers (the matching run itself is run.py).

A need moves open → proposed (a run proposed a provider) → matched (the
coordinator accepted or chose a provider) → in service → done → rated, or is
cancelled / closed with a reason; each step is a NeedEvent with who and when.
An offer's weekly capacity is the number of needs it may hold matched or in
service at once; accepting takes one under the offer's row lock, so two
coordinators accepting at once never give a provider more than it offered.
"""

from __future__ import annotations

import time

import numpy as np
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.core.attribution import resolve_project
from kuihua.core.audit import audit
from kuihua.core.errors import ApplicationError
from kuihua.core.models import Community
from kuihua.matching import solver
from kuihua.matching.models import (
    ALL_DAYS,
    ALL_SLOTS,
    MatchRun,
    Need,
    NeedEvent,
    Proposal,
    ProviderType,
    ServiceCategory,
    ServiceDelivery,
    ServiceOffer,
)
from kuihua.matching.selectors import shares_details
from kuihua.notifications.services import notify, recipients_language
from kuihua.registry.models import Consent

DEFAULT_CATEGORIES: list[tuple[str, str]] = [
    ("meal_delivery", "助餐送餐"),
    ("haircut", "理发"),
    ("medical_escort", "陪同就医"),
    ("rehabilitation", "康复护理"),
    ("housekeeping", "家政保洁"),
    ("home_repair", "维修"),
    ("companionship", "陪伴聊天"),
    ("counselling", "心理疏导"),
    ("child_care", "托管看护"),
    ("legal_aid", "法律援助"),
    ("tutoring", "课业辅导"),
]
HOLDING = (Need.Status.MATCHED, Need.Status.IN_SERVICE)
UPDATE_CHUNK = 5000
LIVE = (Need.Status.OPEN, Need.Status.PROPOSED, *HOLDING)
PROVIDER_PARTNER_KIND = {
    ProviderType.GOVERNMENT: "government",
    ProviderType.ENTERPRISE: "enterprise",
    ProviderType.INSTITUTION: "institution",
}


class MatchingError(ApplicationError):
    """A rule of needs and matching was broken; the message is for the user, translated."""


# --- the taxonomy ------------------------------------------------------------------------


def categories_ensure(*, community: Community) -> None:
    """The preset categories of a community (idempotent)."""
    have = set(ServiceCategory.objects.filter(community=community).values_list("code", flat=True))
    ServiceCategory.objects.bulk_create(
        ServiceCategory(community=community, code=code, name=name, is_system=True)
        for code, name in DEFAULT_CATEGORIES
        if code not in have
    )


def category_create(*, actor, name: str) -> ServiceCategory:
    """A category of the community's own (a coordinator extends the taxonomy)."""
    name = (name or "").strip()
    if not name:
        raise MatchingError(_("请填写类别名称"), field="name")
    if len(name) > 40:
        raise MatchingError(_("类别名称不能超过 40 个字"), field="name")
    if ServiceCategory.objects.filter(name=name).exists():
        raise MatchingError(_("已有同名的服务类别"), field="name")
    with transaction.atomic():
        try:
            with transaction.atomic():  # the unique name decides a simultaneous second one
                category = ServiceCategory.objects.create(name=name, code=f"own-{time.time_ns()}")
        except IntegrityError:
            raise MatchingError(_("已有同名的服务类别"), field="name") from None
        category.code = f"own-{category.pk}"
        category.save(update_fields=["code"])
        audit(
            actor=actor,
            community_id=category.community_id,
            action="service_category.create",
            obj=category,
            new={"name": name},
        )
    return category


# --- offers ------------------------------------------------------------------------------


def _check_times(days: int, slots: int) -> None:
    if not 0 < days <= ALL_DAYS:
        raise MatchingError(_("请至少选择一天"), field="days")
    if not 0 < slots <= ALL_SLOTS:
        raise MatchingError(_("请至少选择一个时段"), field="slots")


@transaction.atomic
def offer_create(
    *,
    actor,
    provider_type: str,
    name: str,
    main_category: ServiceCategory,
    categories: list[ServiceCategory] = (),
    capacity_per_week: int = 1,
    organization=None,
    volunteer=None,
    partner=None,
    serves_all: bool = False,
    compounds=(),
    days: int = ALL_DAYS,
    slots: int = ALL_SLOTS,
    is_free: bool = True,
    price_note: str = "",
    contact_user=None,
    project=None,
) -> ServiceOffer:
    """Register what a provider offers. The provider is the organization, volunteer or
    partner unit that matches `provider_type`; a volunteer is based at their home."""
    name = (name or "").strip()
    if not name:
        raise MatchingError(_("请填写服务名称"), field="name")
    if provider_type not in ProviderType.values:
        raise MatchingError(_("请选择提供方类型"), field="provider_type")
    if not 1 <= int(capacity_per_week) <= 500:
        raise MatchingError(_("可同时接单数应在 1 到 500 之间"), field="capacity_per_week")
    _check_times(days, slots)
    if provider_type == ProviderType.ORGANIZATION and organization is None:
        raise MatchingError(_("请选择社会组织"), field="organization")
    if provider_type == ProviderType.VOLUNTEER and volunteer is None:
        raise MatchingError(_("请选择志愿者"), field="volunteer")
    if provider_type in PROVIDER_PARTNER_KIND and (
        partner is None or partner.kind != PROVIDER_PARTNER_KIND[provider_type]
    ):
        raise MatchingError(_("请选择相应类型的共建单位"), field="partner")
    if not serves_all and not compounds:
        raise MatchingError(_("请选择服务的小区，或勾选服务全社区"), field="compounds")
    project = resolve_project(project, error=MatchingError)
    base_building = base_compound = None
    if provider_type == ProviderType.VOLUNTEER and volunteer.household_id:
        base_building = volunteer.household.building
        base_compound = base_building.compound
    if contact_user is None and provider_type == ProviderType.VOLUNTEER:
        contact_user = getattr(volunteer, "account", None)
    if contact_user is None and organization is not None and organization.leader_id:
        contact_user = getattr(organization.leader, "account", None)
    offer = ServiceOffer.objects.create(
        provider_type=provider_type,
        organization=organization if provider_type == ProviderType.ORGANIZATION else None,
        volunteer=volunteer if provider_type == ProviderType.VOLUNTEER else None,
        partner=partner if provider_type in PROVIDER_PARTNER_KIND else None,
        name=name,
        main_category=main_category,
        capacity_per_week=int(capacity_per_week),
        serves_all=serves_all,
        base_building=base_building,
        base_compound=base_compound,
        days=days,
        slots=slots,
        is_free=is_free,
        price_note=price_note.strip(),
        contact_user=contact_user,
        project=project,
    )
    offer.categories.set({main_category, *categories})
    if not serves_all:
        offer.compounds.set(compounds)
    audit(
        actor=actor,
        community_id=offer.community_id,
        action="service_offer.create",
        obj=offer,
        new={
            "name": name,
            "type": provider_type,
            "capacity": offer.capacity_per_week,
            "project": offer.project_id,
        },
    )
    return offer


@transaction.atomic
def offer_attribute(*, actor, offer: ServiceOffer, project) -> ServiceOffer:
    """Say which public-welfare project an offer's services count in (None: none).

    A delivery counts in its need's project, else in its offer's
    (kuihua.projects.outputs).
    """
    offer = ServiceOffer.objects.select_for_update().get(pk=offer.pk)
    project = resolve_project(
        project, community_id=offer.community_id, current=offer.project_id, error=MatchingError
    )
    old = offer.project_id
    offer.project = project
    offer.save(update_fields=["project"])
    audit(
        actor=actor,
        community_id=offer.community_id,
        action="service_offer.attribute",
        obj=offer,
        old={"project": old},
        new={"project": offer.project_id},
    )
    return offer


# --- needs -------------------------------------------------------------------------------


def _step(need: Need, status: str, *, actor, note: str = "") -> None:
    need.status = status
    need.save(
        update_fields=[
            "status",
            "provider",
            "rating",
            "rating_comment",
            "close_reason",
            "updated_at",
        ]
    )
    NeedEvent.objects.create(
        community_id=need.community_id,
        need=need,
        status=status,
        by=actor if getattr(actor, "pk", None) else None,
        note=note[:200],
    )


def _need_link(need: Need) -> str:
    return reverse("matching:need_detail", kwargs={"need_id": need.pk})


@transaction.atomic
def need_raise(
    *,
    actor,
    resident,
    category: ServiceCategory,
    description: str = "",
    urgency: int = Need.Urgency.NORMAL,
    days: int = ALL_DAYS,
    slots: int = ALL_SLOTS,
    recurrence: str = Need.Recurrence.ONCE,
    consent_to_share: bool = False,
    channel: str = Need.Channel.RESIDENT,
    project=None,
) -> Need:
    """Raise a need for `resident` at their household; consent is recorded as a Consent too."""
    if urgency not in Need.Urgency.values:
        raise MatchingError(_("请选择紧急程度"), field="urgency")
    if recurrence not in Need.Recurrence.values:
        raise MatchingError(_("请选择频次"), field="recurrence")
    if channel not in Need.Channel.values:
        raise MatchingError(_("来源不正确"), field="channel")
    _check_times(days, slots)
    description = (description or "").strip()
    if len(description) > 2000:
        raise MatchingError(_("需求说明不能超过 2000 字"), field="description")
    project = resolve_project(project, error=MatchingError)
    building = resident.household.building if resident.household_id else None
    need = Need.objects.create(
        resident=resident,
        category=category,
        description=description,
        urgency=urgency,
        days=days,
        slots=slots,
        recurrence=recurrence,
        building=building,
        compound_id=building.compound_id if building else None,
        consent_to_share=consent_to_share,
        channel=channel,
        raised_by=actor if getattr(actor, "pk", None) else None,
        project=project,
    )
    if consent_to_share:
        Consent.objects.create(
            resident=resident,
            purpose=Consent.Purpose.SHARE_WITH_PROVIDER,
            granted=True,
            method=Consent.Method.ONLINE
            if channel == Need.Channel.RESIDENT
            else Consent.Method.VERBAL,
            recorded_by=actor if getattr(actor, "pk", None) else None,
            note=_("需求 #%(id)s") % {"id": need.pk},
        )
    NeedEvent.objects.create(
        community_id=need.community_id,
        need=need,
        status=Need.Status.OPEN,
        by=need.raised_by,
        note=need.get_channel_display(),
    )
    return need


@transaction.atomic
def need_attribute(*, actor, need: Need, project) -> Need:
    """Say which public-welfare project a need's deliveries count in (None: none)."""
    need = _lock_need(need)
    project = resolve_project(
        project, community_id=need.community_id, current=need.project_id, error=MatchingError
    )
    old = need.project_id
    need.project = project
    need.save(update_fields=["project", "updated_at"])
    audit(
        actor=actor,
        community_id=need.community_id,
        action="need.attribute",
        obj=need,
        old={"project": old},
        new={"project": need.project_id},
    )
    return need


def _require_provider(need: Need) -> None:
    """An order whose provider was removed (a volunteer erased from the registry) waits
    for the coordinator to give it to someone else (`need_assign` takes it)."""
    if need.provider_id is None:
        raise MatchingError(_("该需求的服务方已不存在，请社区重新派单"))


def _lock_need(need: Need) -> Need:
    return Need.objects.select_for_update(of=("self",)).select_related("provider").get(pk=need.pk)


@transaction.atomic
def need_cancel(*, actor, need: Need, reason: str, close: bool = False) -> Need:
    """Cancel (by the resident) or close (by the coordinator) a need that is not done."""
    reason = (reason or "").strip()
    if not reason:
        raise MatchingError(_("请填写原因"), field="reason")
    need = _lock_need(need)
    if need.status not in LIVE:
        raise MatchingError(_("该需求已结束，不能再取消"))
    held_by = need.provider if need.status in HOLDING else None
    need.close_reason = reason[:200]
    need.provider = None
    Proposal.objects.filter(need=need, status=Proposal.Status.PROPOSED).update(
        status=Proposal.Status.SUPERSEDED
    )
    _step(need, Need.Status.CLOSED if close else Need.Status.CANCELLED, actor=actor, note=reason)
    with recipients_language():
        if held_by is not None:
            # The order left their list: they must not go to the door for nothing.
            notify(
                recipient=offer_contact(held_by),
                kind="service_order_cancelled",
                title=_("服务单已取消：%(c)s") % {"c": need.category.name},
                body=_("原因：%(r)s") % {"r": need.close_reason},
            )
        if close:
            notify(
                recipient=getattr(need.resident, "account", None),
                kind="need_closed",
                title=_("您的需求已由社区关闭：%(c)s") % {"c": need.category.name},
                body=_("原因：%(r)s") % {"r": need.close_reason},
                link=_need_link(need),
            )
    return need


def offer_contact(offer: ServiceOffer):
    """The account told of the offer's orders: a partner unit's contact account (named
    on the unit, so a new contact takes over every offer of it), else the offer's own."""
    if offer.partner_id is not None and offer.partner.contact_user_id is not None:
        return offer.partner.contact_user
    return offer.contact_user


def _offer_holding(offer_id: int) -> int:
    return Need.objects.filter(provider_id=offer_id, status__in=HOLDING).count()


# What a coordinator is told when their own choice breaks a hard constraint, by the
# solver's reason for that constraint (`solver.HARD_CONSTRAINTS` defines them).
CONSTRAINT_PROBLEMS = {
    solver.NO_CATEGORY: lambda need: _("该服务方不提供“%(c)s”") % {"c": need.category.name},
    solver.NO_AREA: lambda need: _("该服务方不覆盖居民所在小区"),
    solver.NO_TIME: lambda need: _("该服务方在居民希望的日期和时段没空"),
    solver.NO_CONSENT: lambda need: _("居民未同意提供联系方式，只能由组织或机构服务"),
}


def _pair_arrays(need: Need, offer: ServiceOffer) -> tuple[solver.Needs, solver.Providers]:
    """`need` and `offer` as the solver's arrays of one each (as `runs.load_problem`
    reads them): category and compound index 0 when known, -1 when not."""
    offered = offer.categories.filter(pk=need.category_id).exists()
    served = need.compound_id is not None and offer.compounds.filter(pk=need.compound_id).exists()
    needs = solver.Needs(
        category=np.array([0]),
        compound=np.array([0 if need.compound_id is not None else -1]),
        building=np.array([-1]),
        days=np.array([need.days]),
        slots=np.array([need.slots]),
        urgency=np.array([need.urgency]),
        waited_days=np.array([0]),
        consent=np.array([shares_details(need)]),
        last_provider=np.array([-1]),
    )
    providers = solver.Providers(
        main_category=np.array([0 if offer.main_category_id == need.category_id else -1]),
        categories=np.array([[offered]]),
        serves_all=np.array([offer.serves_all]),
        compounds=np.array([[served]]),
        compound=np.array([-1]),
        building=np.array([-1]),
        days=np.array([offer.days]),
        slots=np.array([offer.slots]),
        capacity=np.array([1]),
        institutional=np.array([offer.is_institutional]),
    )
    return needs, providers


def hard_constraint_problem(need: Need, offer: ServiceOffer) -> str | None:
    """Why `offer` may not serve `need` (a hard constraint), or None.

    The constraints are the solver's own (`solver.HARD_CONSTRAINTS`), asked of this
    one pair, so a coordinator's choice and a run's proposals follow the same rules.
    Places left are checked by the caller, under the offer's lock.
    """
    if not offer.active:  # a run reads only the offers taking orders
        return _("该服务方已暂停接单")
    needs, providers = _pair_arrays(need, offer)
    one = np.zeros(1, np.int64)
    for constraint in solver.HARD_CONSTRAINTS:
        if not constraint.holds(needs, providers, one, one).all():
            return CONSTRAINT_PROBLEMS[constraint.reason](need)
    return None


def _give(*, actor, need: Need, offer: ServiceOffer, note: str) -> None:
    """Give `need` (locked, live) to `offer`, taking one of its places under its lock."""
    offer = ServiceOffer.objects.select_for_update().get(pk=offer.pk)
    problem = hard_constraint_problem(need, offer)
    if problem:
        raise MatchingError(problem, field="offer")
    if _offer_holding(offer.pk) >= offer.capacity_per_week:
        raise MatchingError(_("该服务方本周名额已满"), field="offer")
    need.provider = offer
    _step(need, Need.Status.MATCHED, actor=actor, note=note)
    audit(
        actor=actor,
        community_id=need.community_id,
        action="need.match",
        obj=need,
        new={"offer": offer.pk},
    )
    with recipients_language():
        notify(
            recipient=offer_contact(offer),
            kind="service_order",
            title=_("新的服务单：%(c)s") % {"c": need.category.name},
            body=_("社区为您派了一项服务，请查看并按时上门。"),
            link=_need_link(need),
        )
        notify(
            recipient=getattr(need.resident, "account", None),
            kind="need_matched",
            title=_("您的需求已有人服务：%(c)s") % {"c": need.category.name},
            body=_("服务方：%(o)s") % {"o": offer.name},
            link=_need_link(need),
        )


@transaction.atomic
def proposal_accept(*, actor, proposal: Proposal) -> Need:
    """Accept one proposal of a run: the need goes to the proposed provider."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.offer_id is None:
        raise MatchingError(_("该需求没有推荐的服务方"))
    if proposal.status != Proposal.Status.PROPOSED:
        raise MatchingError(_("该建议已处理或已被新一轮对接取代"))
    need = _lock_need(proposal.need)
    if need.status != Need.Status.PROPOSED:
        raise MatchingError(_("该需求已不在待确认状态"))
    _give(actor=actor, need=need, offer=proposal.offer, note=_("采纳对接建议"))
    proposal.status = Proposal.Status.ACCEPTED
    proposal.save(update_fields=["status"])
    return need


def proposals_accept(*, actor, run: MatchRun, proposal_ids=None) -> tuple[int, list[str]]:
    """Accept a run's proposals (all, or those named); (accepted, problems by need).

    A named proposal that is not pending (accepted meanwhile, or replaced by a newer
    run) is a problem that says so, not silently passed over.
    """
    if proposal_ids is None:
        pending = run.proposals.filter(status=Proposal.Status.PROPOSED, offer__isnull=False)
    else:
        pending = run.proposals.filter(pk__in=proposal_ids)
    accepted, problems = 0, []
    for proposal in pending.order_by("id"):
        try:
            proposal_accept(actor=actor, proposal=proposal)
            accepted += 1
        except MatchingError as exc:
            problems.append(f"#{proposal.need_id}: {exc}")
    return accepted, problems


@transaction.atomic
def need_assign(*, actor, need: Need, offer: ServiceOffer) -> Need:
    """The coordinator's own choice of provider (overrides a proposal, or without a run)."""
    need = _lock_need(need)
    provider_gone = need.status in HOLDING and need.provider_id is None
    if need.status not in (Need.Status.OPEN, Need.Status.PROPOSED) and not provider_gone:
        raise MatchingError(_("该需求已派单或已结束"))
    _give(actor=actor, need=need, offer=offer, note=_("社区指定服务方"))
    Proposal.objects.filter(need=need, status=Proposal.Status.PROPOSED).update(
        status=Proposal.Status.OVERRIDDEN
    )
    return need


@transaction.atomic
def need_start(*, actor, need: Need) -> Need:
    need = _lock_need(need)
    if need.status != Need.Status.MATCHED:
        raise MatchingError(_("只有已派单的需求可以开始服务"))
    _require_provider(need)
    _step(need, Need.Status.IN_SERVICE, actor=actor)
    return need


def _deliver(*, actor, need: Need, delivered_at) -> ServiceDelivery:
    """One delivery of `need` (locked, with its provider), with the provider's type, audited."""
    delivery = ServiceDelivery.objects.create(
        community_id=need.community_id,
        need=need,
        offer=need.provider,
        provider_type=need.provider.provider_type,
        category_id=need.category_id,
        resident_id=need.resident_id,
        delivered_at=delivered_at,
    )
    audit(
        actor=actor,
        community_id=need.community_id,
        action="need.delivery",
        obj=delivery,
        new={
            "need": need.pk,
            "offer": need.provider_id,
            "provider_type": delivery.provider_type,
            "delivered_at": delivered_at.isoformat(),
        },
    )
    return delivery


@transaction.atomic
def need_delivery_record(*, actor, need: Need, delivered_at=None) -> ServiceDelivery:
    """One delivery of a recurring need (this week's meals, today's escort), recorded by
    the provider or a coordinator while the need goes on; each is one person-time.

    A need served once is recorded when it is done (`need_done`), as is the last
    delivery of a recurring one. A matched need is in service from its first delivery.
    """
    need = _lock_need(need)
    if need.recurrence == Need.Recurrence.ONCE:
        raise MatchingError(_("这是一次性的需求，服务完成时点“服务完成”即可"))
    if need.status not in HOLDING:
        raise MatchingError(_("只有已派单或服务中的需求可以登记服务"))
    _require_provider(need)
    now = timezone.now()
    delivered_at = delivered_at or now
    if delivered_at > now:
        raise MatchingError(_("服务时间不能晚于现在"), field="delivered_at")
    if delivered_at < need.created_at:
        raise MatchingError(_("服务时间不能早于需求提出的时间"), field="delivered_at")
    delivery = _deliver(actor=actor, need=need, delivered_at=delivered_at)
    count = need.deliveries.count()
    note = _("第 %(n)s 次服务") % {"n": count}
    if need.status == Need.Status.MATCHED:
        _step(need, Need.Status.IN_SERVICE, actor=actor, note=note)
    else:
        NeedEvent.objects.create(
            community_id=need.community_id,
            need=need,
            status=need.status,
            by=actor if getattr(actor, "pk", None) else None,
            note=note,
        )
    return delivery


@transaction.atomic
def need_done(*, actor, need: Need) -> Need:
    """The provider finished: the (last) service is recorded with its provider's type."""
    need = _lock_need(need)
    if need.status not in HOLDING:
        raise MatchingError(_("只有已派单或服务中的需求可以完成"))
    _require_provider(need)
    _deliver(actor=actor, need=need, delivered_at=timezone.now())
    _step(need, Need.Status.DONE, actor=actor)
    with recipients_language():
        notify(
            recipient=getattr(need.resident, "account", None),
            kind="need_done",
            title=_("服务已完成：%(c)s") % {"c": need.category.name},
            body=_("请为这次服务打个分。"),
            link=_need_link(need),
        )
    return need


@transaction.atomic
def need_rate(*, actor, need: Need, rating: int, comment: str = "") -> Need:
    need = _lock_need(need)
    if need.status != Need.Status.DONE:
        raise MatchingError(_("服务完成后才能评价"))
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise MatchingError(_("评分应为 1 到 5 颗星"), field="rating")
    need.rating = rating
    need.rating_comment = (comment or "").strip()[:200]
    _step(need, Need.Status.RATED, actor=actor, note=f"{rating}★")
    return need
