"""Reads of sign-ups: who may see which, and each person's place in the queue.

`access_*` answer 404 for anything out of the user's view (never 403:
existence is not disclosed). Community scoping is already in force.
"""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from kuihua.accounts.models import Role
from kuihua.activities.models import Activity, Signup


def _organized_by(user) -> Q:
    """Activities `user` organizes (all of them for a coordinator)."""
    if user.role == Role.COORDINATOR:
        return Q()
    from kuihua.organizations.selectors import organizations_led_by

    return Q(organization__in=organizations_led_by(user))


def activities_open_to(user) -> QuerySet[Activity]:
    """Activities `user` can see to sign up: published or cancelled ones, and their own drafts."""
    if not user.is_authenticated:
        return Activity.objects.none()
    shown = ~Q(status=Activity.Status.DRAFT)
    if user.role == Role.COORDINATOR:
        return Activity.objects.all()
    if user.resident_id:
        # Leaders and deputies, whatever their account's role, as in the rules.
        shown |= _organized_by(user)
    return Activity.objects.filter(shown)


def access_activity_for_signup(user, activity_id: int) -> Activity:
    """The activity if `activities_open_to(user)` holds it, else 404.

    Sign-up rushes come through here: a published activity is read with one
    plain query by key; only a draft asks the full rule (is `user` its organizer?).
    """
    if not user.is_authenticated:
        raise Http404
    activity = get_object_or_404(Activity.objects.all(), pk=activity_id)
    if activity.status == Activity.Status.DRAFT and not (
        activities_open_to(user).filter(pk=activity.pk).exists()
    ):
        raise Http404
    return activity


def access_activity_signups(user, activity_id: int) -> Activity:
    """The activity if `user` may see its list of sign-ups (its organizers), else 404."""
    activity = access_activity_for_signup(user, activity_id)
    if not user.has_perm("activities.view_signups", activity):
        raise Http404
    return activity


def signups_visible_to(user) -> QuerySet[Signup]:
    """One's own sign-ups, and those of the activities one organizes."""
    if not user.is_authenticated:
        return Signup.objects.none()
    if user.role == Role.COORDINATOR:
        return Signup.objects.all()
    if not user.resident_id:
        return Signup.objects.none()
    from kuihua.organizations.selectors import organizations_led_by

    return Signup.objects.filter(
        Q(resident_id=user.resident_id) | Q(activity__organization__in=organizations_led_by(user))
    )


def access_signup(user, signup_id: int) -> Signup:
    return get_object_or_404(
        signups_visible_to(user).select_related("activity__organization", "resident"),
        pk=signup_id,
    )


def waiting_before(activity_id, queued_at, signup_id) -> Q:
    """The waitlisted sign-ups ahead of one in its activity's queue: the queue's one order,
    by arrival (`queued_at`), then by id. Values or OuterRefs."""
    return Q(activity_id=activity_id, status=Signup.Status.WAITLISTED) & (
        Q(queued_at__lt=queued_at) | Q(queued_at=queued_at, id__lt=signup_id)
    )


def waitlist_position(signup: Signup) -> int | None:
    """1 for the next person to move up; None when not waitlisted (one count).

    A sign-up read through `with_waitlist_position` carries its count already.
    """
    if signup.status != Signup.Status.WAITLISTED:
        return None
    ahead = getattr(signup, "waiting_ahead", None)
    if ahead is None:
        ahead = Signup.objects.filter(
            waiting_before(signup.activity_id, signup.queued_at, signup.pk)
        ).count()
    return ahead + 1


def with_waitlist_position(qs: QuerySet[Signup]) -> QuerySet[Signup]:
    """Annotate `waiting_ahead`: how many wait before each sign-up (meaningful when waitlisted)."""
    ahead = (
        Signup.objects.filter(
            waiting_before(OuterRef("activity_id"), OuterRef("queued_at"), OuterRef("id"))
        )
        .order_by()
        .values("activity_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(
        waiting_ahead=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0))
    )


def position_of(signup: Signup) -> int | None:
    """The waitlist position from the annotation (1 = next to move up)."""
    if signup.status != Signup.Status.WAITLISTED:
        return None
    return signup.waiting_ahead + 1


STATUS_ORDER = Case(
    When(status=Signup.Status.CONFIRMED, then=Value(0)),
    When(status=Signup.Status.OFFERED, then=Value(1)),
    When(status=Signup.Status.WAITLISTED, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def activity_signups(activity: Activity) -> QuerySet[Signup]:
    """Everyone signed up to `activity`: confirmed, offered, waitlisted, cancelled; by arrival."""
    return with_waitlist_position(
        Signup.objects.filter(activity=activity).select_related("resident")
    ).order_by(STATUS_ORDER, "queued_at", "id")


def signups_of(user) -> QuerySet[Signup]:
    """`user`'s own sign-ups, the latest activities first."""
    if not user.is_authenticated or not user.resident_id:
        return Signup.objects.none()
    return with_waitlist_position(
        Signup.objects.filter(resident_id=user.resident_id).select_related("activity")
    ).order_by("-activity__starts_at", "-id")
