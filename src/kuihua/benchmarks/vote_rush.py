"""`kuihua bench vote-rush [--db postgres|sqlite] [--owners 3000] [--clients 200] [--revotes 1000]`.

An owners' meeting held online (docs/adr/0012-ballots.md): the production server —
gunicorn with several worker processes, production settings, DEBUG off — on a free
loopback port against a fresh database (as `signup-rush`: PostgreSQL by default, a new
database on 127.0.0.1:5432 as user postgres, dropped afterwards), one compound of
`--owners` homes with floor areas, one owner each with an account and an API token,
and one owners' vote under the Civil Code (art. 278 item 4) that allows changes before
the close (the template's rule): an open ballot, so a change is read from the receipt.

1. **rush**: every owner votes once (agree, against, abstain in turn),
   `--clients` requests in flight, each POST /api/council/votes/{id}/ballot;
2. **re-votes**: `--revotes` of them vote again, all sent at the same moment with a
   different choice: each is a change and must not add a head;
3. **trivial**: as many GET /api/me (the same token authentication, no business logic)
   as the rush sent, for the rate a ballot is compared with.

Meanwhile a sampler reads pg_stat_activity every 20 ms (PostgreSQL): the share of the
server's busy connections that wait for a lock shows what `ballot_cast`'s lock of the
vote's row (select_for_update) costs. The database is then read directly: heads in the
tallies, receipts, changes. The goal: every owner counted exactly once (heads = receipts
= owners who got a 200; no double count), 0 server errors.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from kuihua.benchmarks.signup_rush import (
    _database,
    _free_port,
    _manage,
    _server,
    _server_env,
)

DESCRIPTION = "3,000 owners vote at once, then 1,000 change their vote, over HTTP (postgres|sqlite)"
DEFAULT_OWNERS = 3_000
DEFAULT_CLIENTS = 200
DEFAULT_REVOTES = 1_000
ALLOW_CHANGE = True
CHOICES = ("agree", "against", "abstain")
REQUEST_TIMEOUT = 60
# Each phase stops sending after this long; what was not sent is reported.
PHASE_LIMIT = 900
SAMPLE_EVERY = 0.02


def run(
    *,
    scale: float = 1.0,
    say: Callable[[str], None] = print,
    db: str = "postgres",
    owners: int | None = None,
    clients: int = DEFAULT_CLIENTS,
    revotes: int | None = None,
) -> dict:
    owners = max(3, owners or round(DEFAULT_OWNERS * scale))
    revotes = min(owners, round(DEFAULT_REVOTES * scale) if revotes is None else revotes)
    clients = max(1, min(clients, owners))
    workers = max(2, (os.cpu_count() or 1) * 2)
    with (
        tempfile.TemporaryDirectory(prefix="kuihua-bench-vote-") as home,
        _database(db, home) as url,
    ):
        env = _server_env(home, url)
        say(f"{db}: migrating a fresh database …")
        _manage(env, "migrate", "--no-input", "-v0")
        say(f"seeding one compound of {owners} owners with homes, areas and tokens, one vote …")
        seeded = _seed(env, owners=owners, home=home)
        tokens = seeded["tokens"]
        port = _free_port()
        path = f"/api/council/votes/{seeded['vote']}/ballot"
        say(f"starting gunicorn ({workers} workers) on 127.0.0.1:{port} …")
        with _server(env, port=port, workers=workers, home=home):
            # Every worker loads the URLs and the API on its first request: not measured.
            warm = [("GET", "/api/me", t, None) for t in tokens[: workers * 8]]
            asyncio.run(_fire(port, warm, concurrency=workers))
            first = [("POST", path, t, {"choice": CHOICES[i % 3]}) for i, t in enumerate(tokens)]
            say(f"rush: {owners} ballots, {clients} at a time …")
            with _LockSampler(url) as sampler:
                rush = asyncio.run(_fire(port, first, concurrency=clients))
            # The first `revotes` owners (agree, against, abstain in turn) each pick the
            # next choice, all at once.
            again = [
                ("POST", path, t, {"choice": CHOICES[(i + 1) % 3]})
                for i, t in enumerate(tokens[:revotes])
            ]
            say(f"re-votes: {revotes} owners vote again at the same moment …")
            revote = asyncio.run(_fire(port, again, concurrency=max(1, revotes)))
            say(f"trivial: {owners} GET /api/me, {clients} at a time …")
            trivial = asyncio.run(
                _fire(port, [("GET", "/api/me", t, None) for t in tokens], concurrency=clients)
            )
        outcome = _outcome(url, seeded["vote"])
    succeeded = {i for i, s in enumerate(rush["by_request"]) if s == 200}
    succeeded |= {i for i, s in enumerate(revote["by_request"]) if s == 200}
    statuses = _merge(rush["statuses"], revote["statuses"])
    expected_revote = 200 if ALLOW_CHANGE else 400
    rate = round(rush["ok"] / rush["seconds"], 1) if rush["seconds"] else None
    trivial_rate = round(trivial["sent"] / trivial["seconds"], 1) if trivial["seconds"] else None
    figures = {
        "benchmark": "vote-rush",
        "db": db,
        "owners": owners,
        "clients": clients,
        "revotes": revotes,
        "allow_change": ALLOW_CHANGE,
        "server_workers": workers,
        "votes_counted": outcome["heads"],
        "receipts": outcome["receipts"],
        "double_counts": outcome["heads"] - len(succeeded),
        "uncounted_owners": owners - outcome["heads"],
        "changes_recorded": outcome["changes"],
        "revotes_as_expected": revote["statuses"].get(str(expected_revote), 0),
        "server_errors": sum(v for k, v in statuses.items() if k.isdigit() and int(k) >= 500),
        "failed_requests": statuses.get("failed", 0) + statuses.get("not_sent", 0),
        "statuses": statuses,
        "seconds": round(rush["seconds"], 2),
        "votes_per_s": rate,
        "p50_ms": rush["p50_ms"],
        "p99_ms": rush["p99_ms"],
        "revote_seconds": round(revote["seconds"], 2),
        "revote_p50_ms": revote["p50_ms"],
        "revote_p99_ms": revote["p99_ms"],
        "trivial_requests_per_s": trivial_rate,
        "trivial_errors": sum(v for k, v in trivial["statuses"].items() if k != "200"),
        "ratio": round(rate / trivial_rate, 2) if rate and trivial_rate else None,
        "lock_wait_share": sampler.lock_share,
    }
    say(
        f"counted {figures['votes_counted']} of {owners} owners, double counts "
        f"{figures['double_counts']}, server errors {figures['server_errors']}, "
        f"{rate} votes/s (p50 {rush['p50_ms']} ms, p99 {rush['p99_ms']} ms) vs "
        f"{trivial_rate} trivial requests/s; lock waits {sampler.lock_share}"
    )
    return figures


def _merge(*counts: dict) -> dict:
    merged: dict[str, int] = {}
    for count in counts:
        for key, value in count.items():
            merged[key] = merged.get(key, 0) + value
    return dict(sorted(merged.items()))


def _seed(env: dict, *, owners: int, home: str) -> dict:
    out = Path(home) / "seeded.json"
    done = subprocess.run(  # noqa: S603 - our own module, no shell
        [sys.executable, "-m", "kuihua.benchmarks.vote_rush", "seed", str(owners), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"seeding failed:\n{done.stderr[-3000:]}")
    return json.loads(out.read_text())


# --- the load --------------------------------------------------------------------------


async def _request(
    port: int, method: str, path: str, token: str, body: dict | None
) -> tuple[int, float]:
    """One HTTP/1.1 request on its own connection (gunicorn's sync workers close each)."""
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        data = json.dumps(body).encode() if body is not None else b""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            f"Accept: application/json\r\nContent-Length: {len(data)}\r\n"
            f"Authorization: Bearer {token}\r\n"
        )
        if data:
            head += "Content-Type: application/json\r\n"
        writer.write(head.encode() + b"\r\n" + data)
        await writer.drain()
        status_line = await reader.readline()
        await reader.read()  # to the end: the server closes the connection
        status = int(status_line.split()[1])
    finally:
        writer.close()
    return status, time.perf_counter() - started


