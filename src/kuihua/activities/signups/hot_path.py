"""The sign-up rush in hand-written SQL: the one module of its kind (ADR 8).

`services.signup_create` decides the rules (who may sign up, what a clash is,
that a place is taken only by the conditional UPDATE, that every sign-up is
audited in its transaction); this module carries out the steps it decides
inside that transaction, in as few statements as the database allows, because
`kuihua bench signup-rush` showed that building those statements through the ORM
cost more CPU than the rest of the request together. Nothing here is a rule of
its own: each statement says in SQL what the ORM version said, and
`tests/test_signup_hot_path.py` holds the two paths to the same answers.

Every statement names the community explicitly (the central scoping of ADR 1 does
not see raw SQL), and takes its table and column names from the models.

* PostgreSQL: two statements. The person's row lock (`lock_objects`' order: the
  person first), then one statement whose common table expressions look for a
  sign-up in the way, take a place with the conditional UPDATE, insert the
  sign-up and its audit row, and count who waits ahead. The lock is a statement
  of its own on purpose: a statement keeps the snapshot it started with, so the
  clash check must start after the lock is held to see a sign-up the same person
  committed meanwhile.
* SQLite: the same steps as separate statements; the IMMEDIATE transaction
  already holds the only write lock, so no row lock and no race inside.
"""

# ruff: noqa: S608 - the names put into the SQL are the models' own table names, never input

from __future__ import annotations

import datetime as dt
import json
from typing import NamedTuple

from django.db import connection

from kuihua.activities.models import Activity, Signup
from kuihua.core.models import AuditLog
from kuihua.registry.models import Resident

ACTIVITY = Activity._meta.db_table
SIGNUP = Signup._meta.db_table
AUDIT = AuditLog._meta.db_table
RESIDENT = Resident._meta.db_table

LIVE = (Signup.Status.CONFIRMED, Signup.Status.WAITLISTED, Signup.Status.OFFERED)
# A cancelled activity holds nobody's time (the one being signed up to is published).
HOLDS_TIME = (Activity.Status.PUBLISHED, Activity.Status.DRAFT)
AUDIT_ACTION = "signup.create"
AUDIT_OBJECT = Signup._meta.label_lower


class Queued(NamedTuple):
    """What the sign-up's statements did: the new row, or what stood in the way."""

    signup_id: int | None
    status: str | None
    waiting_ahead: int
    # (activity id, title) of the person's live sign-ups here or at an overlapping time
    in_the_way: list[tuple[int, str]]


_IN_THE_WAY = f"""
    SELECT s.activity_id, a.title
    FROM {SIGNUP} s JOIN {ACTIVITY} a ON a.id = s.activity_id
    WHERE s.community_id = %(community)s AND a.community_id = %(community)s
      AND s.resident_id = %(resident)s AND s.status IN (%(live0)s, %(live1)s, %(live2)s)
      AND a.starts_at < %(ends)s AND a.ends_at > %(starts)s
      AND a.status IN (%(time0)s, %(time1)s)
    LIMIT 2
"""

# Takes the last place and records when it went (`lock_objects.take_place` in SQL).
_TAKE_PLACE_SET = """
    places_taken = places_taken + 1,
    filled_at = CASE WHEN places_taken >= places - 1 AND filled_at IS NULL
                     THEN %(now)s ELSE filled_at END
"""
_HAS_ROOM = "(places IS NULL OR places_taken < places)"

_WAITING_AHEAD = f"""
    SELECT COUNT(*) FROM {SIGNUP} w
    WHERE w.community_id = %(community)s AND w.activity_id = %(activity)s
      AND w.status = %(waitlisted)s
      AND (w.queued_at < %(now)s OR (w.queued_at = %(now)s AND w.id < %(signup)s))
"""

_POSTGRES_LOCK_PERSON = f"""
    SELECT id FROM {RESIDENT} WHERE id = %(resident)s AND community_id = %(community)s
    FOR NO KEY UPDATE
"""

_POSTGRES_SIGN_UP = f"""
    WITH in_the_way AS ({_IN_THE_WAY}),
    taken AS (
        UPDATE {ACTIVITY} SET {_TAKE_PLACE_SET}
        WHERE id = %(activity)s AND community_id = %(community)s AND {_HAS_ROOM}
          AND NOT EXISTS (SELECT 1 FROM in_the_way)
        RETURNING id
    ),
    signup AS (
        INSERT INTO {SIGNUP}
            (community_id, activity_id, resident_id, status, queued_at, signed_up_by_id)
        SELECT %(community)s, %(activity)s, %(resident)s,
               CASE WHEN EXISTS (SELECT 1 FROM taken) THEN %(confirmed)s ELSE %(waitlisted)s END,
               %(now)s, %(actor)s::bigint
        WHERE NOT EXISTS (SELECT 1 FROM in_the_way)
        RETURNING id, status
    ),
    audited AS (
        INSERT INTO {AUDIT}
            (community_id, actor_id, action, object_type, object_id, old, new, at)
        SELECT %(community)s, %(actor)s::bigint, %(action)s, %(object)s, id, '{{}}'::jsonb,
               jsonb_build_object('activity', %(activity)s::bigint,
                                  'resident', %(resident)s::bigint, 'status', status),
               %(now)s
        FROM signup
    )
    SELECT s.id, s.status,
           (SELECT COUNT(*) FROM {SIGNUP} w
            WHERE w.community_id = %(community)s AND w.activity_id = %(activity)s
              AND w.status = %(waitlisted)s
              AND (w.queued_at < %(now)s OR (w.queued_at = %(now)s AND w.id < s.id))),
           NULL, NULL
    FROM signup s
    UNION ALL
    SELECT NULL, NULL, 0, i.activity_id, i.title FROM in_the_way i
"""


