"""Reads of the registry that need care: who may see which rows, search, query shape.

`residents_visible_to(user)` is the one door for residents: pages, the API and
exports start from it. Community scoping is already in force (tenancy); this
adds the object rules of each role.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from kuihua.accounts.models import Role
from kuihua.core import disclosure
from kuihua.core.audit import log_access
from kuihua.core.crypto import blind_index
from kuihua.core.identity import clean_name
from kuihua.registry.models import Compound, Consent, Household, Ownership, Resident, Tag

# Apps above the registry widen whom a person sees without the registry importing them:
# each registers a function user -> Q over residents (organizations: the members of the
# organizations the user leads or deputises for). Nothing registered, nothing widened.
RESIDENT_REACH: list[Callable[[object], Q]] = []


def extend_resident_reach(reach: Callable[[object], Q]) -> Callable[[object], Q]:
    """Register `reach(user) -> Q` (called from an app's `ready`); returns it unchanged."""
    if reach not in RESIDENT_REACH:
        RESIDENT_REACH.append(reach)
    return reach


def residents_visible_to(user) -> QuerySet[Resident]:
    """Coordinators see the registry; leaders their members and household; others the household."""
    qs = Resident.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.COORDINATOR:
        return qs
    own_household = Q(pk=user.resident_id) if user.resident_id else Q(pk__in=[])
    resident = user.resident
    if resident is not None and resident.household_id:
        own_household |= Q(household_id=resident.household_id)
    if user.role == Role.DISTRICT_VIEWER:
        return qs.none()
    if user.resident_id and RESIDENT_REACH:
        for reach in RESIDENT_REACH:
            own_household |= reach(user)
        return qs.filter(own_household).distinct()
    return qs.filter(own_household)


def households_visible_to(user) -> QuerySet[Household]:
    qs = Household.objects.select_related("building__compound")
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.COORDINATOR:
        return qs
    resident = user.resident
    if resident is not None and resident.household_id:
        return qs.filter(pk=resident.household_id)
    return qs.none()


def access_resident(user, resident_id: int) -> Resident:
    """The resident if `user` may see them, else 404 (never 403: existence is not disclosed)."""
    return get_object_or_404(
        residents_visible_to(user).select_related("household__building__compound"),
        pk=resident_id,
    )


def access_household(user, household_id: int) -> Household:
    return get_object_or_404(households_visible_to(user), pk=household_id)


def access_compound(user, compound_id: int) -> Compound:
    """A compound of the user's community (every signed-in user sees the compounds' list;
    what may be read about one is the caller's permission to ask)."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(Compound.objects.all(), pk=compound_id)


def access_ownership(user, household: Household, ownership_id: int) -> Ownership:
    """One owner of `household` (already fetched through `access_household`): 404 for an
    ownership of another home, or of a home the user cannot see."""
    visible = households_visible_to(user).filter(pk=household.pk)
    return get_object_or_404(
        Ownership.objects.filter(household__in=visible).select_related("household", "resident"),
        pk=ownership_id,
    )


def resident_search(
    qs: QuerySet[Resident], query: str, *, whole: bool = False
) -> QuerySet[Resident]:
    """Find by name, full pinyin or initials (张三: zs, zhangsan), last four phone digits, or,
    with `whole`, a whole ID number or phone.

    Pinyin and initials match from the start; a four-digit query also matches
    the last four digits of a phone number. A whole ID number or phone matches
    only with `whole` (roles that may see whole records: `resident_list` decides,
    counts and logs it). All exact matches go through the keyed index.
    """
    query = clean_name(query)
    if not query:
        return qs
    lowered = query.lower()
    condition = Q(name__contains=query)
    if re.fullmatch(r"[a-z]+", lowered):
        condition |= Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered)
    if re.fullmatch(r"\d{4}", query):
        condition |= Q(phone_last4_index=blind_index(query, purpose="phone4"))
    kind = disclosure.whole_value_kind(query)
    if kind == disclosure.ID_NUMBER:
        # Never by name: a name holds no digits, and `name__contains` would be a second door.
        condition = Q(id_number_index=blind_index(query.upper(), purpose="id")) if whole else Q()
    elif kind == disclosure.PHONE:
        condition = Q()
        if whole:
            phone = disclosure.whole_phone(query)
            condition = Q(phone_index=blind_index(phone, purpose="phone"))
    if not condition:
        return qs.none()
    return qs.filter(condition)


# A whole-value search logs at most this many of the people it finds (one ID number is
# one person; one phone may be a household's).
WHOLE_SEARCH_LOGGED = 50


def _whole_value_search(user, qs: QuerySet[Resident], query: str) -> QuerySet[Resident]:
    """A search by a whole ID number or phone: counted against the user's rate (raises
    WholeValueSearchThrottled past it) and each person found access-logged as a search."""
    kind = disclosure.whole_value_kind(query)
    disclosure.count_whole_value_search(user)
    found = resident_search(qs, query, whole=True)
    for resident in found.only("id", "community_id", "name")[:WHOLE_SEARCH_LOGGED]:
        log_access(
            user=user,
            subject=resident,
            fields=[kind],
            purpose=f"search:{kind}",
        )
    return found


def resident_list(
    user,
    *,
    query: str = "",
    tag: str = "",
    compound_id: int | None = None,
    building_id: int | None = None,
    party_member: bool | None = None,
) -> QuerySet[Resident]:
    """The registry list: one query for the rows, one for their tags, whatever the page size.

    A query that only a whole ID number or phone could match finds people by that value
    only for roles that may see whole records, counted and access-logged
    (`kuihua.core.disclosure`); for others it matches nobody (`search_refusal` says why).
    """
    qs = residents_visible_to(user)
    if disclosure.whole_value_kind(clean_name(query)) and disclosure.may_see_whole(user):
        qs = _whole_value_search(user, qs, query)
    else:
        qs = resident_search(qs, query)
    if tag:
        # Filtering by a health tag would disclose it: only for those who see it.
        tag_filter = {"tags__code": tag}
        if not user.has_perm("registry.view_resident_sensitive"):
            tag_filter["tags__is_sensitive"] = False
        qs = qs.filter(**tag_filter)
    for given in (compound_id, building_id):
        # An id no row can have (SQLite overflows past 64 bits) matches nothing.
        if given is not None and not 0 < given < 2**63:
            return qs.none()
    if compound_id:
        qs = qs.filter(household__building__compound_id=compound_id)
    if building_id:
        qs = qs.filter(household__building_id=building_id)
    if party_member is not None:
        party = [Resident.Political.PARTY_MEMBER, Resident.Political.PROBATIONARY]
        qs = (
            qs.filter(political_status__in=party)
            if party_member
            else qs.exclude(political_status__in=party)
        )
    return (
        qs.select_related("household__building__compound")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.all()))
        .order_by("name_pinyin", "id")
    )


def household_members(household: Household) -> QuerySet[Resident]:
    return (
        Resident.objects.filter(household=household)
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.all()))
        .order_by("relation_to_head", "birth_date", "id")
    )


def consent_in_force(purpose: str, resident=None):
    """The person's newest consent row for `purpose` decides (rows never change).

    With a resident (or id): True/False as last recorded, None if never asked. With
    none: a subquery for annotating rows that carry a `resident_id` (None where
    never asked).
    """
    newest = Consent.objects.filter(purpose=purpose).order_by("-recorded_at", "-id")
    if resident is None:
        return Subquery(newest.filter(resident_id=OuterRef("resident_id")).values("granted")[:1])
    resident_id = getattr(resident, "pk", resident)
    return newest.filter(resident_id=resident_id).values_list("granted", flat=True).first()


# --- owners and floor area ---------------------------------------------------------------


@dataclass
class OwnerVote:
    """One head in an owners' vote: the owners who count as one person, their homes and
    the exclusive area those homes add up to (None while a home's area is unknown)."""

    names: list[str]
    ownerships: list[int]
    homes: list[Household] = field(default_factory=list)
    area: Decimal | None = Decimal("0")


@dataclass
class Electorate:
    """A compound's owners as they count under the Civil Code (arts. 278, 1259), by head
    and by exclusive area, plus what keeps the count from being complete."""

    voters: list[OwnerVote]
    total_area: Decimal
    homes_without_owner: list[Household]
    homes_without_area: list[Household]

    @property
    def heads(self) -> int:
        return len(self.voters)


def compound_electorate(compound: Compound) -> Electorate:
    """Who votes in `compound`, and with what area.

    One home counts as one person, so its co-owners vote together; an owner of
    several homes also counts once, with the areas added (最高人民法院 建筑物区分所有权
    解释 art. 9). Both rules at once: owners linked through a shared home are one head,
    and every home is in exactly one head. Two queries, whatever the compound's size.
    """
    homes = {
        h.pk: h
        for h in Household.objects.filter(building__compound=compound).select_related(
            "building__compound"
        )
    }
    ownerships = list(
        Ownership.objects.filter(household_id__in=homes).order_by("household_id", "id")
    )
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for o in ownerships:  # every owner joins their home's group
        parent[find(o.person_key)] = find(f"home:{o.household_id}")
    groups: dict[str, OwnerVote] = {}
    seen_names: dict[str, set[str]] = {}
    for o in ownerships:
        root = find(f"home:{o.household_id}")
        vote = groups.setdefault(root, OwnerVote(names=[], ownerships=[]))
        vote.ownerships.append(o.pk)
        if o.person_key not in seen_names.setdefault(root, set()):
            seen_names[root].add(o.person_key)
            vote.names.append(o.name)
        home = homes[o.household_id]
        if home not in vote.homes:
            vote.homes.append(home)
    for vote in groups.values():
        areas = [h.exclusive_area for h in vote.homes]
        vote.area = None if any(a is None for a in areas) else sum(areas, Decimal("0"))
    owned = {o.household_id for o in ownerships}
    unmeasured = [h for pk, h in homes.items() if pk in owned and h.exclusive_area is None]
    return Electorate(
        voters=list(groups.values()),
        total_area=sum((v.area for v in groups.values() if v.area is not None), Decimal("0")),
        homes_without_owner=[h for pk, h in homes.items() if pk not in owned],
        homes_without_area=unmeasured,
    )


def household_owners(household: Household) -> list[Ownership]:
    return list(household.ownerships.select_related("resident").order_by("id"))
