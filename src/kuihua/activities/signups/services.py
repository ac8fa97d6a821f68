"""Sign-ups that never over-book (报名、候补、候补转正).

A sign-up is confirmed while places remain, else waitlisted in arrival order.
A freed place goes at once to the longest-waiting person; when the activity
asks for it (`confirm_within_hours`) that person is *offered* the place, holds
it, and must accept before `offer_expires_at` or it passes on
(`offers_expire`, run every minute by `tasks.py`).

The database decides, not a count read before an insert:

* `Activity.places_taken` moves only by a conditional
  ``UPDATE … SET places_taken = places_taken + 1 WHERE places_taken < places``
  (its row count says whether a place was taken) and back down with ``F()``;
  the check constraint `activity_never_overbooked` is the last word.
* One live sign-up per person per activity: the conditional unique constraint
  `signup_once_per_person`; losing that race is an IntegrityError, answered
  with the same clear message as the ordinary check.
* `places_taken` always equals the number of confirmed and offered sign-ups.
* `Activity.filled_at` is when the last place went: written by the same conditional
  UPDATE that takes it (no extra query on the rush), kept when a freed place is
  taken again from the waitlist in the same transaction, cleared when a freed
  place stays free (`lock_objects.open_again`).

Order of operations in `signup_create` (one transaction):

1. eligibility that needs no lock: published, window open, audience, age, skill,
   training (one EXISTS query, asked only when the activity names a course);
2. lock the person (lock_objects' order), then look for a live sign-up at
   this activity and for a clash with an overlapping one elsewhere;
3. take a place with the conditional UPDATE, which locks the activity row when it
   takes a place; a full activity queues the person without waiting for that lock;
4. insert the sign-up, confirmed or waitlisted, and the audit row, and count who
   waits ahead;
5. after the commit, on PostgreSQL, someone who queued looks once whether a place
   came free while they were queueing (a cancellation that found the queue still
   empty) and, if so, fills places from the queue as a cancellation would.

Steps 2-4 are hand-written SQL in `hot_path` (two statements on PostgreSQL), the
one exception to "through the ORM" (ADR 8); the rules stay here.

Cancelling, accepting and expiring lock the activity row first, then the
sign-up rows (lock_objects decides that order), free a place with ``F()`` and
fill free places from the waitlist oldest first, one place per person, in
the same transaction. Since every change to one activity's places and queue
holds that row's lock, two cancellations at once promote two people, never
more; and a sign-up queueing while a place is freed either is promoted, or
takes the place itself, or finds it free after its commit (step 5). On SQLite
IMMEDIATE transactions let one writer in at a time, which gives the same order.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.accounts.models import Role
from kuihua.activities import lock_objects
from kuihua.activities.models import Activity, Attendance, Signup
from kuihua.activities.signups import hot_path
from kuihua.core.audit import audit
from kuihua.core.errors import ApplicationError
from kuihua.core.identity import age_on
from kuihua.core.tenancy import sweep_every_community, use_community
from kuihua.notifications.services import notify, recipients_language
from kuihua.organizations.models import Membership
from kuihua.training.selectors import has_training, resident_has_training

LIVE = (Signup.Status.CONFIRMED, Signup.Status.WAITLISTED, Signup.Status.OFFERED)
HOLDS_PLACE = (Signup.Status.CONFIRMED, Signup.Status.OFFERED)
# Accounts whose holder counts as a volunteer even without a membership.
VOLUNTEER_ROLES = (Role.VOLUNTEER, Role.ORG_LEADER, Role.STEWARD)


class SignupError(ApplicationError):
    """A rule of sign-ups was broken; the message is for the user, translated."""


# --- eligibility ------------------------------------------------------------------------


def _local_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def _account_of(resident):
    try:
        return resident.account
    except ObjectDoesNotExist:  # the person has no account
        return None


def _own_account(user, resident):
    """`user` if it is `resident`'s own account (no query), else None."""
    if user is not None and getattr(user, "resident_id", None) == resident.pk:
        return user
    return None


def is_volunteer(resident, *, account=None) -> bool:
    """A volunteer is a member of any organization, or holds a volunteer's account.

    `account`, when the caller has it at hand, is the person's own account.
    """
    if account is not None and account.role in VOLUNTEER_ROLES:
        return True
    if Membership.objects.filter(resident_id=resident.pk).exists():
        return True
    if account is None:
        account = _account_of(resident)
    return account is not None and account.role in VOLUNTEER_ROLES


