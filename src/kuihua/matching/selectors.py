"""Reads of needs, offers and runs: who sees what, personal details, reports.

`access_*` answer 404 for what is out of the user's view. A provider sees the
needs given to it; the resident's name, address and phone reach it only when
the resident consented to share them. Whole details reach anyone but the resident
only through `kuihua.core.disclosure.reveal`: every such view is access-logged.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.core import disclosure
from kuihua.core.masking import mask_name, mask_phone
from kuihua.matching.models import (
    MatchRun,
    Need,
    Proposal,
    ProviderType,
    ServiceCategory,
    ServiceDelivery,
    ServiceOffer,
)
from kuihua.registry.models import Consent
from kuihua.registry.selectors import consent_in_force

ORDER_STATUSES = (Need.Status.MATCHED, Need.Status.IN_SERVICE, Need.Status.DONE, Need.Status.RATED)


def _provider_q(user, prefix: str = "provider__") -> Q:
    from kuihua.organizations.selectors import organizations_led_by

    q = Q(**{f"{prefix}contact_user": user}) | Q(**{f"{prefix}partner__contact_user": user})
    if user.resident_id:
        q |= Q(**{f"{prefix}organization__in": organizations_led_by(user)})
    return q


def needs_visible_to(user) -> QuerySet[Need]:
    """Coordinators: all. Others: their own, those they raised, those given to them."""
    if not user.is_authenticated or user.role == Role.DISTRICT_VIEWER:
        return Need.objects.none()
    qs = Need.objects.all()
    if user.role == Role.COORDINATOR:
        return qs
    mine = Q(raised_by=user) | Q(_provider_q(user), status__in=ORDER_STATUSES)
    if user.resident_id:
        mine |= Q(resident_id=user.resident_id)
    return qs.filter(mine).distinct()


def access_need(user, need_id: int) -> Need:
    return get_object_or_404(
        needs_visible_to(user).select_related(
            "category", "resident", "provider", "compound", "building", "project"
        ),
        pk=need_id,
    )


def need_list(
    user, *, status: str = "", category_id: int | None = None, own: bool = False
) -> QuerySet[Need]:
    """Needs `user` sees; `own`: only those they are the resident of or raised (not orders)."""
    qs = needs_visible_to(user).select_related("category", "resident", "provider", "compound")
    if own:
        mine = Q(raised_by=user)
        if user.resident_id:
            mine |= Q(resident_id=user.resident_id)
        qs = qs.filter(mine)
    if status:
        qs = qs.filter(status=status)
    if category_id:
        qs = qs.filter(category_id=category_id)
    return qs.order_by("-id")


def orders_of(user) -> QuerySet[Need]:
    """The needs given to `user` as a provider, the active ones first."""
    if not user.is_authenticated:
        return Need.objects.none()
    return (
        Need.objects.filter(_provider_q(user), status__in=ORDER_STATUSES)
        .select_related("category", "provider", "compound")
        .distinct()
        .order_by("status", "-id")
    )


def serves_as_provider(user) -> bool:
    """Whether `user` has orders to serve, or is a partner unit's contact account (who
    finds the orders page before the first order arrives)."""
    if not user.is_authenticated:
        return False
    from kuihua.organizations.models import PartnerUnit

    return orders_of(user).exists() or PartnerUnit.objects.filter(contact_user=user).exists()


def need_personal_details(user, need: Need) -> dict | None:
    """Name, address and phone of the need's resident, whole, as `user` may see them.

    The resident sees their own. Roles that may see whole records (coordinators) and a
    provider given the need with the resident's consent to share see them through
    `disclosure.reveal`, which writes the access log. Whoever else raised the need (an
    organization leader, a volunteer on a visit) gets None: the masked details.
    """
    if not user.is_authenticated:
        return None
    resident = need.resident
    own = user.resident_id is not None and need.resident_id == user.resident_id
    from kuihua.matching.rules import _provides

    if not (
        own or disclosure.may_see_whole(user) or (_provides(user, need) and shares_details(need))
    ):
        return None
    household = resident.household
    address = str(household) if household is not None else ""
    return disclosure.reveal(
        user=user,
        subject=resident,
        values={"name": resident.name, "address": address, "phone": resident.phone or ""},
        purpose="need",
    )


def shares_details(need: Need) -> bool:
    """Whether the person's details may reach an individual provider: consent given
    with the need and not withdrawn since (the registry's newest consent holds)."""
    if not need.consent_to_share:
        return False
    return consent_in_force(Consent.Purpose.SHARE_WITH_PROVIDER, need.resident_id) is not False


def need_masked_details(need: Need) -> dict:
    resident = need.resident
    return {
        "name": mask_name(resident.name),
        "address": need.compound.name if need.compound_id else "",
        "phone": mask_phone(resident.phone or ""),
    }


def offers_visible_to(user) -> QuerySet[ServiceOffer]:
    """The services list is the community's: every signed-in member sees it."""
    if not user.is_authenticated or user.role == Role.DISTRICT_VIEWER:
        return ServiceOffer.objects.none()
    return ServiceOffer.objects.all()


def access_offer(user, offer_id: int) -> ServiceOffer:
    return get_object_or_404(offers_visible_to(user), pk=offer_id)


def offer_list(user) -> QuerySet[ServiceOffer]:
    return (
        offers_visible_to(user)
        .select_related("main_category", "organization", "volunteer", "partner", "project")
        .prefetch_related("categories", "compounds")
        .annotate(
            holding=Count(
                "orders", filter=Q(orders__status__in=(Need.Status.MATCHED, Need.Status.IN_SERVICE))
            )
        )
        .order_by("-active", "provider_type", "name")
    )


def categories() -> QuerySet[ServiceCategory]:
    return ServiceCategory.objects.order_by("id")


def runs_visible_to(user) -> QuerySet[MatchRun]:
    if not user.is_authenticated or user.role != Role.COORDINATOR:
        return MatchRun.objects.none()
    return MatchRun.objects.all()


def access_run(user, run_id: int) -> MatchRun:
    return get_object_or_404(runs_visible_to(user), pk=run_id)


def access_proposal(user, proposal_id: int) -> Proposal:
    return get_object_or_404(
        Proposal.objects.filter(run__in=runs_visible_to(user)).select_related("need", "offer"),
        pk=proposal_id,
    )


def run_proposals(run: MatchRun, *, unmatched: bool | None = None) -> QuerySet[Proposal]:
    qs = run.proposals.select_related(
        "need__category", "need__resident", "need__compound", "offer"
    ).order_by("id")
    if unmatched is True:
        qs = qs.filter(offer__isnull=True)
    elif unmatched is False:
        qs = qs.filter(offer__isnull=False)
    return qs


def latest_proposal(need: Need) -> Proposal | None:
    return need.proposals.select_related("offer", "run").order_by("-run_id").first()


# --- reports -----------------------------------------------------------------------------


def gap_report(*, months: int = 6, today: dt.date | None = None) -> list[dict]:
    """Categories and compounds where needs outrun what was delivered, largest gap first.

    Over the last `months`: needs raised, services delivered, needs still
    waiting (open or proposed), and the weekly capacity offered there.
    """
    today = today or timezone.localdate()
    since = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=30 * months), dt.time())
    )
    raised = {
        (r["category_id"], r["compound_id"]): r["n"]
        for r in Need.objects.filter(created_at__gte=since)
        .values("category_id", "compound_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    waiting = {
        (r["category_id"], r["compound_id"]): r["n"]
        for r in Need.objects.filter(status__in=(Need.Status.OPEN, Need.Status.PROPOSED))
        .values("category_id", "compound_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    delivered = {
        (r["category_id"], r["need__compound_id"]): r["n"]
        for r in ServiceDelivery.objects.filter(delivered_at__gte=since)
        .values("category_id", "need__compound_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    names = dict(ServiceCategory.objects.values_list("id", "name"))
    from kuihua.registry.models import Compound

    compounds = dict(Compound.objects.values_list("id", "name"))
    capacity_all = dict(
        ServiceOffer.objects.filter(active=True, serves_all=True)
        .values_list("categories")
        .annotate(c=Sum("capacity_per_week"))
        .order_by()
    )
    capacity_local = {
        (c, k): n
        for c, k, n in ServiceOffer.objects.filter(active=True, serves_all=False)
        .values_list("categories", "compounds")
        .annotate(n=Sum("capacity_per_week"))
        .order_by()
    }
    rows = []
    for key in set(raised) | set(waiting):
        category_id, compound_id = key
        capacity = capacity_all.get(category_id, 0) + capacity_local.get(key, 0)
        row = {
            "category_id": category_id,
            "category": names.get(category_id, ""),
            "compound_id": compound_id,
            "compound": compounds.get(compound_id, ""),
            "raised": raised.get(key, 0),
            "delivered": delivered.get(key, 0),
            "waiting": waiting.get(key, 0),
            "capacity_per_week": capacity,
        }
        row["gap"] = row["waiting"] - row["capacity_per_week"]
        rows.append(row)
    rows.sort(key=lambda r: (-r["gap"], -r["waiting"], r["category"]))
    return rows


def delivery_stats(*, months: int = 12, today: dt.date | None = None) -> dict:
    """Completed services per month, category and provider type, and the share by organizations.

    Person-times served is the number of services delivered (each delivery of a
    recurring need: docs/person-time.md); people served the number of distinct
    residents.
    """
    today = today or timezone.localdate()
    since = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=31 * months), dt.time())
    )
    qs = ServiceDelivery.objects.filter(delivered_at__gte=since)
    total = qs.count()
    by_type = dict(qs.values_list("provider_type").annotate(n=Count("id")).order_by())
    organizations = by_type.get(ProviderType.ORGANIZATION, 0)
    by_month = [
        {
            "month": r["month"].date() if hasattr(r["month"], "date") else r["month"],
            "provider_type": r["provider_type"],
            "n": r["n"],
        }
        for r in qs.annotate(month=TruncMonth("delivered_at"))
        .values("month", "provider_type")
        .annotate(n=Count("id"))
        .order_by("month", "provider_type")
    ]
    by_category = list(
        qs.values("category__name", "provider_type")
        .annotate(n=Count("id"))
        .order_by("category__name", "provider_type")
    )
    return {
        "person_times": total,
        "people": qs.values("resident_id").distinct().count(),
        "by_organizations": organizations,
        "share_by_organizations": round(organizations / total, 4) if total else None,
        "by_provider_type": {t: by_type.get(t, 0) for t in ProviderType.values},
        "by_month": by_month,
        "by_category": by_category,
    }


# --- the workbench (dashboard.workbench): what waits for a user today --------------------

# A resident's own needs still under way (or done and waiting for their rating).
UNDER_WAY = (
    Need.Status.OPEN,
    Need.Status.PROPOSED,
    Need.Status.MATCHED,
    Need.Status.IN_SERVICE,
    Need.Status.DONE,
)


def needs_to_match(user) -> QuerySet[Need]:
    """Needs nobody has been found for yet (待对接), for whoever runs the matching: the
    most urgent first, then the longest waiting."""
    if not user.has_perm("matching.manage"):
        return Need.objects.none()
    return (
        Need.objects.filter(status=Need.Status.OPEN)
        .select_related("category", "resident")
        .order_by("-urgency", "created_at", "id")
    )


def proposals_to_decide(user) -> QuerySet[Proposal]:
    """A run's proposals with a provider, waiting for a coordinator to accept or change
    them (待确认), the most urgent need first."""
    if not user.has_perm("matching.run"):
        return Proposal.objects.none()
    return (
        Proposal.objects.filter(
            status=Proposal.Status.PROPOSED, offer__isnull=False, run__in=runs_visible_to(user)
        )
        .select_related("need__category", "need__resident", "offer")
        .order_by("-need__urgency", "need__created_at", "id")
    )


def orders_to_start(user) -> QuerySet[Need]:
    """Needs given to `user` as a provider (their own offer, or their organization's)
    and not started yet, the most urgent first."""
    if not user.is_authenticated or user.role == Role.DISTRICT_VIEWER:
        return Need.objects.none()
    return (
        Need.objects.filter(_provider_q(user), status=Need.Status.MATCHED)
        .select_related("category", "provider")
        .order_by("-urgency", "updated_at", "id")
    )


def own_needs_under_way(user) -> QuerySet[Need]:
    """The needs a resident raised for themselves and that are not finished with (a done
    one waits for their rating), the latest first."""
    if not user.is_authenticated or not user.resident_id:
        return Need.objects.none()
    return (
        Need.objects.filter(resident_id=user.resident_id, status__in=UNDER_WAY)
        .select_related("category")
        .order_by("-id")
    )
