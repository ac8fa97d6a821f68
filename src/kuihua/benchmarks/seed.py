"""`kuihua bench seed`: how long one full-scale community takes to generate.

Runs in a child process on a fresh SQLite file in a temporary KUIHUA_HOME (the
embedded set-up: local settings, WAL, IMMEDIATE transactions), so that the
configured database is never touched and nothing is cached from an earlier run.
Migration time is reported apart from generation time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

DESCRIPTION = "generate one full-scale community (~15,000 residents) on a fresh SQLite database"
TIME_LIMIT = 300


def run(*, scale: float = 1.0, say: Callable[[str], None] = print) -> dict:
    with tempfile.TemporaryDirectory(prefix="kuihua-bench-seed-") as home:
        database = Path(home) / "bench.sqlite3"
        env = {
            **os.environ,
            "KUIHUA_HOME": home,
            "DATABASE_URL": f"sqlite:///{database}",
            "DJANGO_SETTINGS_MODULE": "kuihua.config.settings.local",
        }
        say(f"fresh SQLite database in {home}; generating at scale {scale} …")
        child = subprocess.run(  # noqa: S603 - our own module, no shell
            [sys.executable, "-m", "kuihua.benchmarks.seed", str(scale)],
            env=env,
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT,
            check=False,
        )
        if child.returncode != 0:
            raise RuntimeError(f"the seed benchmark failed:\n{child.stderr[-3000:]}")
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        figures["database_mb"] = round(database.stat().st_size / 1e6, 1)
    return figures


def _child(scale: float) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    from kuihua.demo.plan import plan_community
    from kuihua.demo.write import community_counts, write_community

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrated = time.perf_counter()
    plan = plan_community(index=1, scale=scale)
    planned = time.perf_counter()
    community = write_community(plan)
    written = time.perf_counter()
    counts = community_counts(community)
    seconds = written - migrated
    return {
        "benchmark": "seed",
        "scale": scale,
        "seconds": round(seconds, 2),
        "plan_seconds": round(planned - migrated, 2),
        "write_seconds": round(written - planned, 2),
        "migrate_seconds": round(migrated - started, 2),
        "residents": counts["residents"],
        "households": counts["households"],
        "organizations": counts["organizations"],
        "members": counts["members"],
        "residents_per_second": round(counts["residents"] / seconds),
    }


if __name__ == "__main__":
    print(json.dumps(_child(float(sys.argv[1]))))
