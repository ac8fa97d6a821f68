"""`kuihua [--db PATH] bench dashboard [--communities N] [--scale F] [--db sqlite|postgres]`.

The dashboards (数据看板, docs/dashboard.md) on a district of N demo communities
(default 100, about 15,000 residents and a year of history each at scale 1):

1. **communities**: the database's demo communities `demo-1` … `demo-N` are reused
   where they exist (seeding a hundred takes about forty minutes); the missing ones
   are generated at `--scale` and the time it took is reported;
2. **people**: a coordinator of demo-1 and a district viewer of all N, made once and
   reused;
3. **pages**: the community dashboard (`dashboard:home`, the coordinator) and the
   district dashboard (`dashboard:district`, the viewer), each cold (the cache
   cleared; after one untimed request that loads the code and templates) and warm
   (the median of the next three requests), through Django's test client, with the
   number of queries and the process's CPU time of each. Until the pages exist,
   `dashboard_for()` itself is timed and the figures say `"pages": false`.

Goals: every warm dashboard under 300 ms, and the district's no more than 3× the
community's (cold and warm); the figures say whether each held, without failing.

Which database: by default the configured one (`kuihua --db PATH bench dashboard`,
else DATABASE_URL, else the demo's), so that a seeded district is reused from one run
to the next. `--db sqlite|postgres` after the benchmark's name instead makes a fresh
database of that kind, seeds it and drops it at the end (as the other benchmarks do).
The last line of output is one JSON object.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

DESCRIPTION = (
    "community and district dashboards, cold and warm, on N demo communities "
    "(the configured database, reused; or a fresh sqlite|postgres)"
)
COMMUNITIES = 100
WARM_GOAL_MS = 300
WARM_REPEATS = 3
RATIO_GOAL = 3
COORDINATOR = "bench-dashboard-coordinator"
VIEWER = "bench-dashboard-viewer"
TIME_LIMIT = 6 * 3600


def run(
    *,
    scale: float = 1.0,
    say: Callable[[str], None] = print,
    communities: int = COMMUNITIES,
    db: str | None = None,
) -> dict:
    if communities < 1:
        raise ValueError("--communities must be at least 1")
    if db is None:
        return measure(communities=communities, scale=scale, say=say)
    from kuihua.benchmarks.signup_rush import _database

    with (
        tempfile.TemporaryDirectory(prefix="kuihua-bench-dashboard-") as home,
        _database(db, home) as url,
    ):
        env = {
            **os.environ,
            "KUIHUA_HOME": home,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "kuihua.config.settings.local",
        }
        say(f"fresh {db} database; {communities} communities at scale {scale} …")
        done = subprocess.run(  # noqa: S603 - our own module, no shell
            [sys.executable, "-m", "kuihua.benchmarks.dashboard", str(communities), str(scale)],
            env=env,
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the dashboard benchmark failed:\n{done.stderr[-3000:]}")
        lines = done.stdout.strip().splitlines()
        for line in lines[:-1]:
            say(line)
        figures = json.loads(lines[-1])
    figures["fresh_database"] = db
    return figures


def _migrate_if_needed() -> bool:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return False
    call_command("migrate", interactive=False, verbosity=0)
    return True


def _communities(count: int, scale: float, say: Callable[[str], None]) -> tuple[list, dict]:
    """demo-1 … demo-`count`, the missing ones generated now."""
    from django.db import connection

    from kuihua.core.models import Community
    from kuihua.demo.plan import community_identity
    from kuihua.demo.write import generate_community

    codes = {index: community_identity(index)[1] for index in range(1, count + 1)}
    found = {c.code: c for c in Community.objects.filter(code__in=codes.values())}
    missing = [index for index, code in codes.items() if code not in found]
    seeding = {"reused": len(found), "seeded": len(missing), "seed_seconds": 0.0}
    if found:
        say(f"reusing {len(found)} demo communities already in the database")
    if missing:
        say(f"seeding {len(missing)} missing communities at scale {scale} …")
        started = time.perf_counter()
        for done, index in enumerate(missing, start=1):
            began = time.perf_counter()
            community = generate_community(index=index, scale=scale)
            found[community.code] = community
            say(
                f"  {community.code} {community.name} ({done}/{len(missing)}, "
                f"{time.perf_counter() - began:.1f} s)"
            )
        seeding["seed_seconds"] = round(time.perf_counter() - started, 1)
        say(f"seeded {len(missing)} of {count} communities in {seeding['seed_seconds']} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    return [found[codes[index]] for index in sorted(codes)], seeding


def _people(communities: list) -> tuple:
    """The coordinator of the first community and a viewer of them all (made once)."""
    from kuihua.accounts.models import Role, User

    def account(username: str, role: str, community) -> User:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role = role
        user.community = community
        user.display_name = "看板压测"
        user.is_active = True
        if not user.pk:
            user.set_unusable_password()  # signed in by force_login only
        user.save()
        return user

    coordinator = account(COORDINATOR, Role.COORDINATOR, communities[0])
    viewer = account(VIEWER, Role.DISTRICT_VIEWER, None)
    viewer.viewable_communities.set(communities)
    return coordinator, viewer


def _timed(fetch: Callable[[], object]) -> dict:
    """One call of `fetch`: its time in ms and its number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        began, cpu = time.perf_counter(), time.process_time()
        fetch()
        ms = (time.perf_counter() - began) * 1000
        cpu_ms = (time.process_time() - cpu) * 1000
    return {"ms": round(ms, 2), "cpu_ms": round(cpu_ms, 2), "queries": len(queries)}


