"""What a project delivered (项目产出), counted from the work attributed to it.

Nothing here is typed in. Activities, series and drives, needs and service
offers, care enrolments and volunteer service records name the project they
belong to; the outputs are counted from those rows. One person-time (人次) is
one resident reached once: a checked-in attendance at one of the project's
activities, one delivery of one of its services (each delivery of a recurring
need), or one visit or call to one of its enrolled care recipients. The
definitions, in Chinese and English, are docs/person-time.md; change the two
together.

Every count reads the rows of the community in force (the scoped managers), and
a period is local days, both ends included.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

__all__ = [
    "ProjectOutputs",
    "care_accident_rate",
    "outputs_for_projects",
    "project_outputs",
]


@dataclass(frozen=True)
class ProjectOutputs:
    """The outputs of one project over a period (or its whole life)."""

    person_times: int  # attendances + services_delivered + care_contacts
    attendances: int  # checked-in attendances at the project's activities
    services_delivered: int  # deliveries of the project's needs (each of a recurring need)
    care_contacts: int  # visits and calls to the project's enrolled care recipients
    volunteer_hours: Decimal  # verified service-record hours attributed to the project
    volunteers: int  # distinct volunteers with such hours
    people_served: int  # distinct residents behind the person-times

    @classmethod
    def empty(cls) -> ProjectOutputs:
        return cls(
            person_times=0,
            attendances=0,
            services_delivered=0,
            care_contacts=0,
            volunteer_hours=Decimal("0.00"),
            volunteers=0,
            people_served=0,
        )


def _bounds(start: dt.date | None, end: dt.date | None):
    """Local days [start, end] as aware datetimes [from, until)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone) if start else None
    until = (
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone) if end else None
    )
    return since, until


def _in_period(field: str, since, until) -> Q:
    q = Q()
    if since is not None:
        q &= Q(**{f"{field}__gte": since})
    if until is not None:
        q &= Q(**{f"{field}__lt": until})
    return q


def _attendances(ids, since, until):
    """Checked-in attendances (not no-shows, sign-up kept) at the projects' live activities."""
    from kuihua.activities.models import Activity, Attendance, Signup

    return Attendance.objects.filter(
        _in_period("checked_in_at", since, until),
        signup__activity__project_id__in=ids,
        checked_in_at__isnull=False,
        no_show=False,
        signup__status=Signup.Status.CONFIRMED,
    ).exclude(signup__activity__status=Activity.Status.CANCELLED)


def _deliveries(ids, since, until):
    """Deliveries of the projects' services: the need's project, else the offer's."""
    from kuihua.matching.models import ServiceDelivery

    return (
        ServiceDelivery.objects.annotate(
            attributed_to=Coalesce(F("need__project_id"), F("offer__project_id"))
        )
        .filter(_in_period("delivered_at", since, until))
        .filter(attributed_to__in=ids)
    )


def _contacts(ids, since, until):
    """Visits and calls to the projects' enrolled care recipients (self check-ins are not)."""
    from kuihua.care.models import CheckIn

    return CheckIn.objects.filter(
        _in_period("at", since, until),
        recipient__project_id__in=ids,
        channel__in=(CheckIn.Channel.VISIT, CheckIn.Channel.CALL),
    )


def _records(ids, start, end):
    """Verified volunteer service records attributed to the projects."""
    from kuihua.service_records.models import ServiceRecord

    q = Q(status=ServiceRecord.Status.VERIFIED, project_id__in=ids)
    if start is not None:
        q &= Q(date__gte=start)
    if end is not None:
        q &= Q(date__lte=end)
    return ServiceRecord.objects.filter(q)


def outputs_for_projects(
    projects, *, start: dt.date | None = None, end: dt.date | None = None
) -> dict[int, ProjectOutputs]:
    """The outputs of each project (by id), in a fixed number of queries however many."""
    ids = [getattr(p, "pk", p) for p in projects]
    if not ids:
        return {}
    since, until = _bounds(start, end)

    attendances = dict(
        _attendances(ids, since, until)
        .values_list("signup__activity__project_id")
        .annotate(n=Count("id"))
        .values_list("signup__activity__project_id", "n")
    )
    deliveries = dict(
        _deliveries(ids, since, until)
        .values_list("attributed_to")
        .annotate(n=Count("id"))
        .values_list("attributed_to", "n")
    )
    contacts = dict(
        _contacts(ids, since, until)
        .values_list("recipient__project_id")
        .annotate(n=Count("id"))
        .values_list("recipient__project_id", "n")
    )
    hours: dict[int, tuple[Decimal, int]] = {
        pid: (total or Decimal("0.00"), volunteers)
        for pid, total, volunteers in _records(ids, start, end)
        .values_list("project_id")
        .annotate(total=Sum("hours"), volunteers=Count("volunteer_id", distinct=True))
        .values_list("project_id", "total", "volunteers")
    }

    # The people behind the person-times: one query, distinct (project, resident) pairs.
    people: dict[int, set[int]] = defaultdict(set)
    pairs = (
        _attendances(ids, since, until)
        .annotate(pid=F("signup__activity__project_id"), rid=F("signup__resident_id"))
        .values_list("pid", "rid")
        .order_by()
        .union(
            _deliveries(ids, since, until)
            .annotate(pid=F("attributed_to"), rid=F("resident_id"))
            .values_list("pid", "rid")
            .order_by(),
            _contacts(ids, since, until)
            .annotate(pid=F("recipient__project_id"), rid=F("recipient__resident_id"))
            .values_list("pid", "rid")
            .order_by(),
        )
    )
    for pid, rid in pairs:
        if rid is not None:
            people[pid].add(rid)

    result = {}
    for pid in ids:
        a, d, c = attendances.get(pid, 0), deliveries.get(pid, 0), contacts.get(pid, 0)
        h, v = hours.get(pid, (Decimal("0.00"), 0))
        result[pid] = ProjectOutputs(
            person_times=a + d + c,
            attendances=a,
            services_delivered=d,
            care_contacts=c,
            volunteer_hours=h,
            volunteers=v,
            people_served=len(people.get(pid, ())),
        )
    return result


def project_outputs(
    project, *, start: dt.date | None = None, end: dt.date | None = None
) -> ProjectOutputs:
    """The outputs of one project over [start, end] (local days; None: no bound)."""
    return outputs_for_projects([project], start=start, end=end)[project.pk]


def care_accident_rate(project, *, start: dt.date, end: dt.date) -> Decimal | None:
    """The share of the project's enrolled care recipients who had a fall or another
    accident between start and end (days, both included), to four places; None when
    nobody was enrolled.

    Enrolled: in the project and enrolled before the period ended (as the care
    programme's own figures count, care.selectors.programme_figures).
    """
    from kuihua.care.models import CareRecipient, Incident

    _, until = _bounds(start, end)
    enrolled = CareRecipient.objects.filter(project_id=project.pk, enrolled_at__lt=until)
    people = enrolled.count()
    if not people:
        return None
    hurt = (
        Incident.objects.filter(
            recipient__in=enrolled,
            kind__in=(Incident.Kind.FALL, Incident.Kind.ACCIDENT),
            occurred_on__gte=start,
            occurred_on__lte=end,
        )
        .values("recipient_id")
        .distinct()
        .count()
    )
    return (Decimal(hurt) / Decimal(people)).quantize(Decimal("0.0001"))