def signup_window_problem(activity: Activity, *, now: dt.datetime | None = None) -> str | None:
    """Why nobody can sign up to `activity` right now, or None."""
    now = now or timezone.now()
    if activity.status == Activity.Status.CANCELLED:
        return _("活动已取消")
    if activity.status != Activity.Status.PUBLISHED:
        return _("活动尚未发布")
    if activity.signup_opens_at and now < activity.signup_opens_at:
        return _("报名尚未开始（%(when)s 开始）") % {
            "when": timezone.localtime(activity.signup_opens_at).strftime("%m-%d %H:%M")
        }
    closes = activity.starts_at
    if activity.signup_closes_at and activity.signup_closes_at < closes:
        closes = activity.signup_closes_at
    if now >= closes:
        return _("报名已截止")
    return None


def eligibility_problem(
    *, activity: Activity, resident, now: dt.datetime | None = None, actor=None
) -> tuple[str, str] | None:
    """(message, field) saying why `resident` may not sign up to `activity`, or None.

    A required skill must be one of the person's (non-sensitive) tags, by name
    or code. A required training (`required_training`, a course name) must be
    among the training records of the person's account in the activity's
    community: one EXISTS query, asked only when the activity names a course.
    """
    problem = signup_window_problem(activity, now=now)
    if problem:
        return problem, "activity"
    if activity.audience == Activity.Audience.MEMBERS:
        if not Membership.objects.filter(
            organization_id=activity.organization_id, resident_id=resident.pk
        ).exists():
            return _("此活动仅限本组织志愿者报名"), "resident"
    elif activity.audience == Activity.Audience.VOLUNTEERS and not is_volunteer(
        resident, account=_own_account(actor, resident)
    ):
        return _("此活动仅限志愿者报名"), "resident"
    if activity.min_age is not None or activity.max_age is not None:
        if resident.birth_date is None:
            return _("此活动有年龄要求，请先登记出生日期"), "resident"
        age = age_on(resident.birth_date, _local_date(activity.starts_at))
        if activity.min_age is not None and age < activity.min_age:
            return _("此活动要求年满 %(n)s 岁") % {"n": activity.min_age}, "resident"
        if activity.max_age is not None and age > activity.max_age:
            return _("此活动要求年龄不超过 %(n)s 岁") % {"n": activity.max_age}, "resident"
    if activity.required_skill:
        skill = activity.required_skill.strip()
        skilled = resident.tags.filter(Q(name=skill) | Q(code=skill), is_sensitive=False)
        if not skilled.exists():
            return _("此活动需要技能：%(s)s") % {"s": skill}, "resident"
    if activity.required_training and not _trained_for(activity, resident, actor=actor):
        return _("报名需先完成「%(course)s」") % {"course": activity.required_training}, "resident"
    return None


def _trained_for(activity: Activity, resident, *, actor=None) -> bool:
    """Whether `resident`'s account completed the activity's course in its community."""
    course, community_id = activity.required_training, activity.community_id
    account = _own_account(actor, resident)
    if account is not None:
        return has_training(account, course, community_id=community_id)
    return resident_has_training(resident, course, community_id=community_id)


def _already_signed_up() -> SignupError:
    return SignupError(_("已报名该活动，不能重复报名"), field="activity")


def signup_create(*, actor, activity: Activity, resident) -> Signup:
    """Sign `resident` up: confirmed while places remain, else waitlisted in arrival order.

    The returned sign-up carries `waiting_ahead_when_queued`: how many queued before
    it when it queued (0 when confirmed), for the answer to this request.
    """
    problem = eligibility_problem(activity=activity, resident=resident, actor=actor)
    if problem:
        message, field = problem
        raise SignupError(message, field=field)
    try:
        signup = _signup_create(actor=actor, activity=activity, resident=resident)
    except IntegrityError as exc:
        # Lost the race to a simultaneous sign-up of the same person: the
        # conditional unique constraint had the last word (and the place taken
        # in the same transaction was given back by the rollback).
        if "signup" not in str(exc).lower():
            raise
        raise _already_signed_up() from None
    if signup.status == Signup.Status.WAITLISTED and hot_path.room_after_commit(
        community_id=activity.community_id, activity_id=activity.pk
    ):
        # A place came free while this person was queueing: fill it from the
        # queue, oldest first (this person, or someone who waited longer).
        waitlist_promote(actor=None, activity=activity)
        signup.refresh_from_db(fields=["status", "offer_expires_at"])
        del signup.waiting_ahead_when_queued  # the queue moved: counted again when shown
    return signup