async def _fire(port: int, requests: list[tuple], *, concurrency: int) -> dict:
    """Each request once, `concurrency` in flight: statuses (each request's and counted),
    latencies, duration. With `concurrency` ≥ the requests, all leave at the same moment."""
    pending = list(reversed(range(len(requests))))
    by_request: list[int | None] = [None] * len(requests)
    statuses: dict[str, int] = {}
    latencies: list[float] = []
    deadline = time.perf_counter() + PHASE_LIMIT
    start = asyncio.Event()

    async def client() -> None:
        await start.wait()
        while pending and time.perf_counter() < deadline:
            index = pending.pop()
            method, path, token, body = requests[index]
            try:
                status, seconds = await asyncio.wait_for(
                    _request(port, method, path, token, body), REQUEST_TIMEOUT
                )
                key = str(status)
                by_request[index] = status
                latencies.append(seconds)
            except (OSError, TimeoutError, ValueError, IndexError):
                key = "failed"
            statuses[key] = statuses.get(key, 0) + 1

    tasks = [asyncio.ensure_future(client()) for _ in range(concurrency)]
    await asyncio.sleep(0)
    started = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    seconds = time.perf_counter() - started
    latencies.sort()
    if pending:
        statuses["not_sent"] = len(pending)
    return {
        "sent": len(requests) - len(pending),
        "ok": statuses.get("200", 0),
        "by_request": by_request,
        "statuses": dict(sorted(statuses.items())),
        "seconds": seconds,
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000, 1)
        if latencies
        else None,
    }


