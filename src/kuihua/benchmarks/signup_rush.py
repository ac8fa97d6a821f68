"""`kuihua bench signup-rush [--db sqlite|postgres] [--n 5000] [--concurrency 200]`.

The rush the issue describes (50 places for vaccination helpers, gone in half a
day, here in seconds): the production server — gunicorn with several worker
processes, production settings, DEBUG off — on a free loopback port against a
fresh database (PostgreSQL: a new database on 127.0.0.1:5432 as user postgres,
dropped afterwards; SQLite: a temporary file), one activity with 50 places and
N volunteers, each with an API token. N sign-ups from distinct volunteers are
fired at once by an asyncio HTTP/1.1 client with `--concurrency` connections in
flight; then, from the same server in the same run, as many GET /api/me (the
same token authentication, no business logic) to give the trivial rate the
sign-ups are compared with. The database is then read directly: who is
confirmed, who queued, whether anything was over-booked or doubled.

Each phase also reports the CPU it cost per request, from /proc as `ps` reads
it: the gunicorn master and workers, and (PostgreSQL) the server processes of the
benchmark database's connections. The load client's own CPU is not counted.

The sign-up rate limits are raised for the server (KUIHUA_SIGNUP_RATE*): the
benchmark measures the sign-up itself, not the throttle.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

DESCRIPTION = "N concurrent sign-ups for 50 places over HTTP against gunicorn (postgres|sqlite)"
PLACES = 50
DEFAULT_N = 5_000
DEFAULT_CONCURRENCY = 200
POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REQUEST_TIMEOUT = 60
START_TIMEOUT = 60
# Each phase stops sending after this long; what was not sent is reported.
PHASE_LIMIT = 900


def run(
    *,
    scale: float = 1.0,
    say: Callable[[str], None] = print,
    db: str = "postgres",
    n: int | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> dict:
    n = max(PLACES + 10, n or round(DEFAULT_N * scale))
    concurrency = max(1, min(concurrency, n))
    workers = max(2, (os.cpu_count() or 1) * 2)
    with (
        tempfile.TemporaryDirectory(prefix="kuihua-bench-rush-") as home,
        _database(db, home) as url,
    ):
        env = _server_env(home, url)
        say(f"{db}: migrating a fresh database …")
        _manage(env, "migrate", "--no-input", "-v0")
        say(f"seeding one activity with {PLACES} places and {n} volunteers with tokens …")
        seeded = _seed(env, n=n, home=home)
        port = _free_port()
        say(f"starting gunicorn ({workers} workers) on 127.0.0.1:{port} …")
        with _server(env, port=port, workers=workers, home=home) as server:
            # Every worker loads the URLs and the API on its first request: not measured.
            asyncio.run(
                _fire(port, "GET", "/api/me", seeded["tokens"][: workers * 8], concurrency=workers)
            )
            say(f"rush: {n} sign-ups, {concurrency} at a time …")
            path = f"/api/activities/{seeded['activity']}/signups"
            with _cpu(server.pid, url) as rush_cpu:
                rush = asyncio.run(
                    _fire(port, "POST", path, seeded["tokens"], concurrency=concurrency)
                )
            say(f"trivial: {n} GET /api/me, {concurrency} at a time …")
            with _cpu(server.pid, url) as trivial_cpu:
                trivial = asyncio.run(
                    _fire(port, "GET", "/api/me", seeded["tokens"], concurrency=concurrency)
                )
        outcome = _outcome(url, seeded["activity"])
    statuses = rush["statuses"]
    rps = round(rush["sent"] / rush["seconds"], 1)
    trivial_rps = round(trivial["sent"] / trivial["seconds"], 1)
    figures = {
        "benchmark": "signup-rush",
        "db": db,
        "n": n,
        "concurrency": concurrency,
        "server_workers": workers,
        "places": PLACES,
        "confirmed": outcome["confirmed"],
        "waitlisted": outcome["waitlisted"],
        "overbooked": max(0, outcome["holding"] - PLACES),
        "duplicates": outcome["duplicates"],
        "places_taken_consistent": outcome["places_taken"] == outcome["holding"],
        "server_errors": sum(v for k, v in statuses.items() if k.isdigit() and int(k) >= 500),
        "failed_requests": statuses.get("failed", 0) + statuses.get("not_sent", 0),
        "statuses": statuses,
        "seconds": round(rush["seconds"], 2),
        "requests_per_s": rps,
        "p50_ms": rush["p50_ms"],
        "p99_ms": rush["p99_ms"],
        "trivial_requests_per_s": trivial_rps,
        "trivial_errors": sum(v for k, v in trivial["statuses"].items() if k != "200"),
        "ratio": round(rps / trivial_rps, 2) if trivial_rps else None,
        **_per_request("signup", rush_cpu, rush["sent"]),
        **_per_request("trivial", trivial_cpu, trivial["sent"]),
    }
    if figures["trivial_cpu_ms"]:
        figures["cpu_ratio"] = round(figures["signup_cpu_ms"] / figures["trivial_cpu_ms"], 2)
    say(
        f"confirmed {figures['confirmed']}, waitlisted {figures['waitlisted']}, "
        f"overbooked {figures['overbooked']}, duplicates {figures['duplicates']}, "
        f"{rps} sign-ups/s vs {trivial_rps} trivial requests/s; CPU per request "
        f"{figures['signup_cpu_ms']} vs {figures['trivial_cpu_ms']} ms"
    )
    return figures


# --- the database and the server -------------------------------------------------------


@contextmanager
def _database(kind: str, home: str):
    if kind == "sqlite":
        yield f"sqlite:///{Path(home) / 'bench.sqlite3'}"
        return
    if kind != "postgres":
        raise ValueError("--db is sqlite or postgres")
    import psycopg

    name = f"kuihua_bench_rush_{os.getpid()}"
    admin = dict(POSTGRES, dbname="postgres", autocommit=True)
    with psycopg.connect(**admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{POSTGRES['user']}@{POSTGRES['host']}:{POSTGRES['port']}/{name}"
    finally:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _server_env(home: str, url: str) -> dict:
    from cryptography.fernet import Fernet

    (Path(home) / "static").mkdir(exist_ok=True)
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kuihua.config.settings.production",
        "DATABASE_URL": url,
        "KUIHUA_HOME": home,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "KUIHUA_FIELD_KEYS": Fernet.generate_key().decode(),
        "KUIHUA_INDEX_KEY": secrets.token_urlsafe(32),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "KUIHUA_SIGNUP_RATE": "1000000/s",
        "KUIHUA_SIGNUP_RATE_GLOBAL": "1000000/s",
        # Production shares its cache and queue through Redis; so does the bench.
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
    }


def _manage(env: dict, *args: str) -> None:
    done = subprocess.run(  # noqa: S603 - our own interpreter, no shell
        [sys.executable, "-m", "django", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage {' '.join(args)} failed:\n{done.stderr[-3000:]}")


def _seed(env: dict, *, n: int, home: str) -> dict:
    out = Path(home) / "seeded.json"
    done = subprocess.run(  # noqa: S603 - our own module, no shell
        [sys.executable, "-m", "kuihua.benchmarks.signup_rush", "seed", str(n), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"seeding failed:\n{done.stderr[-3000:]}")
    return json.loads(out.read_text())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _server(env: dict, *, port: int, workers: int, home: str):
    log = open(Path(home) / "server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(  # noqa: S603 - our own interpreter, no shell
        [
            sys.executable,
            "-m",
            "gunicorn",
            "kuihua.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--backlog",
            "4096",
            "--timeout",
            "120",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(port, server)
        yield server
    except BaseException:
        log.flush()
        tail = (Path(home) / "server.log").read_text()[-3000:]
        print(tail, file=sys.stderr)
        raise
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server stopped during start-up")
        try:
            status, _ = asyncio.run(_request(port, "GET", "/api/me", ""))
            if status == 401:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not answer in time")


# --- CPU, as ps reads it ----------------------------------------------------------------

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def _proc_stat(pid: int) -> tuple[int, list[str]] | None:
    """(parent pid, the fields after the command) of /proc/PID/stat, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return int(fields[1]), fields


