"""Redis stops in the middle of a sign-up rush: the rate limits fail safe (they count in
each process instead) and sign-ups go on, places exact, without a single 500.

Against a private redis-server started here and killed here: the machine's shared
Redis is never touched.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest

from kuihua.activities.models import Signup
from kuihua.activities.tests.factories import ActivityFactory, volunteer
from kuihua.core import throttling
from kuihua.organizations.tests.factories import OrganizationFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed"),
]


@pytest.fixture
def private_redis(settings, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603 - a fixed program and our own arguments
        [
            shutil.which("redis-server"),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port, socket_connect_timeout=1)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "the private redis-server did not start"
            time.sleep(0.1)
    settings.CACHES = {
        "default": {
            "BACKEND": throttling.REDIS_BACKEND,
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": settings.KUIHUA_REDIS_PREFIX,
        }
    }
    monkeypatch.setattr(throttling, "_redis_down_until", 0.0)
    throttling._fallback.clear()
    yield server, client
    server.kill()
    server.wait()


def _sign_up(client, person, activity):
    client.force_login(person.account)
    return client.post(f"/api/activities/{activity.pk}/signups", {}, "application/json")


def test_sign_ups_go_on_with_places_exact_after_redis_stops(client, in_community, private_redis):
    server, redis_client = private_redis
    organization = OrganizationFactory(community=in_community)
    activity = ActivityFactory(community=in_community, organization=organization, places=5)
    people = [volunteer(organization) for _ in range(12)]

    before = [_sign_up(client, p, activity).status_code for p in people[:3]]
    assert before == [201, 201, 201]
    assert redis_client.dbsize() > 0  # the limits were counted in Redis
    server.kill()
    server.wait()
    after = [_sign_up(client, p, activity) for p in people[3:]]

    assert [r.status_code for r in after] == [201] * 9, [r.content for r in after]
    statuses = [r.json()["status"] for r in after]
    assert statuses == ["confirmed"] * 2 + ["waitlisted"] * 7
    assert Signup.objects.filter(activity=activity, status=Signup.Status.CONFIRMED).count() == 5


def test_with_redis_down_a_flood_is_still_limited(client, in_community, private_redis, settings):
    server, _redis_client = private_redis
    server.kill()
    server.wait()
    settings.KUIHUA_SIGNUP_RATE = "3/m"
    organization = OrganizationFactory(community=in_community)
    person = volunteer(organization)
    activities = [
        ActivityFactory(community=in_community, organization=organization) for _ in range(4)
    ]

    statuses = [_sign_up(client, person, a).status_code for a in activities]

    # counted in this process now: the fourth in the minute is still refused
    assert statuses[3] == 429
    assert 500 not in statuses