class _LockSampler:
    """Samples the server's connections on PostgreSQL while the rush runs: of those busy
    with a statement, the share waiting for a lock (the vote's row, a receipt's key)."""

    def __init__(self, url: str):
        self.url = url
        self.lock_share: float | None = None
        self._stop = threading.Event()
        self._busy = self._waiting = 0

    def __enter__(self):
        if self.url.startswith("postgres"):
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self.url.startswith("postgres"):
            self._thread.join(timeout=5)
            self.lock_share = round(self._waiting / self._busy, 2) if self._busy else 0.0
        return False

    def _sample(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.is_set():
                rows = conn.execute(
                    "SELECT wait_event_type FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    " AND state = 'active'"
                ).fetchall()
                self._busy += len(rows)
                self._waiting += sum(1 for (kind,) in rows if kind == "Lock")
                time.sleep(SAMPLE_EVERY)


# --- reading the outcome ---------------------------------------------------------------


def _outcome(url: str, vote_id: int) -> dict:
    """Read the result straight from the database (a connection of our own)."""
    import uuid

    from django.db import DEFAULT_DB_ALIAS, connections

    from kuihua.config.settings.base import database_from_url

    alias = f"bench_vote_{uuid.uuid4().hex[:8]}"
    connections.settings[alias] = connections.configure_settings(
        {DEFAULT_DB_ALIAS: {}, alias: database_from_url(url)}
    )[alias]
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT COALESCE(SUM(heads), 0) FROM council_choicetally WHERE vote_id = %s",
                [vote_id],
            )
            (heads,) = cursor.fetchone()
            cursor.execute(
                "SELECT COUNT(*), COUNT(DISTINCT voter_id), COALESCE(SUM(changes), 0)"
                " FROM council_ballotreceipt WHERE vote_id = %s",
                [vote_id],
            )
            receipts, distinct_voters, changes = cursor.fetchone()
        connections[alias].close()
    finally:
        del connections.settings[alias]
    return {
        "heads": int(heads),
        "receipts": receipts,
        "distinct_voters": distinct_voters,
        "changes": int(changes),
    }


# --- seeding (in a child process with the server's settings) ---------------------------


def _seed_child(owners: int, out: Path) -> None:
    import datetime as dt
    from decimal import Decimal

    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from kuihua.accounts.models import ApiToken, Role, User
    from kuihua.core.tenancy import use_community
    from kuihua.council import services
    from kuihua.council.models import Vote
    from kuihua.registry.models import Building, Compound, Household, Ownership, Resident
    from kuihua.tenants import community_create

    community = community_create(name="业主大会社区", code="vote-rush")
    with use_community(community), transaction.atomic():
        coordinator = User.objects.create(
            username="vote-rush-coordinator",
            role=Role.COORDINATOR,
            community=community,
            password=make_password(None),
        )
        compound = Compound.objects.create(community=community, name="翠苑三区")
        per_building = 100
        buildings = Building.objects.bulk_create(
            Building(community=community, compound=compound, name=f"{b + 1}幢")
            for b in range((owners + per_building - 1) // per_building)
        )
        Household.objects.bulk_create(
            Household(
                community=community,
                building=buildings[i // per_building],
                room=f"{1 + (i % per_building) // 4}0{1 + i % 4}",
                # 60.00 to 139.99 m², exact
                exclusive_area=Decimal(6000 + (i * 7919) % 8000) / 100,
            )
            for i in range(owners)
        )
        homes = list(Household.objects.order_by("id").values_list("id", flat=True))
        Resident.objects.bulk_create(
            Resident(
                community=community,
                household_id=h,
                name=f"业主{i}",
                name_pinyin=f"yezhu{i}",
                name_initials="yz",
                birth_date=dt.date(1950 + i % 45, 1 + i % 12, 1 + i % 28),
            )
            for i, h in enumerate(homes)
        )
        residents = list(Resident.objects.order_by("id").values_list("id", "household_id", "name"))
        Ownership.objects.bulk_create(
            Ownership(community=community, household_id=h, resident_id=r, name=name)
            for r, h, name in residents
        )
        unusable = make_password(None)  # an unusable password: tokens only
        User.objects.bulk_create(
            User(
                username=f"owner{i}",
                role=Role.RESIDENT,
                community=community,
                resident_id=r,
                password=unusable,
            )
            for i, (r, _h, _n) in enumerate(residents)
        )
        users = list(User.objects.filter(role=Role.RESIDENT).order_by("id"))
        tokens = ["kh_" + secrets.token_urlsafe(32) for _ in users]
        ApiToken.objects.bulk_create(
            ApiToken(user=u, name="vote-rush", digest=ApiToken.digest_of(t), prefix=t[:8])
            for u, t in zip(users, tokens, strict=True)
        )
    with use_community(community):
        vote = services.vote_open(
            actor=coordinator,
            title="续聘物业服务企业",
            voters=Vote.Voters.OWNER,
            majority=Vote.Majority.CIVIL_CODE,
            matter="4",
            compound=compound,
            closes_at=timezone.now() + dt.timedelta(days=1),
            secret=False,
            allow_change=ALLOW_CHANGE,
        )
        if vote.eligible_heads != owners:
            raise RuntimeError(f"{vote.eligible_heads} eligible heads, {owners} expected")
    out.write_text(json.dumps({"vote": vote.pk, "tokens": tokens}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["seed"]:
        _seed_child(int(sys.argv[2]), Path(sys.argv[3]))