def _cpu_ms(fields: list[str], *, reaped: bool = False) -> float:
    """utime + stime (and, with `reaped`, the children it waited for), in milliseconds."""
    ticks = int(fields[11]) + int(fields[12])
    if reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks * TICK_MS


def _app_cpu(master: int) -> dict[int, float]:
    """CPU of the gunicorn master and its workers, by pid (a worker that was replaced
    counts through the master's reaped children)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _proc_stat(int(entry.name))
            if stat and (stat[0] == master or int(entry.name) == master):
                found[int(entry.name)] = _cpu_ms(stat[1], reaped=int(entry.name) == master)
    return found


def _database_pids(url: str) -> list[int]:
    """The server processes serving the benchmark's PostgreSQL database (its connections)."""
    if not url.startswith("postgres"):
        return []
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(**dict(POSTGRES, dbname="postgres", autocommit=True)) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchall()
    return [pid for (pid,) in rows]


def _database_cpu(pids) -> dict[int, float]:
    found = {}
    for pid in pids:
        stat = _proc_stat(pid)
        if stat:
            found[pid] = _cpu_ms(stat[1])
    return found


@contextmanager
def _cpu(master: int, url: str):
    """CPU milliseconds the app's processes and the database's connections spent inside.

    The database's part is that of the PostgreSQL processes serving the benchmark's
    database (the server writes WAL and commits in those); on SQLite the database
    works inside the app's processes and its part is 0.
    """
    spent: dict[str, float] = {}
    app_before = _app_cpu(master)
    db_before = _database_cpu(_database_pids(url))
    yield spent
    app_after = _app_cpu(master)
    db_after = _database_cpu(set(db_before) | set(_database_pids(url)))
    spent["app"] = sum(app_after.values()) - sum(app_before.get(pid, 0.0) for pid in app_after)
    # a connection closed meanwhile took its CPU with it: reported, not guessed
    spent["db"] = sum(db_after.values()) - sum(db_before.get(pid, 0.0) for pid in db_after)
    spent["db_connections_lost"] = len(set(db_before) - set(db_after))


