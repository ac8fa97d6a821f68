"""Reads of activities: lists, one activity, counts, sign-up lists and overviews.

Every fetch of an activity, series, drive or sign-up from user input goes
through an `access_*` function here (404 when not visible or not manageable).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.activities.models import Activity, Attendance, Drive, Series, Signup, SkippedOccurrence
from kuihua.activities.signups.selectors import position_of, with_waitlist_position
from kuihua.core import disclosure
from kuihua.organizations.models import Membership, Organization
from kuihua.organizations.selectors import organizations_led_by

# Accounts that count as volunteers without a membership (as in signups.is_volunteer).
VOLUNTEER_ROLES = (Role.VOLUNTEER, Role.ORG_LEADER, Role.STEWARD)
KINDS = ("single", "series", "shift")


def activities_visible_to(user) -> QuerySet[Activity]:
    """Published and cancelled activities for everyone signed in; drafts for their organizers."""
    if not user.is_authenticated:
        return Activity.objects.none()
    qs = Activity.objects.all()
    if user.role == Role.COORDINATOR:
        return qs
    led = organizations_led_by(user).values("pk")
    return qs.filter(~Q(status=Activity.Status.DRAFT) | Q(organization__in=led))


def activities_managed_by(user) -> QuerySet[Activity]:
    if not user.is_authenticated:
        return Activity.objects.none()
    if user.role == Role.COORDINATOR:
        return Activity.objects.all()
    return Activity.objects.filter(organization__in=organizations_led_by(user).values("pk"))


def organizations_for_activities(user) -> QuerySet[Organization]:
    """The organizations `user` may create activities for."""
    if not user.is_authenticated:
        return Organization.objects.none()
    if user.role == Role.COORDINATOR:
        return Organization.objects.all()
    return organizations_led_by(user)


def open_to(user, qs: QuerySet[Activity]) -> QuerySet[Activity]:
    """Only activities whose audience includes `user` (what they may sign up to)."""
    resident_id = getattr(user, "resident_id", None)
    if not resident_id:
        return qs.none()
    audiences = Q(audience=Activity.Audience.RESIDENTS)
    member_of = Membership.objects.filter(resident_id=resident_id).values("organization_id")
    if user.role in VOLUNTEER_ROLES or member_of.exists():
        audiences |= Q(audience=Activity.Audience.VOLUNTEERS)
    audiences |= Q(audience=Activity.Audience.MEMBERS, organization__in=member_of)
    return qs.filter(audiences)


def _with_counts(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    return qs.select_related("organization", "room", "series", "drive").annotate(
        waitlisted_count=Count("signups", filter=Q(signups__status=Signup.Status.WAITLISTED))
    )


def activity_list(
    user,
    *,
    organization_id: int | None = None,
    kind: str = "",
    upcoming: bool = True,
    open_to_me: bool = False,
    query: str = "",
    now: dt.datetime | None = None,
) -> QuerySet[Activity]:
    qs = activities_visible_to(user)
    now = now or timezone.now()
    if upcoming:
        qs = qs.filter(ends_at__gte=now).exclude(status=Activity.Status.CANCELLED)
    if organization_id:
        qs = qs.filter(organization_id=organization_id)
    if kind == "series":
        qs = qs.filter(series__isnull=False)
    elif kind == "shift":
        qs = qs.filter(drive__isnull=False)
    elif kind == "single":
        qs = qs.filter(series__isnull=True, drive__isnull=True)
    if query:
        qs = qs.filter(title__contains=query.strip())
    if open_to_me:
        qs = open_to(user, qs.exclude(status=Activity.Status.DRAFT))
    return _with_counts(qs).order_by("starts_at", "id")


def access_activity(user, activity_id: int) -> Activity:
    return get_object_or_404(
        activities_visible_to(user).select_related(
            "organization", "room", "series", "drive", "project"
        ),
        pk=activity_id,
    )


def access_activity_for_manage(user, activity_id: int) -> Activity:
    """The activity if `user` organizes it (coordinator or the organization's leader), else 404."""
    activity = access_activity(user, activity_id)
    if not user.has_perm("activities.manage_activity", activity):
        raise Http404
    return activity


def access_organization_for_activities(user, organization_id: int) -> Organization:
    return get_object_or_404(organizations_for_activities(user), pk=organization_id)


def access_series(user, series_id: int) -> Series:
    """A series of an organization `user` may manage, else 404."""
    if not user.is_authenticated:
        raise Http404
    qs = Series.objects.select_related("organization")
    if user.role != Role.COORDINATOR:
        qs = qs.filter(organization__in=organizations_led_by(user).values("pk"))
    return get_object_or_404(qs, pk=series_id)


def access_skipped_occurrence(user, series_id: int, skipped_id: int) -> SkippedOccurrence:
    """An occurrence the daily run could not make, of a series `user` may manage, else 404."""
    series = access_series(user, series_id)
    skipped = get_object_or_404(
        SkippedOccurrence.objects.select_related("room", "clash", "activity"),
        series=series,
        pk=skipped_id,
    )
    skipped.series = series
    return skipped


def skipped_to_arrange(series: Series) -> list[SkippedOccurrence]:
    """The series' occurrences the daily run could not make and nobody arranged since."""
    return list(
        SkippedOccurrence.objects.filter(series=series, activity__isnull=True)
        .select_related("room")
        .order_by("starts_at", "id")
    )


def series_organizers(series: Series) -> list:
    """Who is told about a series' occurrences: the accounts of its organization's leaders
    and deputies, and whoever made the series while they may still manage it; when there is
    nobody of these, the community's coordinators."""
    from kuihua.accounts.models import User

    accounts = User.objects.filter(community_id=series.community_id, is_active=True)
    people = {
        u.pk: u
        for u in accounts.filter(
            resident__memberships__organization_id=series.organization_id,
            resident__memberships__role__in=[Membership.Role.LEADER, Membership.Role.DEPUTY],
        ).distinct()
    }
    creator_id = (
        Activity.objects.filter(series=series, created_by__isnull=False)
        .order_by("created_at", "id")
        .values_list("created_by", flat=True)
        .first()
    )
    if creator_id is not None and creator_id not in people:
        creator = accounts.filter(pk=creator_id).first()
        if creator is not None and creator.has_perm("activities.add_activity", series.organization):
            people[creator.pk] = creator
    if not people:
        people = {u.pk: u for u in accounts.filter(role=Role.COORDINATOR)}
    return [people[pk] for pk in sorted(people)]


def access_drive(user, drive_id: int) -> Drive:
    """A drive is readable by everyone signed in (its shifts are the sign-up list)."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(Drive.objects.select_related("organization"), pk=drive_id)


def access_drive_for_manage(user, drive_id: int) -> Drive:
    drive = access_drive(user, drive_id)
    if not user.has_perm("activities.add_activity", drive.organization):
        raise Http404
    return drive


def access_signup_for_manage(user, signup_id: int) -> Signup:
    """A sign-up on an activity `user` organizes, else 404."""
    signup = get_object_or_404(
        Signup.objects.select_related("activity__organization", "resident"), pk=signup_id
    )
    if not user.has_perm("activities.manage_activity", signup.activity):
        raise Http404
    return signup


# --- one activity ------------------------------------------------------------------------


@dataclass
class Counts:
    places: int | None
    confirmed: int
    offered: int
    waitlisted: int
    checked_in: int
    checked_out: int
    no_show: int

    @property
    def places_left(self) -> int | None:
        if self.places is None:
            return None
        return max(self.places - self.confirmed - self.offered, 0)


def activity_counts(activity: Activity) -> Counts:
    by_status = dict(
        Signup.objects.filter(activity=activity)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    attendance = Attendance.objects.filter(
        signup__activity=activity, signup__status=Signup.Status.CONFIRMED
    ).aggregate(
        checked_in=Count("id", filter=Q(checked_in_at__isnull=False)),
        checked_out=Count("id", filter=Q(checked_out_at__isnull=False)),
        no_show=Count("id", filter=Q(no_show=True)),
    )
    return Counts(
        places=activity.places,
        confirmed=by_status.get(Signup.Status.CONFIRMED, 0),
        offered=by_status.get(Signup.Status.OFFERED, 0),
        waitlisted=by_status.get(Signup.Status.WAITLISTED, 0),
        **attendance,
    )


def signup_list(activity: Activity) -> list[Signup]:
    """Everyone signed up (cancelled last), waitlisted ones numbered in arrival order."""
    signups = list(
        Signup.objects.filter(activity=activity)
        .select_related("resident", "attendance")
        .order_by("queued_at", "id")
    )
    position = 0
    for signup in signups:
        signup.position = None
        if signup.status == Signup.Status.WAITLISTED:
            position += 1
            signup.position = position
        try:
            signup.attendance_row = signup.attendance
        except Attendance.DoesNotExist:
            signup.attendance_row = None
    order = {
        Signup.Status.CONFIRMED: 0,
        Signup.Status.OFFERED: 1,
        Signup.Status.WAITLISTED: 2,
        Signup.Status.CANCELLED: 3,
    }
    signups.sort(key=lambda s: order.get(s.status, 9))
    return signups


def signup_phone(user, signup: Signup) -> str:
    """The whole phone of the person signed up, for the activity's organizer to call them;
    the look is written to the access log (`kuihua.core.disclosure.reveal`). 404 for others."""
    activity = signup.activity
    if not user.has_perm("activities.view_signups", activity):
        raise Http404
    resident = signup.resident
    return disclosure.reveal(
        user=user,
        subject=resident,
        values={"phone": resident.phone or ""},
        purpose=f"activity:{activity.pk}",
    )["phone"]


def my_signup(user, activity: Activity) -> Signup | None:
    resident_id = getattr(user, "resident_id", None)
    if not resident_id:
        return None
    return (
        Signup.objects.filter(activity=activity, resident_id=resident_id)
        .exclude(status=Signup.Status.CANCELLED)
        .select_related("attendance")
        .first()
    )


def my_activities(user, *, now: dt.datetime | None = None) -> tuple[list[Signup], list[Signup]]:
    """(upcoming sign-ups with status and waitlist position, past ones with attendance)."""
    resident_id = getattr(user, "resident_id", None)
    if not resident_id:
        return [], []
    now = now or timezone.now()
    signups = list(
        with_waitlist_position(
            Signup.objects.filter(resident_id=resident_id)
            .exclude(status=Signup.Status.CANCELLED)
            .select_related("activity__organization", "activity__room", "attendance")
        ).order_by("activity__starts_at", "id")
    )
    upcoming, past = [], []
    for signup in signups:
        signup.position = position_of(signup)
        try:
            signup.attendance_row = signup.attendance
        except Attendance.DoesNotExist:
            signup.attendance_row = None
        (upcoming if signup.activity.ends_at >= now else past).append(signup)
    past.reverse()
    return upcoming, past[:100]


# --- the coordinator's overview -------------------------------------------------------


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(dt.datetime.combine(first, dt.time.min), tz),
        timezone.make_aware(dt.datetime.combine(following, dt.time.min), tz),
    )


def overview_by_organization(month: dt.date) -> list[Organization]:
    """Per organization this month: activities, places, confirmed, waitlisted, attended."""
    start, end = month_bounds(month)
    in_month = Q(activities__starts_at__gte=start, activities__starts_at__lt=end) & ~Q(
        activities__status=Activity.Status.CANCELLED
    )
    orgs = (
        Organization.objects.annotate(activity_count=Count("activities", filter=in_month))
        .filter(activity_count__gt=0)
        .order_by("-activity_count", "name")
    )
    orgs = list(orgs)
    signup_counts = (
        Signup.objects.filter(
            activity__starts_at__gte=start,
            activity__starts_at__lt=end,
        )
        .exclude(activity__status=Activity.Status.CANCELLED)
        .values("activity__organization_id")
        .annotate(
            confirmed=Count("id", filter=Q(status=Signup.Status.CONFIRMED)),
            waitlisted=Count("id", filter=Q(status=Signup.Status.WAITLISTED)),
            attended=Count("id", filter=Q(attendance__checked_in_at__isnull=False)),
            no_show=Count("id", filter=Q(attendance__no_show=True)),
        )
    )
    by_org = {row["activity__organization_id"]: row for row in signup_counts}
    for org in orgs:
        row = by_org.get(org.pk, {})
        org.confirmed = row.get("confirmed", 0)
        org.waitlisted = row.get("waitlisted", 0)
        org.attended = row.get("attended", 0)
        org.no_show = row.get("no_show", 0)
    return orgs


def series_of(user) -> QuerySet[Series]:
    qs = Series.objects.select_related("organization")
    if user.role != Role.COORDINATOR:
        qs = qs.filter(organization__in=organizations_led_by(user).values("pk"))
    return qs.annotate(occurrence_count=Count("occurrences")).order_by("title", "id")


def drives_visible_to(user) -> QuerySet[Drive]:
    if not user.is_authenticated:
        return Drive.objects.none()
    return (
        Drive.objects.select_related("organization")
        .annotate(shift_count=Count("shifts"))
        .order_by("-created_at", "-id")
    )


# --- the workbench (dashboard.workbench): what waits for a user today --------------------


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The start of `day` and of the next, in local time."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    return start, start + dt.timedelta(days=1)


def activities_today(user, *, now: dt.datetime | None = None) -> QuerySet[Activity]:
    """Published activities running today that `user` organizes (every one for a
    coordinator), the earliest first, each with its sign-ups (`signed_up`)."""
    now = now or timezone.now()
    start, end = day_bounds(timezone.localdate(now))
    return (
        activities_managed_by(user)
        .filter(status=Activity.Status.PUBLISHED, starts_at__lt=end, ends_at__gt=start)
        .select_related("organization", "room")
        .annotate(signed_up=Count("signups", filter=Q(signups__status=Signup.Status.CONFIRMED)))
        .order_by("starts_at", "id")
    )


def upcoming_signups(user, *, now: dt.datetime | None = None) -> QuerySet[Signup]:
    """`user`'s own sign-ups (not cancelled) to activities not over yet, the next first."""
    resident_id = getattr(user, "resident_id", None)
    if not resident_id:
        return Signup.objects.none()
    now = now or timezone.now()
    return (
        Signup.objects.filter(resident_id=resident_id, activity__ends_at__gte=now)
        .exclude(status=Signup.Status.CANCELLED)
        .exclude(activity__status=Activity.Status.CANCELLED)
        .select_related("activity__organization", "activity__room")
        .order_by("activity__starts_at", "id")
    )
