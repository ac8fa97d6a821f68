"""Reads of service records: who sees which, totals, star levels, the public check.

Totals count verified records only and are single aggregate queries, whatever
the number of records or organizations.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.core.tenancy import community_of, use_community
from kuihua.organizations.models import Membership, Organization
from kuihua.organizations.selectors import organizations_led_by
from kuihua.service_records.models import (
    Certificate,
    CorrectionRequest,
    PointsEntry,
    RecordRevision,
    ServiceRecord,
    VolunteerProfile,
)

DEFAULT_STAR_THRESHOLDS = [100, 300, 600, 1000, 1500]
ZERO = Value(Decimal("0.00"))
HUNDREDTH = Decimal("0.01")
VERIFIED = ServiceRecord.Status.VERIFIED
CODE_PATTERN = re.compile(r"[0-9a-f]{32}")


# --- stars and periods -------------------------------------------------------------


def hours_value(value) -> Decimal:
    """Hours as shown: two decimals (SQLite's sums come back as 5.5, not 5.50)."""
    return Decimal(value or 0).quantize(HUNDREDTH)


def _hours_in(row: dict, *keys: str) -> dict:
    for key in keys:
        row[key] = hours_value(row[key])
    return row


def star_thresholds() -> list[Decimal]:
    values = getattr(settings, "KUIHUA_STAR_THRESHOLDS", None) or DEFAULT_STAR_THRESHOLDS
    return [Decimal(str(v)) for v in values]


def star_level(lifetime_hours) -> int:
    """0 to 5 stars: one per threshold of lifetime verified hours reached (default 100/300/…)."""
    hours = Decimal(str(lifetime_hours or 0))
    return sum(1 for threshold in star_thresholds() if hours >= threshold)


def next_star_hours(lifetime_hours) -> Decimal | None:
    """Hours still to serve for the next star; None at the top."""
    hours = Decimal(str(lifetime_hours or 0))
    for threshold in star_thresholds():
        if hours < threshold:
            return threshold - hours
    return None


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _in_year(year: int, prefix: str = "") -> Q:
    start, end = year_bounds(year)
    return Q(**{f"{prefix}date__gte": start, f"{prefix}date__lte": end})


# --- visibility ----------------------------------------------------------------------


def records_visible_to(user) -> QuerySet[ServiceRecord]:
    """Coordinators see all the community's records; leaders their organizations'; all their own."""
    qs = ServiceRecord.objects.all()
    if not user.is_authenticated or user.role == Role.DISTRICT_VIEWER:
        return qs.none()
    if user.role == Role.COORDINATOR:
        return qs
    condition = Q(volunteer_id=user.resident_id) if user.resident_id else Q(pk__in=[])
    if user.resident_id:
        condition |= Q(organization__in=organizations_led_by(user))
    return qs.filter(condition)


def access_record(user, record_id: int) -> ServiceRecord:
    return get_object_or_404(
        records_visible_to(user).select_related(
            "organization", "volunteer", "activity", "project", "recorder", "verified_by"
        ),
        pk=record_id,
    )


def access_correction(user, correction_id: int) -> CorrectionRequest:
    return get_object_or_404(
        CorrectionRequest.objects.filter(record__in=records_visible_to(user)).select_related(
            "record__organization", "record__volunteer"
        ),
        pk=correction_id,
    )


def certificates_visible_to(user) -> QuerySet[Certificate]:
    qs = Certificate.objects.all()
    if not user.is_authenticated or user.role == Role.DISTRICT_VIEWER:
        return qs.none()
    if user.role == Role.COORDINATOR:
        return qs
    condition = Q(resident_id=user.resident_id) if user.resident_id else Q(pk__in=[])
    if user.resident_id:
        condition |= Q(organization__in=organizations_led_by(user))
    return qs.filter(condition)


def access_certificate(user, certificate_id: int) -> Certificate:
    return get_object_or_404(
        certificates_visible_to(user).select_related("organization", "resident"),
        pk=certificate_id,
    )


def record_detail(record: ServiceRecord) -> ServiceRecord:
    """The record with its revision trail and corrections loaded (two queries)."""
    record.revision_list = list(
        RecordRevision.objects.filter(record=record).select_related("changed_by")
    )
    for revision in record.revision_list:
        revision.changes = [
            {"field": key, "old": value, "new": revision.new.get(key, "")}
            for key, value in revision.old.items()
        ]
    record.correction_list = list(
        CorrectionRequest.objects.filter(record=record).select_related("requested_by", "decided_by")
    )
    return record


# --- a volunteer's totals ---------------------------------------------------------------


def volunteer_totals(resident, *, year: int | None = None) -> dict:
    """Verified hours this year and in all, number of records, stars: one query."""
    year = year or timezone.localdate().year
    row = ServiceRecord.objects.filter(volunteer=resident, status=VERIFIED).aggregate(
        year_hours=Coalesce(Sum("hours", filter=_in_year(year)), ZERO),
        lifetime_hours=Coalesce(Sum("hours"), ZERO),
        year_records=Count("id", filter=_in_year(year)),
        lifetime_records=Count("id"),
    )
    _hours_in(row, "year_hours", "lifetime_hours")
    row["year"] = year
    row["stars"] = star_level(row["lifetime_hours"])
    row["next_star_hours"] = next_star_hours(row["lifetime_hours"])
    return row


def points_balance(resident) -> Decimal:
    total = PointsEntry.objects.filter(resident=resident).aggregate(
        s=Coalesce(Sum("points"), ZERO)
    )["s"]
    return hours_value(total)


def points_history(resident) -> QuerySet[PointsEntry]:
    return PointsEntry.objects.filter(resident=resident).order_by("-created_at", "-id")


def volunteer_records(resident, *, year: int | None = None) -> QuerySet[ServiceRecord]:
    """A volunteer's records (every status), newest first, with what the list shows."""
    qs = ServiceRecord.objects.filter(volunteer=resident)
    if year:
        qs = qs.filter(_in_year(year))
    return (
        qs.select_related("organization")
        .annotate(
            pending_corrections=Count(
                "corrections", filter=Q(corrections__status=CorrectionRequest.Status.PENDING)
            )
        )
        .order_by("-date", "-id")
    )


def volunteer_profile(resident) -> VolunteerProfile | None:
    return VolunteerProfile.objects.filter(resident=resident).first()


# --- organizations ------------------------------------------------------------------------


def organization_totals(*, year: int | None = None) -> list[Organization]:
    """Every organization with its verified hours this year and in all: one query."""
    year = year or timezone.localdate().year
    verified = Q(service_records__status=VERIFIED)
    in_year = verified & _in_year(year, "service_records__")
    rows = list(
        Organization.objects.annotate(
            year_hours=Coalesce(Sum("service_records__hours", filter=in_year), ZERO),
            lifetime_hours=Coalesce(Sum("service_records__hours", filter=verified), ZERO),
            year_volunteers=Count("service_records__volunteer", filter=in_year, distinct=True),
            year_records=Count("service_records", filter=in_year),
        ).order_by("-year_hours", "name")
    )
    for row in rows:
        row.year_hours = hours_value(row.year_hours)
        row.lifetime_hours = hours_value(row.lifetime_hours)
    return rows


def volunteer_totals_list(
    *, organization: Organization | None = None, year: int | None = None, limit: int = 50
) -> list[dict]:
    """Volunteers by verified hours (this year, in all), for one organization or all: one query."""
    year = year or timezone.localdate().year
    # Records of an erased volunteer count in the totals but rank nobody.
    qs = ServiceRecord.objects.filter(status=VERIFIED, volunteer__isnull=False)
    if organization is not None:
        qs = qs.filter(organization=organization)
    rows = (
        qs.values("volunteer_id", "volunteer__name")
        .annotate(
            year_hours=Coalesce(Sum("hours", filter=_in_year(year)), ZERO),
            lifetime_hours=Sum("hours"),
        )
        .order_by("-year_hours", "-lifetime_hours", "volunteer_id")[:limit]
    )
    return [_hours_in(row, "year_hours", "lifetime_hours") for row in rows]


def community_totals(*, year: int | None = None) -> dict:
    year = year or timezone.localdate().year
    row = ServiceRecord.objects.filter(status=VERIFIED).aggregate(
        year_hours=Coalesce(Sum("hours", filter=_in_year(year)), ZERO),
        lifetime_hours=Coalesce(Sum("hours"), ZERO),
        year_volunteers=Count("volunteer", filter=_in_year(year), distinct=True),
    )
    return _hours_in(row, "year_hours", "lifetime_hours")


# --- the organizer's work ----------------------------------------------------------------


def organizations_managed_by(user) -> QuerySet[Organization]:
    """Where `user` records and verifies: every organization for a coordinator."""
    if not user.is_authenticated:
        return Organization.objects.none()
    if user.role == Role.COORDINATOR:
        return Organization.objects.order_by("name")
    return organizations_led_by(user).order_by("name")


def _not_own(user, prefix: str = "") -> Q:
    """Nobody but a coordinator proves their own hours: leave those out of a leader's queue."""
    if user.role == Role.COORDINATOR or not user.resident_id:
        return Q()
    return ~Q(**{f"{prefix}volunteer_id": user.resident_id})


def verification_queue(user) -> QuerySet[ServiceRecord]:
    """Pending records of the organizations the user manages, oldest first."""
    return (
        ServiceRecord.objects.filter(
            _not_own(user),
            status=ServiceRecord.Status.PENDING,
            organization__in=organizations_managed_by(user),
        )
        .select_related("organization", "volunteer")
        .order_by("date", "id")
    )


def corrections_queue(user) -> QuerySet[CorrectionRequest]:
    return (
        CorrectionRequest.objects.filter(
            _not_own(user, "record__"),
            status=CorrectionRequest.Status.PENDING,
            record__organization__in=organizations_managed_by(user),
        )
        .select_related("record__organization", "record__volunteer", "requested_by")
        .order_by("created_at", "id")
    )


def members_of_managed(user) -> QuerySet[Membership]:
    """Whom a user may record hours or issue certificates for: their organizations' members."""
    return (
        Membership.objects.filter(organization__in=organizations_managed_by(user))
        .select_related("resident", "organization")
        .order_by("organization__name", "resident__name_pinyin", "id")
    )


# The certificate form lists at most this many volunteers; a search narrows the rest.
CANDIDATES_SHOWN = 50


def member_candidates(user, *, query: str = "", chosen: str | None = None) -> list[Membership]:
    """The volunteers the certificate form offers: those of `user`'s organizations whose
    name, pinyin or initials match `query` (all of them while there are few), plus the
    one already chosen. One row per person, at most CANDIDATES_SHOWN.
    """
    from kuihua.registry.models import Resident
    from kuihua.registry.selectors import resident_search

    members = members_of_managed(user)
    if query:
        found = resident_search(
            Resident.objects.filter(pk__in=members.values("resident_id")), query
        )
        shown = members.filter(resident__in=found.values("pk"))
    elif members.values("resident_id").distinct().count() <= CANDIDATES_SHOWN:
        shown = members
    else:
        shown = members.none()
    rows: dict[int, Membership] = {}
    if chosen and chosen.isdigit():
        for m in members.filter(resident_id=int(chosen))[:1]:
            rows[m.resident_id] = m
    for m in shown[: CANDIDATES_SHOWN * 3]:
        if len(rows) >= CANDIDATES_SHOWN:
            break
        rows.setdefault(m.resident_id, m)
    return list(rows.values())


def certificates_of(resident) -> QuerySet[Certificate]:
    return Certificate.objects.filter(resident=resident).select_related("organization")


def certificates_issued_by_managed(user) -> QuerySet[Certificate]:
    return (
        Certificate.objects.filter(organization__in=organizations_managed_by(user))
        .select_related("organization", "resident")
        .order_by("-issued_at", "-id")
    )


# --- the public check ------------------------------------------------------------------------


def certificate_for_verification(code: str) -> Certificate:
    """The certificate with this verification code, in whichever community issued it; else 404.

    The one read that starts without a community: the code (a keyed hash,
    unguessable) finds the community, and the certificate is then read inside
    it like any other row. Only public fields leave this function's callers.
    """
    code = (code or "").strip().lower()
    if not CODE_PATTERN.fullmatch(code):
        raise Http404
    community_id = community_of(Certificate, code=code)
    if community_id is None:
        raise Http404
    with use_community(community_id):
        return get_object_or_404(Certificate.objects.select_related("organization"), code=code)