def _per_request(label: str, spent: dict, requests: int) -> dict:
    if not requests:
        return {f"{label}_cpu_ms": None}
    return {
        f"{label}_cpu_ms": round((spent["app"] + spent["db"]) / requests, 2),
        f"{label}_app_cpu_ms": round(spent["app"] / requests, 2),
        f"{label}_db_cpu_ms": round(spent["db"] / requests, 2),
        f"{label}_db_connections_lost": spent["db_connections_lost"],
    }


# --- the load --------------------------------------------------------------------------


async def _request(port: int, method: str, path: str, token: str) -> tuple[int, float]:
    """One HTTP/1.1 request on its own connection (gunicorn's sync workers close each)."""
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        body = b"{}" if method == "POST" else b""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            f"Accept: application/json\r\nContent-Length: {len(body)}\r\n"
        )
        if body:
            head += "Content-Type: application/json\r\n"
        if token:
            head += f"Authorization: Bearer {token}\r\n"
        writer.write(head.encode() + b"\r\n" + body)
        await writer.drain()
        status_line = await reader.readline()
        await reader.read()  # to the end: the server closes the connection
        status = int(status_line.split()[1])
    finally:
        writer.close()
    return status, time.perf_counter() - started


async def _fire(port: int, method: str, path: str, tokens: list[str], *, concurrency: int):
    """One request per token, `concurrency` in flight; statuses, latencies, duration."""
    queue = list(reversed(tokens))
    statuses: dict[str, int] = {}
    latencies: list[float] = []

    deadline = time.perf_counter() + PHASE_LIMIT

    async def client() -> None:
        while queue and time.perf_counter() < deadline:
            token = queue.pop()
            try:
                status, seconds = await asyncio.wait_for(
                    _request(port, method, path, token), REQUEST_TIMEOUT
                )
                key = str(status)
                latencies.append(seconds)
            except (OSError, TimeoutError, ValueError, IndexError):
                key = "failed"
            statuses[key] = statuses.get(key, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    latencies.sort()
    if queue:
        statuses["not_sent"] = len(queue)
    return {
        "sent": len(tokens) - len(queue),
        "statuses": dict(sorted(statuses.items())),
        "seconds": seconds,
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1) if latencies else None,
    }


