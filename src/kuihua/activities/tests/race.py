"""Sign-up races between real processes, for the concurrency tests.

`Race` creates a fresh database of its own (a temporary SQLite file, or a new
PostgreSQL database `kuihua_race_<pid>_<n>` on the server the tests use, dropped
afterwards), builds the tables from the models in one worker, and keeps a pool
of worker processes (spawned, each with its own `django.setup()` and its own
database connection) that start each round together at a barrier.

Nothing here may import Django models at module level: the workers import this
module before they set Django up.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import shutil
import tempfile
from contextlib import contextmanager
from urllib.parse import quote

SETTINGS = "kuihua.config.settings.test"
_counter = itertools.count()
_barrier = None


# --- the database -----------------------------------------------------------------------


def _postgres_admin(settings_dict: dict):
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        autocommit=True,
    )


@contextmanager
def fresh_database(settings_dict: dict):
    """Yield the URL of an empty database like the tests' one (SQLite file or PostgreSQL)."""
    if settings_dict["ENGINE"].endswith("postgresql"):
        name = f"kuihua_race_{os.getpid()}_{next(_counter)}"
        with _postgres_admin(settings_dict) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        user = quote(settings_dict.get("USER") or "")
        password = settings_dict.get("PASSWORD")
        auth = f"{user}:{quote(password)}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        try:
            yield f"postgres://{auth}{host}:{port}/{name}"
        finally:
            with _postgres_admin(settings_dict) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        folder = tempfile.mkdtemp(prefix="kuihua-race-")
        try:
            yield f"sqlite:///{folder}/race.sqlite3"
        finally:
            shutil.rmtree(folder, ignore_errors=True)


# --- the workers ------------------------------------------------------------------------


def _init_worker(url: str, barrier) -> None:
    global _barrier
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["KUIHUA_TEST_DATABASE_URL"] = url
    import django

    django.setup()
    _barrier = barrier


def _call(job: str, kwargs: dict):
    """Run a job of this module by name, or another app's as "module.path:function"."""
    import importlib

    from django.db import connections

    if ":" in job:
        module, name = job.split(":")
        function = getattr(importlib.import_module(module), name)
    else:
        function = globals()[job]
    try:
        return function(**kwargs)
    finally:
        connections.close_all()


def wait_for_all() -> None:
    """For a job of another module: start together with the other workers."""
    _barrier.wait(timeout=60)


class Race:
    """A fresh database and `workers` processes attached to it."""

    def __init__(self, settings_dict: dict, *, workers: int = 4):
        self.workers = workers
        self._db = fresh_database(settings_dict)
        self.url = self._db.__enter__()
        context = multiprocessing.get_context("spawn")
        self.pool = context.Pool(
            workers, initializer=_init_worker, initargs=(self.url, context.Barrier(workers))
        )
        self.one("job_create_tables")

    def close(self) -> None:
        self.pool.terminate()  # idle workers: nothing to finish
        self.pool.join()
        self._db.__exit__(None, None, None)

    def one(self, job: str, **kwargs):
        """Run a job in one worker (seeding, reading the outcome)."""
        return self.pool.apply(_call, (job, kwargs))

    def together(self, job: str, shares: list[dict]) -> list:
        """Run `job` once in every worker at the same moment, each with its share."""
        assert len(shares) == self.workers, "one share per worker"
        results = self.pool.starmap(_call, [(job, share) for share in shares], chunksize=1)
        return [item for result in results for item in result]


def split(items: list, parts: int) -> list[list]:
    return [items[k::parts] for k in range(parts)]


# --- jobs (run inside a worker) ---------------------------------------------------------


def job_create_tables() -> None:
    """The schema from the models (faster than replaying every migration)."""
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command

    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)


def job_seed(*, people: int, places: int | None, signed_up: int = 0, confirm_within=None):
    """A community, an activity open to residents, `people` residents; the first
    `signed_up` of them signed up in order. Returns the ids."""
    import uuid

    from kuihua.activities.models import Activity
    from kuihua.activities.signups import services as signups
    from kuihua.activities.tests.factories import ActivityFactory
    from kuihua.core.tenancy import use_community
    from kuihua.registry.tests.factories import CommunityFactory, ResidentFactory

    code = uuid.uuid4().hex[:8]
    community = CommunityFactory(code=f"race-{code}", name=f"赛跑社区{code}")
    with use_community(community):
        activity = ActivityFactory(
            community=community,
            places=places,
            audience=Activity.Audience.RESIDENTS,
            confirm_within_hours=confirm_within,
        )
        residents = [
            ResidentFactory(household__building__compound__community=community)
            for _ in range(people)
        ]
        made = [
            signups.signup_create(actor=None, activity=activity, resident=r).pk
            for r in residents[:signed_up]
        ]
    return {
        "community": community.pk,
        "activity": activity.pk,
        "residents": [r.pk for r in residents],
        "signups": made,
    }


def job_sign_up(*, community: int, activity: int, residents: list[int]) -> list[str]:
    """Wait for every worker, then sign each resident up; the outcome of each."""
    from kuihua.activities.models import Activity
    from kuihua.activities.signups import services as signups
    from kuihua.core.tenancy import use_community
    from kuihua.registry.models import Resident

    outcomes = []
    with use_community(community):
        target = Activity.objects.get(pk=activity)
        people = list(Resident.objects.filter(pk__in=residents))
        _barrier.wait(timeout=60)
        for person in people:
            try:
                outcomes.append(
                    signups.signup_create(actor=None, activity=target, resident=person).status
                )
            except signups.SignupError as exc:
                outcomes.append(str(exc))
    return outcomes


