"""`kuihua bench sqlite-writers`: a rush of sign-ups on SQLite, default options vs tuned.

16 threads released together make 2,000 sign-up transactions for a drive with
2,000 places, each the way a view does it through Django: read the drive, take
a place with a conditional `UPDATE … WHERE taken < capacity`, insert the
sign-up. Once on a temporary SQLite file with Django's default options
(DEFERRED transactions, 5 s timeout, rollback journal), once with the options
`database_from_url` gives every SQLite URL (IMMEDIATE, WAL, 20 s busy timeout).

With the defaults, a transaction that has read cannot wait for the write lock:
SQLite answers "database is locked" at once, and places stay free although
people asked for them. Tuned, writers queue and every sign-up lands. Both runs
check that the counter equals the number of sign-ups (nothing counted twice).
"""

from __future__ import annotations

import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction

from kuihua.config.settings.base import database_from_url

DESCRIPTION = "2,000 sign-ups from 16 threads on SQLite: Django's default options vs kuihua's"
THREADS = 16
WRITES = 2_000


def default_options(path: Path) -> dict:
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}


def tuned_options(path: Path) -> dict:
    return database_from_url(f"sqlite:///{path}")


def run(*, scale: float = 1.0, say: Callable[[str], None] = print) -> dict:
    writes = max(THREADS, round(WRITES * scale))
    figures: dict = {"benchmark": "sqlite-writers", "threads": THREADS, "writes": writes}
    for label, options in (("default", default_options), ("tuned", tuned_options)):
        with tempfile.TemporaryDirectory(prefix="kuihua-bench-writers-") as tmp:
            say(f"{label}: {writes} sign-ups from {THREADS} threads …")
            result = _measure(options(Path(tmp) / "writers.sqlite3"), writes=writes)
        say(
            f"{label}: {result['errors']} 'database is locked' errors, "
            f"{result['signed_up']} signed up, {result['places_free']} places still free, "
            f"{result['seconds']} s"
        )
        for key, value in result.items():
            figures[f"{key}_{label}"] = value
    return figures


def _measure(config: dict, *, writes: int) -> dict:
    alias = f"bench_writers_{uuid.uuid4().hex[:8]}"
    connections.settings[alias] = connections.configure_settings(
        {DEFAULT_DB_ALIAS: {}, alias: dict(config)}
    )[alias]
    try:
        _create_tables(alias, capacity=writes)
        errors = [0] * THREADS
        failures: list[BaseException] = []
        start = threading.Barrier(THREADS + 1, timeout=60)
        threads = [
            threading.Thread(
                target=_sign_up,
                args=(alias, range(k, writes, THREADS), errors, k, start, failures),
                daemon=True,
            )
            for k in range(THREADS)
        ]
        for thread in threads:
            thread.start()
        start.wait()
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - began
        if failures:
            raise failures[0]
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT capacity, taken FROM drive WHERE id = 1")
            capacity, taken = cursor.fetchone()
            cursor.execute("SELECT COUNT(*) FROM signup")
            (signed_up,) = cursor.fetchone()
        connections[alias].close()
    finally:
        del connections.settings[alias]
    return {
        "errors": sum(errors),
        "seconds": round(seconds, 2),
        "signed_up": signed_up,
        "places_free": capacity - taken,
        "consistent": taken == signed_up,
    }


def _create_tables(alias: str, *, capacity: int) -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "CREATE TABLE drive (id INTEGER PRIMARY KEY, capacity INTEGER NOT NULL,"
            " taken INTEGER NOT NULL)"
        )
        cursor.execute(
            "CREATE TABLE signup (id INTEGER PRIMARY KEY AUTOINCREMENT,"
            " drive_id INTEGER NOT NULL, person INTEGER NOT NULL, UNIQUE (drive_id, person))"
        )
        cursor.execute("INSERT INTO drive (id, capacity, taken) VALUES (1, %s, 0)", [capacity])
    connections[alias].close()


def _sign_up(alias, people: range, errors: list[int], slot: int, start, failures) -> None:
    """One thread's share of the rush; counts "database is locked" as the user would see it."""
    connection = connections[alias]
    try:
        connection.ensure_connection()
    except BaseException:
        start.abort()
        raise
    try:
        start.wait()
        for person in people:
            try:
                with transaction.atomic(using=alias), connection.cursor() as cursor:
                    cursor.execute("SELECT capacity, taken FROM drive WHERE id = 1")
                    capacity, taken = cursor.fetchone()
                    if taken >= capacity:
                        continue
                    cursor.execute(
                        "UPDATE drive SET taken = taken + 1 WHERE id = 1 AND taken < capacity"
                    )
                    if cursor.rowcount == 1:
                        cursor.execute(
                            "INSERT INTO signup (drive_id, person) VALUES (1, %s)", [person]
                        )
            except OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                errors[slot] += 1
    except BaseException as exc:
        failures.append(exc)
    finally:
        connection.close()