def _cold_and_warm(fetch: Callable[[], object]) -> tuple[dict, dict]:
    """The first request after the cache is cleared, then the median of the next three
    (by time). A request beforehand, not timed, loads the code and the templates, so
    that cold means the figures' cache, not the process."""
    from django.core.cache import cache

    fetch()
    cache.clear()
    cold = _timed(fetch)
    warm = sorted((_timed(fetch) for _ in range(WARM_REPEATS)), key=lambda t: t["ms"])
    return cold, warm[len(warm) // 2]


def _page(client, url: str) -> Callable[[], object]:
    def fetch():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response

    return fetch


def measure(*, communities: int, scale: float, say: Callable[[str], None]) -> dict:
    """The benchmark on the configured database (run in this process)."""
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from kuihua.core.tenancy import across_communities
    from kuihua.dashboard.selectors import dashboard_for
    from kuihua.registry.models import Resident

    if _migrate_if_needed():
        say("migrated the database")
    district, seeding = _communities(communities, scale, say)
    ids = [c.pk for c in district]
    with across_communities(ids):
        residents = Resident.objects.count()
    say(f"{len(ids)} communities, {residents:,} residents ({connection.vendor})")
    coordinator, viewer = _people(district)
    year = timezone.localdate().year

    try:
        urls = (reverse("dashboard:home"), reverse("dashboard:district"))
    except NoReverseMatch:
        urls = None
    if urls is not None:
        pages = True
        community_client = Client(HTTP_HOST="localhost")
        community_client.force_login(coordinator)
        district_client = Client(HTTP_HOST="localhost")
        district_client.force_login(viewer)
        fetch_community = _page(community_client, urls[0])
        fetch_district = _page(district_client, urls[1])
    else:
        pages = False
        say("no dashboard pages yet: timing dashboard_for() itself")

        def fetch_community():
            return dashboard_for(ids[:1], year)

        def fetch_district():
            return dashboard_for(ids, year)

    results = {}
    for name, fetch in (("community", fetch_community), ("district", fetch_district)):
        cold, warm = _cold_and_warm(fetch)
        results[name] = (cold, warm)
        say(
            f"{name}: cold {cold['ms']} ms ({cold['queries']} queries), "
            f"warm {warm['ms']} ms ({warm['queries']} queries)"
        )
    (community_cold, community_warm), (district_cold, district_warm) = (
        results["community"],
        results["district"],
    )
    ratio_cold = round(district_cold["ms"] / max(community_cold["ms"], 0.01), 2)
    ratio_warm = round(district_warm["ms"] / max(community_warm["ms"], 0.01), 2)
    return {
        "benchmark": "dashboard",
        "db": connection.vendor,
        "pages": pages,
        "communities": len(ids),
        "residents": residents,
        "year": year,
        **seeding,
        "community_cold_ms": community_cold["ms"],
        "community_warm_ms": community_warm["ms"],
        "district_cold_ms": district_cold["ms"],
        "district_warm_ms": district_warm["ms"],
        # The process's CPU time of each request (Python and SQLite's own work): steadier
        # than the clock on a busy machine; a PostgreSQL server's work is not in it.
        "community_cold_cpu_ms": community_cold["cpu_ms"],
        "community_warm_cpu_ms": community_warm["cpu_ms"],
        "district_cold_cpu_ms": district_cold["cpu_ms"],
        "district_warm_cpu_ms": district_warm["cpu_ms"],
        "community_cold_queries": community_cold["queries"],
        "community_warm_queries": community_warm["queries"],
        "district_cold_queries": district_cold["queries"],
        "district_warm_queries": district_warm["queries"],
        "ratio_cold": ratio_cold,
        "ratio_warm": ratio_warm,
        "goal_warm_under_300_ms": max(community_warm["ms"], district_warm["ms"]) < WARM_GOAL_MS,
        "goal_district_within_3x": ratio_cold <= RATIO_GOAL and ratio_warm <= RATIO_GOAL,
    }


def _child(communities: int, scale: float) -> dict:
    import django

    django.setup()
    return measure(communities=communities, scale=scale, say=lambda line: print(line, flush=True))


if __name__ == "__main__":
    print(json.dumps(_child(int(sys.argv[1]), float(sys.argv[2])), ensure_ascii=False))
