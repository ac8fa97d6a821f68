"""The worker is killed (SIGKILL) in the middle of a sweep; after a restart every alert
is raised exactly once and none is lost.

Both run against a fresh database of the suite's kind (an SQLite file, or a new
PostgreSQL database). The first kills a process running the sweep a batch at a
time with pauses; the second kills the real worker (`kuihua worker`, huey's
consumer on its SQLite queue) while it runs the care task, restarts it and
queues the task again. Each is killed once some batches have committed and
others have not.
"""

import json
import os
import signal
import subprocess
import sys
import time

from django.conf import settings

from kuihua.activities.tests.race import fresh_database

PEOPLE = 600
BATCH = 50


def _child(url: str, *args: str, wait: bool = True):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kuihua.config.settings.test",
        "KUIHUA_TEST_DATABASE_URL": url,
    }
    command = [sys.executable, "-m", "kuihua.care.tests.sweep_child", *args]
    if not wait:
        return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)  # noqa: S603
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)  # noqa: S603
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _count(url: str) -> dict:
    return json.loads(_child(url, "count").strip().splitlines()[-1])


def test_a_sweep_killed_midway_raises_every_alert_exactly_once_after_a_restart():
    with fresh_database(settings.DATABASES["default"]) as url:
        _child(url, "setup", str(PEOPLE))
        worker = _child(url, "sweep", str(BATCH), "0.3", wait=False)
        # Wait until two batches have committed (the child says so after each commit),
        # then kill it without warning. Counting here, in a child of its own, took
        # longer than the whole sweep on a loaded machine, and the kill came too late.
        for _batch in range(2):
            assert worker.stdout.readline(), "the sweep ended before it could be killed"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        worker.stdout.close()
        killed = _count(url)
        assert 0 < killed["alerts"] < PEOPLE  # killed midway

        _child(url, "sweep", "1000", "0")  # the restarted worker
        _child(url, "sweep", "1000", "0")  # and its next sweep finds nothing new

        after = _count(url)
        assert after == {"alerts": PEOPLE, "people_alerted": PEOPLE, "doubled": 0, "people": PEOPLE}


def test_the_escalation_killed_midway_tells_each_alert_once_after_a_restart():
    """Every alert escalates; telling the coordinators is killed after two batches of 50
    committed and inside the third; the restarted run tells the rest, and nobody twice."""
    with fresh_database(settings.DATABASES["default"]) as url:
        _child(url, "setup", str(PEOPLE))
        _child(url, "sweep", "1000", "0")
        worker = _child(url, "escalate", str(BATCH), "0.01", wait=False)
        # The 120th alert told is in the third batch: the first two have committed.
        for _told in range(2 * BATCH + 20):
            assert worker.stdout.readline(), "the escalation ended before it could be killed"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        worker.stdout.close()
        killed = json.loads(_child(url, "escalations").strip().splitlines()[-1])
        assert killed["escalated"] == PEOPLE
        assert 2 * BATCH <= killed["marked_told"] < PEOPLE  # killed midway
        assert killed["alerts_with_a_message"] == killed["marked_told"]  # rolled back together

        _child(url, "escalate", "1000", "0")  # the restarted worker's next run
        after = json.loads(_child(url, "escalations").strip().splitlines()[-1])

        assert after == {
            "alerts": PEOPLE,
            "escalated": PEOPLE,
            "marked_told": PEOPLE,
            "messages": [[1, PEOPLE]],  # each alert: one message to the one coordinator
            "alerts_with_a_message": PEOPLE,
        }


WORKER_PEOPLE = 20_000


def test_the_real_worker_killed_mid_sweep_and_restarted_raises_every_alert_once(tmp_path):
    """`kuihua worker` (huey's consumer, SQLite task queue) runs the care task; SIGKILL."""
    with fresh_database(settings.DATABASES["default"]) as url:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("REDIS_URL", "KUIHUA_TEST_DATABASE_URL")
        }
        env |= {
            "DJANGO_SETTINGS_MODULE": "kuihua.config.settings.local",
            "DATABASE_URL": url,
            "KUIHUA_HOME": str(tmp_path),
        }

        def child(*args: str) -> str:
            done = subprocess.run(  # noqa: S603 - our own module, no shell
                [sys.executable, "-m", "kuihua.care.tests.sweep_child", *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert done.returncode == 0, done.stderr[-3000:]
            return done.stdout

        def alerts() -> dict:
            return json.loads(child("count").strip().splitlines()[-1])

        def start_worker():
            return subprocess.Popen(
                [sys.executable, "-m", "kuihua.cli", "worker", "--workers", "1"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

        child("setup", str(WORKER_PEOPLE))
        child("enqueue")
        worker = start_worker()
        deadline = time.monotonic() + 120
        while (seen := alerts()["alerts"]) < 2 * 1000 and time.monotonic() < deadline:
            time.sleep(0.1)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        killed = alerts()
        assert 0 < killed["alerts"] < WORKER_PEOPLE, (seen, killed)  # killed midway

        child("enqueue")
        worker = start_worker()
        try:
            deadline = time.monotonic() + 180
            while alerts()["alerts"] < WORKER_PEOPLE and time.monotonic() < deadline:
                time.sleep(0.5)
            time.sleep(1)  # anything more it would raise, it would have raised by now
            after = alerts()
        finally:
            worker.terminate()
            worker.wait(timeout=30)

        assert after == {
            "alerts": WORKER_PEOPLE,
            "people_alerted": WORKER_PEOPLE,
            "doubled": 0,
            "people": WORKER_PEOPLE,
        }
