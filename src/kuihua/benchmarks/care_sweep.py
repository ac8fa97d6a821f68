"""`kuihua bench care-sweep [--db sqlite|postgres] [--scale F]`.

With 10,000 and with 1,000,000 people enrolled (the larger × scale), each on a
fresh database: the time of a quiet sweep (no window has closed since the last
one; the median of five) at each size and their ratio, then a busy sweep in
which 1% of everyone's windows were missed at once, as alerts raised per
second. The sweep is the worker's own (`care.sweep.windows_sweep`): it reads
through the partial index on the window cursor, so a quiet sweep should cost
about the same at any size (goal: ratio ≤ 3), and a busy one should raise
≥ 1,000 alerts per second at both sizes.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable

DESCRIPTION = "quiet and busy care sweeps at 10,000 and 1,000,000 enrolled (sqlite|postgres)"
SMALL = 10_000
LARGE = 1_000_000
TIME_LIMIT = 3600


def run(*, scale: float = 1.0, say: Callable[[str], None] = print, db: str = "sqlite") -> dict:
    from kuihua.benchmarks.signup_rush import _database

    sizes = [SMALL, max(SMALL, round(LARGE * scale))]
    results = {}
    for size in sizes:
        with (
            tempfile.TemporaryDirectory(prefix="kuihua-bench-care-") as home,
            _database(db, home) as url,
        ):
            env = {
                **os.environ,
                "KUIHUA_HOME": home,
                "DATABASE_URL": url,
                "DJANGO_SETTINGS_MODULE": "kuihua.config.settings.local",
            }
            say(f"{db}: enrolling {size:,} people …")
            done = subprocess.run(  # noqa: S603 - our own module, no shell
                [sys.executable, "-m", "kuihua.benchmarks.care_sweep", str(size)],
                env=env,
                capture_output=True,
                text=True,
                timeout=TIME_LIMIT,
                check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(f"care-sweep at {size} failed:\n{done.stderr[-3000:]}")
            results[size] = json.loads(done.stdout.strip().splitlines()[-1])
            say(
                f"{size:,}: quiet sweep {results[size]['quiet_ms']} ms, busy sweep "
                f"{results[size]['busy_alerts']} alerts at {results[size]['alerts_per_s']}/s"
            )
    small, large = results[sizes[0]], results[sizes[1]]
    return {
        "benchmark": "care-sweep",
        "db": db,
        "sizes": sizes,
        "quiet_ms": [small["quiet_ms"], large["quiet_ms"]],
        "quiet_ratio": round(large["quiet_ms"] / small["quiet_ms"], 2),
        "busy_alerts": [small["busy_alerts"], large["busy_alerts"]],
        "busy_seconds": [small["busy_seconds"], large["busy_seconds"]],
        "alerts_per_s": [small["alerts_per_s"], large["alerts_per_s"]],
        "seed_seconds": [small["seed_seconds"], large["seed_seconds"]],
    }


def _child(size: int) -> dict:
    import datetime as dt
    import time

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from kuihua.care.models import DEFAULT_WINDOWS, Alert, CareRecipient
    from kuihua.care.sweep import next_window, windows_sweep
    from kuihua.core.tenancy import use_community
    from kuihua.registry.models import Resident
    from kuihua.tenants import community_create

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    community = community_create(name="关爱压测社区", code="bench-care")
    now = timezone.now()
    opens, closes = next_window(DEFAULT_WINDOWS, now + dt.timedelta(hours=1))
    chunk = 50_000
    with use_community(community):
        for first in range(0, size, chunk):
            with transaction.atomic():
                residents = Resident.objects.bulk_create(
                    (
                        Resident(community=community, name=f"老人{i}", name_pinyin=f"laoren{i}")
                        for i in range(first, min(size, first + chunk))
                    ),
                    batch_size=5000,
                )
                CareRecipient.objects.bulk_create(
                    (
                        CareRecipient(
                            community=community,
                            resident=r,
                            windows=DEFAULT_WINDOWS,
                            next_opens_at=opens,
                            next_closes_at=closes,
                        )
                        for r in residents
                    ),
                    batch_size=5000,
                )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seed_seconds = time.perf_counter() - started

    windows_sweep(now=now)  # warm: the first sweep opens the connection and the caches
    quiet = []
    for _ in range(5):
        began = time.perf_counter()
        raised = windows_sweep(now=timezone.now())
        quiet.append((time.perf_counter() - began) * 1000)
        assert raised == 0

    # 1% of everyone missed the window that just closed.
    with use_community(community):
        ids = list(CareRecipient.objects.order_by("id").values_list("id", flat=True)[::100])
        just_closed = timezone.now() - dt.timedelta(seconds=30)
        for first in range(0, len(ids), 5000):
            CareRecipient.objects.filter(pk__in=ids[first : first + 5000]).update(
                next_opens_at=just_closed - dt.timedelta(hours=2), next_closes_at=just_closed
            )
    began = time.perf_counter()
    busy = windows_sweep(now=timezone.now())
    busy_seconds = time.perf_counter() - began
    with use_community(community):
        assert busy == len(ids) == Alert.objects.count()
    return {
        "size": size,
        "seed_seconds": round(seed_seconds, 1),
        "quiet_ms": round(statistics.median(quiet), 2),
        "busy_alerts": busy,
        "busy_seconds": round(busy_seconds, 2),
        "alerts_per_s": round(busy / busy_seconds),
    }


if __name__ == "__main__":
    print(json.dumps(_child(int(sys.argv[1]))))