def job_cancel(*, community: int, signups_to_cancel: list[int]) -> list[str]:
    from kuihua.activities.models import Signup
    from kuihua.activities.signups import services as signups
    from kuihua.core.tenancy import use_community

    outcomes = []
    with use_community(community):
        mine = list(Signup.objects.filter(pk__in=signups_to_cancel))
        _barrier.wait(timeout=60)
        for signup in mine:
            try:
                outcomes.append(signups.signup_cancel(actor=None, signup=signup).status)
            except signups.SignupError as exc:
                outcomes.append(str(exc))
    return outcomes


def job_mixed(*, community: int, activity: int, cancel: list[int], sign_up: list[int]):
    """Cancel some sign-ups and sign new people up, interleaved."""
    from kuihua.activities.models import Activity, Signup
    from kuihua.activities.signups import services as signups
    from kuihua.core.tenancy import use_community
    from kuihua.registry.models import Resident

    outcomes = []
    with use_community(community):
        target = Activity.objects.get(pk=activity)
        to_cancel = list(Signup.objects.filter(pk__in=cancel))
        people = list(Resident.objects.filter(pk__in=sign_up))
        _barrier.wait(timeout=60)
        for signup, person in itertools.zip_longest(to_cancel, people):
            if signup is not None:
                outcomes.append(signups.signup_cancel(actor=None, signup=signup).status)
            if person is not None:
                made = signups.signup_create(actor=None, activity=target, resident=person)
                outcomes.append(made.status)
    return outcomes


def job_churn(
    *, community: int, activity: int, cancel: list[int], sign_up: list[int], expire: bool
) -> list[str]:
    """Cancel, sign up, accept the offers one's people got, and (`expire`) let offers run
    out (in every activity of the database), interleaved: everything that moves places
    and the queue of one activity."""
    import datetime as dt

    from django.utils import timezone

    from kuihua.activities.models import Activity, Signup
    from kuihua.activities.signups import services as signups
    from kuihua.core.tenancy import use_community
    from kuihua.registry.models import Resident

    outcomes = []
    with use_community(community):
        target = Activity.objects.get(pk=activity)
        to_cancel = list(Signup.objects.filter(pk__in=cancel))
        people = list(Resident.objects.filter(pk__in=sign_up))
        mine = [s.resident_id for s in to_cancel] + [p.pk for p in people]
        _barrier.wait(timeout=60)
        for step, (signup, person) in enumerate(itertools.zip_longest(to_cancel, people)):
            if signup is not None:
                try:
                    outcomes.append(signups.signup_cancel(actor=None, signup=signup).status)
                except signups.SignupError as exc:  # an offer of it ran out meanwhile
                    outcomes.append(str(exc))
            if person is not None:
                made = signups.signup_create(actor=None, activity=target, resident=person)
                outcomes.append(made.status)
            offered = Signup.objects.filter(
                activity=target, status=Signup.Status.OFFERED, resident_id__in=mine
            )
            for offer in offered[:1]:
                try:
                    outcomes.append(signups.offer_accept(actor=None, signup=offer).status)
                except signups.SignupError as exc:  # expired by another process meanwhile
                    outcomes.append(str(exc))
            if expire and step % 2:
                later = timezone.now() + dt.timedelta(hours=3)
                outcomes.extend(["expired"] * signups.offers_expire(now=later))
    return outcomes


def job_outcome(*, community: int, activity: int) -> dict:
    """What the database holds after a race."""
    from django.db.models import Count

    from kuihua.activities.models import Activity, Signup
    from kuihua.activities.signups.selectors import waitlist_position
    from kuihua.core.models import AuditLog
    from kuihua.core.tenancy import use_community

    with use_community(community):
        target = Activity.objects.get(pk=activity)
        rows = Signup.objects.filter(activity=target)
        by_status = dict(rows.values_list("status").annotate(n=Count("id")).order_by())
        live = rows.exclude(status=Signup.Status.CANCELLED)
        per_person = live.values("resident_id").annotate(n=Count("id")).order_by()
        waitlisted = list(live.filter(status=Signup.Status.WAITLISTED))
        held = sorted(
            rows.filter(status__in=["confirmed", "offered"]).values_list("queued_at", flat=True)
        )
        return {
            "places": target.places,
            "places_taken": target.places_taken,
            # Whether filled_at is set, and falls among the sign-ups that hold places.
            "filled": target.filled_at is not None,
            "filled_among_places": bool(
                held and target.filled_at and held[0] <= target.filled_at <= held[-1]
            ),
            "by_status": by_status,
            "duplicates": sum(1 for row in per_person if row["n"] > 1),
            "positions": sorted(waitlist_position(s) for s in waitlisted),
            "audited_sign_ups": AuditLog.objects.filter(
                action="signup.create", object_id__in=rows.values("id")
            ).count(),
            "sign_ups": rows.count(),
            "offers_expired": AuditLog.objects.filter(
                action="signup.offer_expire", object_id__in=rows.values("id")
            ).count(),
            "promoted": Signup.objects.filter(
                activity=target, status__in=["confirmed", "offered"], pk__in=_promoted_ids()
            ).count(),
        }


def _promoted_ids():
    from kuihua.core.models import AuditLog

    return AuditLog.objects.filter(action="signup.promote").values("object_id")
