"""The real worker: `kuihua worker` as its own process delivers what another process queued.

These tests start processes against a temporary SQLite database and task queue
(KUIHUA_HOME in a temporary folder), as `kuihua demo` runs them.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

WAIT_S = 30

ENQUEUE = """
import django
django.setup()
from django.db import transaction
from kuihua.accounts.models import Role, User
from kuihua.core.tenancy import use_community
from kuihua.notifications.services import notify
from kuihua.tenants import community_create

community = community_create(name="翠苑一区社区", code="cuiyuan-1")
with use_community(community):
    person = User.objects.create_user(
        username="wang", role=Role.VOLUNTEER, community=community, display_name="王秀英"
    )
    with transaction.atomic():
        message = notify(recipient=person, kind="worker_test", title="王秀英，您好")
print(message.pk)
"""


def _env(home: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "KUIHUA_HOME": str(home),
        "DATABASE_URL": f"sqlite:///{home / 'kuihua.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "kuihua.config.settings.local",
    }
    for name in ("KUIHUA_TEST_DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    return env


def _run(args: list[str], env: dict, timeout: int = 180) -> str:
    result = subprocess.run(  # noqa: S603 - our own code
        [sys.executable, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _delivery_status(db: Path, message_id: int) -> str | None:
    with sqlite3.connect(db, timeout=5) as conn:
        row = conn.execute(
            "SELECT status FROM notifications_delivery WHERE message_id = ? AND channel = 'log'",
            (message_id,),
        ).fetchone()
    return row[0] if row else None


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    # Migrate first: it also writes the local secrets every later process shares.
    _run(["-m", "kuihua.cli", "manage", "migrate", "--verbosity", "0"], _env(home))
    return home


def test_the_worker_delivers_a_message_queued_by_another_process(home):
    env = _env(home)
    log = (home / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "kuihua.cli", "worker"], env=env, stdout=log, stderr=log
    )
    try:
        # when another process notifies someone inside a transaction
        message_id = int(_run(["-c", ENQUEUE], env).strip().splitlines()[-1])

        # then the worker marks the outside copy sent, within a bounded wait
        deadline = time.monotonic() + WAIT_S
        status = _delivery_status(home / "kuihua.sqlite3", message_id)
        while status != "sent" and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
            status = _delivery_status(home / "kuihua.sqlite3", message_id)
    finally:
        _stop(worker)
        log.close()

    output = (home / "worker.log").read_text()
    assert status == "sent", output[-3000:]
    assert f"kind=worker_test message={message_id}" in output
    assert "王秀英" not in output


PARENT = """
import os, subprocess, sys, time
argv = [sys.executable, "-m", "kuihua.cli", "worker", f"--stop-with-parent={os.getpid()}"]
child = subprocess.Popen(argv)
print(child.pid, flush=True)
time.sleep(600)
"""


def test_the_worker_started_beside_the_server_stops_when_the_server_stops(home):
    # given a worker started by a parent process, as `kuihua demo` starts it beside gunicorn
    parent = subprocess.Popen(  # noqa: S603 - our own code
        [sys.executable, "-c", PARENT],
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        worker_pid = int(parent.stdout.readline())
        # when the parent (the server) goes away
        parent.kill()
        parent.wait(timeout=10)
        # then the worker stops by itself
        deadline = time.monotonic() + WAIT_S
        while _alive(worker_pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(worker_pid)
    finally:
        if parent.poll() is None:
            parent.kill()
        parent.stdout.close()
        if "worker_pid" in locals() and _alive(worker_pid):
            os.kill(worker_pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    """Whether `pid` still runs (a zombie reaped by init counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return True
    return state != "Z"
