"""The one place where the order of row locks for sign-ups is decided.

Every transaction that moves places or the waitlist of an activity takes, in
this order and only in this order:

1. the person (its registry row, locked by the sign-up's SQL in `signups/hot_path.py`):
   one person's sign-ups one at a time, so that the
   time-clash check cannot be raced by two sign-ups to overlapping shifts;
2. the activity row (`activity`, or the UPDATE of `take_place` when it
   takes a place): all changes to one activity's places and waitlist queue
   behind it;
3. sign-up rows of that activity (`signup`, `first_waitlisted`), oldest first.

A sign-up takes the same locks in the same order in SQL (`signups/hot_path.py`, the
sign-up rush's hand-written statements, ADR 8).

Never the other way round: a service holding a sign-up row never waits for
its activity, so two transactions cannot wait for each other. On PostgreSQL
these are `SELECT … FOR UPDATE`; on SQLite `select_for_update` is a no-op and
IMMEDIATE transactions (see docs/adr/0003-sqlite.md) already let one writer in
at a time.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from kuihua.activities.models import Activity, Signup

HAS_ROOM = Q(places__isnull=True) | Q(places_taken__lt=F("places"))


def _row_locks() -> bool:
    """False on SQLite, where the IMMEDIATE transaction already holds the only write lock."""
    return connection.features.has_select_for_update


def activity(activity_id: int) -> Activity:
    """Lock and return the activity as it is now (the latest committed values)."""
    # NO KEY: inserts that merely refer to the activity (a sign-up, an
    # attendance) need not wait for it.
    return Activity.objects.select_for_update(no_key=True).get(pk=activity_id)


def take_place(activity_id: int) -> bool:
    """Take one place with the conditional UPDATE; True if one was free.

    A place taken leaves the activity row locked (by the UPDATE) until the
    commit. A full activity is not waited for: PostgreSQL skips a row whose
    committed version fails the condition, so the rush of people queueing for
    a full activity never lines up behind one row lock (and its commit). A
    cancellation committing meanwhile may then find the queue empty and leave
    its place free; the sign-up looks once more after its own commit
    (`signups.signup_create`), and a sweep every minute catches what a crash
    in between left (`signups.waitlists_fill`).

    The same UPDATE records the moment the last place goes (`filled_at`), so the
    rush costs no extra query; a moment already recorded is kept (a freed place
    taken again at once from the waitlist never left the activity open).
    """
    last_place = Q(places_taken__gte=F("places") - 1, filled_at__isnull=True)
    fills = When(last_place, then=Value(timezone.now()))
    return bool(
        Activity.objects.filter(HAS_ROOM, pk=activity_id).update(
            places_taken=F("places_taken") + 1,
            filled_at=Case(fills, default=F("filled_at")),
        )
    )


def give_back_place(activity_id: int) -> None:
    """Free one place (the activity row is locked already)."""
    Activity.objects.filter(pk=activity_id, places_taken__gt=0).update(
        places_taken=F("places_taken") - 1
    )


def open_again(activity_id: int) -> None:
    """Forget when the activity filled if a place is free after all (the activity row is
    locked already): a place freed and not taken from the waitlist at once."""
    Activity.objects.filter(HAS_ROOM, pk=activity_id, filled_at__isnull=False).update(
        filled_at=None
    )


def signup(signup_id: int) -> Signup:
    """Lock and return one sign-up with its activity and person (after its activity)."""
    return (
        Signup.objects.select_for_update(of=("self",))
        .select_related("activity", "resident")
        .get(pk=signup_id)
    )


def first_waitlisted(activity_id: int) -> Signup | None:
    """Lock and return the longest-waiting person on the waitlist, if any."""
    return (
        Signup.objects.select_for_update(of=("self",))
        .select_related("resident")
        .filter(activity_id=activity_id, status=Signup.Status.WAITLISTED)
        .order_by("queued_at", "id")
        .first()
    )