# --- reading the outcome ---------------------------------------------------------------


def _outcome(url: str, activity_id: int) -> dict:
    """Read the result straight from the database (a connection of our own)."""
    import uuid

    from django.db import DEFAULT_DB_ALIAS, connections

    from kuihua.config.settings.base import database_from_url

    alias = f"bench_rush_{uuid.uuid4().hex[:8]}"
    connections.settings[alias] = connections.configure_settings(
        {DEFAULT_DB_ALIAS: {}, alias: database_from_url(url)}
    )[alias]
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT status, COUNT(*) FROM activities_signup"
                " WHERE activity_id = %s GROUP BY status",
                [activity_id],
            )
            by_status = dict(cursor.fetchall())
            cursor.execute(
                "SELECT COUNT(*) FROM (SELECT resident_id FROM activities_signup"
                " WHERE activity_id = %s AND status <> 'cancelled'"
                " GROUP BY resident_id HAVING COUNT(*) > 1) AS doubled",
                [activity_id],
            )
            (duplicates,) = cursor.fetchone()
            cursor.execute(
                "SELECT places_taken FROM activities_activity WHERE id = %s", [activity_id]
            )
            (places_taken,) = cursor.fetchone()
        connections[alias].close()
    finally:
        del connections.settings[alias]
    return {
        "confirmed": by_status.get("confirmed", 0),
        "waitlisted": by_status.get("waitlisted", 0),
        "holding": by_status.get("confirmed", 0) + by_status.get("offered", 0),
        "duplicates": duplicates,
        "places_taken": places_taken,
    }


# --- seeding (in a child process with the server's settings) ---------------------------


def _seed_child(n: int, out: Path) -> None:
    import datetime as dt
    from decimal import Decimal

    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from kuihua.accounts.models import ApiToken, Role, User
    from kuihua.activities.models import Activity
    from kuihua.core.tenancy import use_community
    from kuihua.organizations.models import Branch, Category, Membership, Organization
    from kuihua.registry.models import Resident
    from kuihua.tenants import community_create

    community = community_create(name="抢报名社区", code="rush")
    with use_community(community), transaction.atomic():
        organization = Organization.objects.create(
            community=community,
            name="疫苗接种志愿服务队",
            category=Category.WELFARE,
            branch=Branch.objects.get(category=Category.WELFARE),
        )
        start = timezone.now() + dt.timedelta(days=1)
        activity = Activity.objects.create(
            community=community,
            organization=organization,
            title="疫苗接种现场引导",
            address="社区卫生服务站",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=4),
            places=PLACES,
            hours_credited=Decimal("4"),
            audience=Activity.Audience.VOLUNTEERS,
        )
        Resident.objects.bulk_create(
            Resident(
                community=community,
                name=f"志愿者{i}",
                name_pinyin=f"zhiyuanzhe{i}",
                name_initials="zyz",
                birth_date=dt.date(1970 + i % 40, 1 + i % 12, 1 + i % 28),
            )
            for i in range(n)
        )
        residents = list(Resident.objects.order_by("id").values_list("id", flat=True))
        Membership.objects.bulk_create(
            Membership(community=community, organization=organization, resident_id=r)
            for r in residents
        )
        unusable = make_password(None)  # an unusable password: tokens only
        User.objects.bulk_create(
            User(
                username=f"rush{i}",
                role=Role.VOLUNTEER,
                community=community,
                resident_id=r,
                password=unusable,
            )
            for i, r in enumerate(residents)
        )
        users = list(User.objects.filter(community=community).order_by("id"))
        tokens = ["kh_" + secrets.token_urlsafe(32) for _ in users]
        ApiToken.objects.bulk_create(
            ApiToken(user=u, name="rush", digest=ApiToken.digest_of(t), prefix=t[:8])
            for u, t in zip(users, tokens, strict=True)
        )
    out.write_text(json.dumps({"activity": activity.pk, "tokens": tokens}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["seed"]:
        _seed_child(int(sys.argv[2]), Path(sys.argv[3]))