@transaction.atomic
def _signup_create(*, actor, activity: Activity, resident) -> Signup:
    # Eligibility was decided before the transaction: on SQLite the write lock is
    # taken at BEGIN, and nothing that needs no lock should run under it.
    # Steps 2-4 of the module docstring run as hand-written SQL (hot_path, ADR 8).
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    now = timezone.now()
    queued = hot_path.sign_up(
        community_id=activity.community_id,
        activity=activity,
        resident_id=resident.pk,
        actor_id=actor_id,
        now=now,
    )
    if any(activity_id == activity.pk for activity_id, _title in queued.in_the_way):
        raise _already_signed_up()
    if queued.in_the_way:
        raise SignupError(
            _("时间冲突：已报名同一时段的“%(title)s”") % {"title": queued.in_the_way[0][1]},
            field="activity",
        )
    signup = Signup(
        id=queued.signup_id,
        community_id=activity.community_id,
        activity=activity,
        resident=resident,
        status=queued.status,
        queued_at=now,
        signed_up_by_id=actor_id,
    )
    signup._state.adding = False
    signup._state.db = connection.alias
    signup.waiting_ahead_when_queued = queued.waiting_ahead
    return signup


# --- the waitlist -----------------------------------------------------------------------


def _activity_link(activity: Activity) -> str:
    return reverse("activities:detail", kwargs={"activity_id": activity.pk})


def _when(activity: Activity) -> str:
    return timezone.localtime(activity.starts_at).strftime("%m-%d %H:%M")


def _fill_places(*, actor, activity_id: int, now: dt.datetime) -> list[Signup]:
    """Give free places to the waitlist, oldest first, one place each.

    The caller holds the activity row's lock. Each promotion takes its place
    with the same conditional UPDATE as a sign-up, so no more people move up
    than places are free.
    """
    activity = Activity.objects.get(pk=activity_id)
    promoted: list[Signup] = []
    if activity.status == Activity.Status.CANCELLED:
        return promoted  # nobody moves up into an activity that will not happen
    while True:
        waiting = lock_objects.first_waitlisted(activity_id)
        if waiting is None or not lock_objects.take_place(activity_id):
            break
        promoted.append(waiting)
        with recipients_language():
            _promote(actor=actor, activity=activity, waiting=waiting, now=now)
    return promoted


def _promote(*, actor, activity: Activity, waiting: Signup, now: dt.datetime) -> None:
    """Move `waiting` up into the place just taken for them, and tell them."""
    if activity.confirm_within_hours:
        waiting.status = Signup.Status.OFFERED
        waiting.offer_expires_at = now + dt.timedelta(hours=activity.confirm_within_hours)
        body = _("%(title)s（%(when)s）有空余名额，请在 %(deadline)s 前确认，逾期名额将顺延。") % {
            "title": activity.title,
            "when": _when(activity),
            "deadline": timezone.localtime(waiting.offer_expires_at).strftime("%m-%d %H:%M"),
        }
    else:
        waiting.status = Signup.Status.CONFIRMED
        body = _("%(title)s（%(when)s）有空余名额，您已由候补转为正式报名。") % {
            "title": activity.title,
            "when": _when(activity),
        }
    waiting.save(update_fields=["status", "offer_expires_at"])
    audit(
        actor=actor,
        community_id=activity.community_id,
        action="signup.promote",
        obj=waiting,
        old={"status": Signup.Status.WAITLISTED},
        new={"status": waiting.status},
    )
    notify(
        recipient=_account_of(waiting.resident),
        kind="waitlist_promoted",
        title=_("候补转正：%(title)s") % {"title": activity.title},
        body=body,
        link=_activity_link(activity),
    )


@transaction.atomic
def waitlist_promote(*, actor, activity: Activity) -> list[Signup]:
    """Fill the places that are free now (after an organizer added places)."""
    lock_objects.activity(activity.pk)
    return _fill_places(actor=actor, activity_id=activity.pk, now=timezone.now())


def waitlists_fill() -> int:
    """Fill places left free while people wait (after a crash at the wrong moment); how many.

    `signup_create` fills them itself after its commit; this sweep, run every
    minute, is for a process that died in between. Upcoming activities only.
    """
    now = timezone.now()
    with sweep_every_community():
        due = list(
            Activity.objects.filter(
                lock_objects.HAS_ROOM,
                places__isnull=False,
                status=Activity.Status.PUBLISHED,
                starts_at__gt=now,
                signups__status=Signup.Status.WAITLISTED,
            )
            .distinct()
            .values_list("pk", "community_id")
        )
    filled = 0
    for activity_id, community_id in due:
        with use_community(community_id):
            activity = Activity.objects.get(pk=activity_id)
            filled += len(waitlist_promote(actor=None, activity=activity))
    return filled


