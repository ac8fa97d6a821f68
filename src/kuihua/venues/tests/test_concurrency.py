"""Eight people book the same room for the same two hours at the same instant: one booking.

Threads share the test database (a file or PostgreSQL, not SQLite in memory).
Processes (forked, each with its own connection) share a copy of the SQLite test
database in a file, or the PostgreSQL test database.
"""

import multiprocessing
import sqlite3
import threading
from pathlib import Path

import pytest
from django.db import connection

from kuihua.config.settings.base import database_from_url
from kuihua.core.tenancy import use_community
from kuihua.venues import services
from kuihua.venues.models import Booking
from kuihua.venues.tests.factories import local_datetime, tomorrow

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 8
IN_MEMORY = connection.vendor == "sqlite" and connection.settings_dict["NAME"] in ("", ":memory:")


def _book(*, actor, room, organization, title: str) -> str:
    try:
        services.booking_create(
            actor=actor,
            room=room,
            organization=organization,
            title=title,
            starts_at=local_datetime(tomorrow(), 9),
            ends_at=local_datetime(tomorrow(), 11),
        )
    except services.BookingClash as exc:
        return "clash" if exc.clash is not None else "clash-unnamed"
    return "booked"


@pytest.mark.skipif(IN_MEMORY, reason="threads need a database file or server")
def test_eight_threads_booking_one_slot_make_one_booking(community, coordinator, room, choir):
    start = threading.Barrier(ATTEMPTS)
    outcomes: list[str] = []

    def attempt(n: int) -> None:
        try:
            with use_community(community):
                start.wait()
                outcomes.append(
                    _book(actor=coordinator, room=room, organization=choir, title=f"排练{n}")
                )
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["booked"] + ["clash"] * (ATTEMPTS - 1)
    with use_community(community):
        assert Booking.objects.filter(cancelled_at__isnull=True).count() == 1


def _shared_database(tmp_path: Path) -> dict:
    """Settings for a database the processes share: the SQLite test DB copied to a file."""
    if connection.vendor != "sqlite":
        return dict(connection.settings_dict)
    path = tmp_path / "rush.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    # WAL before the rush, as a deployed database already is: switching the journal
    # mode needs the database to itself and would fail under concurrent connections.
    copy.execute("PRAGMA journal_mode=WAL")
    copy.close()
    return {**connection.settings_dict, **database_from_url(f"sqlite:///{path}")}


def _attempt_in_process(settings_dict, start, results, community_id, actor, room, organization):
    # The parent's connection came along with the fork: drop it (never close it from
    # here, that would close the parent's) and open our own to the shared database.
    connection.connection = None
    connection.settings_dict = settings_dict
    try:
        with use_community(community_id):
            start.wait()
            results.put(_book(actor=actor, room=room, organization=organization, title="排练"))
    except Exception as exc:
        results.put(f"error: {type(exc).__name__}: {exc}")
    finally:
        connection.close()


def test_eight_processes_booking_one_slot_make_one_booking(
    tmp_path, community, coordinator, room, choir
):
    shared = _shared_database(tmp_path)
    context = multiprocessing.get_context("fork")
    start = context.Barrier(ATTEMPTS)
    results = context.Queue()
    args = (shared, start, results, community.pk, coordinator, room, choir)
    processes = [context.Process(target=_attempt_in_process, args=args) for _ in range(ATTEMPTS)]
    for process in processes:
        process.start()
    outcomes = sorted(results.get(timeout=60) for _ in processes)
    for process in processes:
        process.join(timeout=60)

    assert outcomes == ["booked"] + ["clash"] * (ATTEMPTS - 1)
    if connection.vendor == "sqlite":
        with sqlite3.connect(shared["NAME"]) as db:
            (live,) = db.execute(
                "SELECT count(*) FROM venues_booking WHERE cancelled_at IS NULL"
            ).fetchone()
    else:
        with use_community(community):
            live = Booking.objects.filter(cancelled_at__isnull=True).count()
    assert live == 1