def _params(*, community_id, activity: Activity, resident_id, actor_id, now) -> dict:
    ops = connection.ops
    at = ops.adapt_datetimefield_value(now)
    return {
        "community": community_id,
        "activity": activity.pk,
        "resident": resident_id,
        "actor": actor_id,
        "now": at,
        "starts": ops.adapt_datetimefield_value(activity.starts_at),
        "ends": ops.adapt_datetimefield_value(activity.ends_at),
        "live0": LIVE[0],
        "live1": LIVE[1],
        "live2": LIVE[2],
        "time0": HOLDS_TIME[0],
        "time1": HOLDS_TIME[1],
        "confirmed": Signup.Status.CONFIRMED,
        "waitlisted": Signup.Status.WAITLISTED,
        "action": AUDIT_ACTION,
        "object": AUDIT_OBJECT,
    }


def sign_up(
    *,
    community_id: int,
    activity: Activity,
    resident_id: int,
    actor_id: int | None,
    now: dt.datetime,
) -> Queued:
    """Lock the person, look for a sign-up in the way, take a place or queue, audit.

    Call inside the service's transaction. Nothing is written when something is
    in the way. `waiting_ahead` counts the people queued before this sign-up as
    the statement that queued it saw them (0 when confirmed).
    """
    params = _params(
        community_id=community_id,
        activity=activity,
        resident_id=resident_id,
        actor_id=actor_id,
        now=now,
    )
    if connection.vendor == "postgresql":
        return _sign_up_postgres(params)
    return _sign_up_sqlite(params)


def _sign_up_postgres(params: dict) -> Queued:
    with connection.cursor() as cursor:
        cursor.execute(_POSTGRES_LOCK_PERSON, params)
        cursor.execute(_POSTGRES_SIGN_UP, params)
        rows = cursor.fetchall()
    in_the_way = [(row[3], row[4]) for row in rows if row[0] is None]
    if in_the_way:
        return Queued(None, None, 0, in_the_way)
    signup_id, status, ahead, _a, _t = rows[0]
    return Queued(signup_id, status, ahead if status == Signup.Status.WAITLISTED else 0, [])


def _sign_up_sqlite(params: dict) -> Queued:
    with connection.cursor() as cursor:
        cursor.execute(_IN_THE_WAY, params)
        in_the_way = [(activity_id, title) for activity_id, title in cursor.fetchall()]
        if in_the_way:
            return Queued(None, None, 0, in_the_way)
        cursor.execute(
            f"UPDATE {ACTIVITY} SET {_TAKE_PLACE_SET}"
            f" WHERE id = %(activity)s AND community_id = %(community)s AND {_HAS_ROOM}",
            params,
        )
        status = Signup.Status.CONFIRMED if cursor.rowcount else Signup.Status.WAITLISTED
        cursor.execute(
            f"INSERT INTO {SIGNUP}"
            " (community_id, activity_id, resident_id, status, queued_at, signed_up_by_id)"
            " VALUES (%(community)s, %(activity)s, %(resident)s, %(status)s, %(now)s, %(actor)s)",
            {**params, "status": status},
        )
        signup_id = cursor.lastrowid
        new = {"activity": params["activity"], "resident": params["resident"], "status": status}
        cursor.execute(
            f"INSERT INTO {AUDIT}"
            " (community_id, actor_id, action, object_type, object_id, old, new, at)"
            " VALUES (%(community)s, %(actor)s, %(action)s, %(object)s, %(signup)s, '{}',"
            " %(new)s, %(now)s)",
            {**params, "signup": signup_id, "new": json.dumps(new)},
        )
        ahead = 0
        if status == Signup.Status.WAITLISTED:
            cursor.execute(_WAITING_AHEAD, {**params, "signup": signup_id})
            (ahead,) = cursor.fetchone()
    return Queued(signup_id, status, ahead, [])


def room_after_commit(*, community_id: int, activity_id: int) -> bool:
    """Whether a place is free now, for someone who just queued (no lock).

    Only PostgreSQL can leave one: a cancellation committing between the queueing
    statement's snapshot and its commit finds the queue still empty. On SQLite the
    two transactions cannot overlap, so there is nothing to look for.
    """
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {ACTIVITY}"
            f" WHERE id = %(activity)s AND community_id = %(community)s AND {_HAS_ROOM}",
            {"activity": activity_id, "community": community_id},
        )
        return cursor.fetchone() is not None