def _release(*, actor, signup: Signup, now: dt.datetime, action: str) -> list[Signup]:
    """Cancel a locked sign-up; a place it held goes to the waitlist at once."""
    old = signup.status
    signup.status = Signup.Status.CANCELLED
    signup.cancelled_at = now
    signup.offer_expires_at = None
    signup.save(update_fields=["status", "cancelled_at", "offer_expires_at"])
    audit(
        actor=actor,
        community_id=signup.community_id,
        action=action,
        obj=signup,
        old={"status": old},
        new={"status": signup.status},
    )
    if old not in HOLDS_PLACE:
        return []
    lock_objects.give_back_place(signup.activity_id)
    promoted = _fill_places(actor=actor, activity_id=signup.activity_id, now=now)
    # Still a place free: the activity is open again, and will fill at a new moment.
    lock_objects.open_again(signup.activity_id)
    return promoted


@transaction.atomic
def signup_cancel(*, actor, signup: Signup) -> Signup:
    """Cancel a sign-up; the freed place goes to the first on the waitlist in this transaction."""
    now = timezone.now()
    lock_objects.activity(signup.activity_id)
    signup = lock_objects.signup(signup.pk)
    if signup.status == Signup.Status.CANCELLED:
        raise SignupError(_("该报名已取消"))
    if now >= signup.activity.starts_at:
        raise SignupError(_("活动已开始，不能再取消报名"))
    if Attendance.objects.filter(signup=signup, checked_in_at__isnull=False).exists():
        raise SignupError(_("您已签到，不能再取消报名；如不能参加，请告诉组织者"))
    _release(actor=actor, signup=signup, now=now, action="signup.cancel")
    return signup


@transaction.atomic
def offer_accept(*, actor, signup: Signup) -> Signup:
    """Accept a place offered from the waitlist before the offer runs out."""
    now = timezone.now()
    lock_objects.activity(signup.activity_id)
    signup = lock_objects.signup(signup.pk)
    if signup.status != Signup.Status.OFFERED:
        raise SignupError(_("没有待确认的候补名额"))
    if signup.offer_expires_at is not None and signup.offer_expires_at <= now:
        raise SignupError(_("确认时间已过，名额已顺延给下一位"))
    signup.status = Signup.Status.CONFIRMED
    signup.offer_expires_at = None
    signup.save(update_fields=["status", "offer_expires_at"])
    audit(
        actor=actor,
        community_id=signup.community_id,
        action="signup.accept",
        obj=signup,
        old={"status": Signup.Status.OFFERED},
        new={"status": signup.status},
    )
    return signup


@transaction.atomic
def _offer_expire(*, signup_id: int, activity_id: int, now: dt.datetime) -> bool:
    lock_objects.activity(activity_id)
    signup = lock_objects.signup(signup_id)
    if signup.status != Signup.Status.OFFERED or signup.offer_expires_at is None:
        return False
    if signup.offer_expires_at > now:
        return False
    _release(actor=None, signup=signup, now=now, action="signup.offer_expire")
    notify(
        recipient=_account_of(signup.resident),
        kind="waitlist_offer_expired",
        title=_("候补名额已顺延：%(title)s") % {"title": signup.activity.title},
        body=_("您未在规定时间内确认，名额已顺延给下一位。"),
        link=_activity_link(signup.activity),
    )
    return True


def offers_expire(*, now: dt.datetime | None = None) -> int:
    """Cancel offers not accepted in time, passing each place on; returns how many.

    Idempotent: an offer already accepted, cancelled or expired is left alone.
    Runs for every community (a periodic task has none in force).
    """
    now = now or timezone.now()
    with sweep_every_community():
        due = list(
            Signup.objects.filter(status=Signup.Status.OFFERED, offer_expires_at__lte=now)
            .order_by("offer_expires_at", "id")
            .values_list("pk", "activity_id", "community_id")
        )
    expired = 0
    for signup_id, activity_id, community_id in due:
        with use_community(community_id):
            expired += _offer_expire(signup_id=signup_id, activity_id=activity_id, now=now)
    return expired
