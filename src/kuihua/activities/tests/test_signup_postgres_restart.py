"""PostgreSQL goes down in the middle of a sign-up rush and comes back: afterwards no
place is over-booked, no sign-up lost or doubled; while it was down every request got
"try again" (503, in Chinese, JSON on the API), never a 500.

A private PostgreSQL is made for the test (initdb in a temporary folder, its own port)
and stopped and started under a running server (`gunicorn`, production settings, as
`kuihua bench signup-rush` runs it); the machine's shared PostgreSQL is never touched.
It brings its own database, so it runs in the suite's SQLite pass only.
"""

from __future__ import annotations

import http.client
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest

from kuihua.benchmarks.signup_rush import PLACES, _free_port, _manage, _seed, _server_env
from kuihua.core.management.commands.serve import gunicorn_argv

VOLUNTEERS = 160
THREADS = 16


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    return found[0].parent if found else None


def _as_postgres(*command: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


def _skip_reason() -> str | None:
    if os.environ.get("KUIHUA_TEST_DATABASE_URL"):
        return "brings its own PostgreSQL: runs in the SQLite pass"
    if _postgres_bin() is None:
        return "the PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a postgres user to run PostgreSQL as"
    return None


pytestmark = pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")


class PrivatePostgres:
    def __init__(self, folder: Path, port: int):
        self.bin, self.data, self.port = _postgres_bin(), folder / "data", port

    def _ctl(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 - the server's own tools, our arguments
            _as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", *args),
            check=True,
            capture_output=True,
            timeout=60,
        )

    def init(self) -> None:
        subprocess.run(  # noqa: S603
            [
                *_as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust"),
                *("-U", "postgres", "--no-sync"),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} "
            "-c fsync=off -c max_connections=100"
        )
        self._ctl("-o", options, "-l", str(self.data / "server.log"), "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def private_postgres():
    folder = Path(tempfile.mkdtemp(prefix="kuihua-fault-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    server = PrivatePostgres(folder, _free_port())
    server.init()
    server.start()
    try:
        yield server
    finally:
        subprocess.run(  # noqa: S603
            [
                *_as_postgres(str(server.bin / "pg_ctl"), "-D", str(server.data)),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _serving(env: dict, *, port: int, home: Path):
    """`kuihua serve`'s gunicorn, 2 workers; waits until it answers. (No asyncio here: a
    browser test before this one in the same process may have left an event loop.)"""
    log = (home / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        gunicorn_argv(host="127.0.0.1", port=port, workers=2),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (home / "server.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the server did not answer within 60 s"
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/api/me")
                if connection.getresponse().status == 401:
                    break
            except OSError:
                time.sleep(0.2)
            finally:
                connection.close()
        yield server
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _post(port: int, path: str, token: str) -> tuple[int, dict, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(
            "POST",
            path,
            body="{}",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        body = response.read()
        headers = dict(response.getheaders())
    finally:
        connection.close()
    try:
        return response.status, json.loads(body), headers
    except ValueError:
        return response.status, {"html": body.decode(errors="replace")[:300]}, headers


def _get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Accept-Language": "zh-hans"})
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def _count(env: dict, activity: int) -> dict:
    script = (
        "import django, json; django.setup()\n"
        "from django.db.models import Count\n"
        "from kuihua.activities.models import Activity, Signup\n"
        f"rows = Signup.objects.with_scopes_disabled().filter(activity_id={activity})\n"
        "live = rows.exclude(status=Signup.Status.CANCELLED)\n"
        "per = live.values('resident_id').annotate(n=Count('id'))\n"
        "print(json.dumps({'by_status': {s: live.filter(status=s).count() for s in\n"
        "    ('confirmed', 'offered', 'waitlisted')}, 'people': per.count(),\n"
        "    'doubled': per.filter(n__gt=1).count(),\n"
        f"    'places_taken': Activity.objects.with_scopes_disabled().get(pk={activity})"
        ".places_taken}))\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_postgres_down_mid_rush_loses_nothing_doubles_nothing_and_says_try_again(
    private_postgres, tmp_path
):
    env = _server_env(str(tmp_path), private_postgres.url)
    _manage(env, "migrate", "--no-input")
    seeded = _seed(env, n=VOLUNTEERS, home=str(tmp_path))
    port = _free_port()
    path = f"/api/activities/{seeded['activity']}/signups"
    outcomes: list[list[int]] = [[] for _ in seeded["tokens"]]
    finals: dict[int, str] = {}
    answered = threading.Semaphore(0)

    def volunteer(indices: list[int]) -> None:
        for i in indices:
            for _attempt in range(400):
                status, body, headers = _post(port, path, seeded["tokens"][i])
                outcomes[i].append(status)
                answered.release()
                if status == 503:
                    assert body["message"] == "系统正忙，请稍后再试", body
                    assert headers.get("Retry-After"), headers
                    time.sleep(0.05)
                    continue
                finals[i] = body.get("status") or body.get("message", "")
                break

    with _serving(env, port=port, home=tmp_path):
        threads = [
            threading.Thread(target=volunteer, args=(list(range(t, VOLUNTEERS, THREADS)),))
            for t in range(THREADS)
        ]
        for thread in threads:
            thread.start()
        for _ in range(VOLUNTEERS // 4):  # a quarter of the rush has been answered
            answered.acquire(timeout=120)
        private_postgres.stop()
        # While it is down, a page that needs the database says "try again" in Chinese.
        page_status, page = _get(port, "/verify/" + "0" * 32 + "/")  # looked up: a read
        time.sleep(1.0)
        private_postgres.start()
        for thread in threads:
            thread.join(timeout=300)

    counts = Counter(s for statuses in outcomes for s in statuses)
    assert page_status == 503 and "系统正忙" in page, page[:500]
    assert counts[503] > 0, counts  # the rush did meet the outage
    assert set(counts) <= {201, 400, 409, 503}, counts  # never a 500
    assert len(finals) == VOLUNTEERS, "a volunteer never got an answer"
    after = _count(env, seeded["activity"])
    # Nothing over-booked or lost: exactly the places are held, and everyone who was
    # told "confirmed" or "waitlisted" has their one sign-up.
    assert after["by_status"]["confirmed"] + after["by_status"]["offered"] == PLACES, after
    assert after["places_taken"] == PLACES, after
    assert after["doubled"] == 0, after
    told_in = sum(1 for f in finals.values() if f in ("confirmed", "waitlisted"))
    assert after["people"] >= told_in, (after, Counter(finals.values()))
    assert after["people"] == VOLUNTEERS, (after, Counter(finals.values()))
