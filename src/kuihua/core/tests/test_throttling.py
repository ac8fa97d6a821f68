"""Rate limits count every request exactly once, however many arrive at once."""

import subprocess
import sys
import threading
import time
import uuid

import pytest

from kuihua.core.throttling import WindowRateThrottle, parse_rate

REDIS = "redis://127.0.0.1:6379/14"

# One worker runs this module's tests one after another (scripts/test: --dist loadgroup):
# the flood of one must not be the load another one measures.
pytestmark = pytest.mark.xdist_group("redis-throttle")


def _redis_is_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


class TenPerMinute(WindowRateThrottle):
    setting = "TEST_RATE"
    scope = "test"

    def __init__(self, who: str):
        super().__init__()
        self.who = who

    def ident(self, request) -> str:
        return self.who


@pytest.mark.parametrize(
    ("rate", "parsed"), [("10/m", (10, 60)), ("100/s", (100, 1)), ("5/10m", (5, 600))]
)
def test_rates_read_like_their_settings(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["10", "ten/m", "10/w", "10/xm", ""])
def test_a_malformed_rate_is_refused_by_name(rate):
    with pytest.raises(ValueError, match="not a rate"):
        parse_rate(rate)


def _forty_at_once(throttle) -> list[bool]:
    start = threading.Barrier(40)
    answers: list[bool] = []

    def ask() -> None:
        start.wait()
        try:
            answers.append(throttle.allow_request(None))
        except Exception as error:  # a lost answer must fail the test, not vanish
            answers.append(error)

    threads = [threading.Thread(target=ask) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 40
    assert not [a for a in answers if not isinstance(a, bool)], answers
    return answers


def _use_redis(settings) -> None:
    if not _redis_is_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS}
    }


@pytest.mark.parametrize("backend", ["locmem", "redis"])
def test_forty_requests_at_once_against_ten_per_minute_let_exactly_ten_through(backend, settings):
    if backend == "redis":
        _use_redis(settings)
    settings.TEST_RATE = "10/m"
    throttle = TenPerMinute(uuid.uuid4().hex)

    answers = _forty_at_once(throttle)

    assert answers.count(True) == 10
    assert 0 < throttle.wait() <= 60
    assert TenPerMinute(uuid.uuid4().hex).allow_request(None)  # others are counted apart


# Another Kuihua on the same Redis, counting the same person with the default prefix,
# about ten thousand times a second (a full-speed flood starves this 2-core machine's
# Redis past the client's 5 s timeout): a bounded loop that stops by itself within 30 s.
HAMMER = """
import sys, time, redis
client = redis.Redis.from_url(sys.argv[1])
key, deadline = sys.argv[2], time.monotonic() + 30
while time.monotonic() < deadline:
    pipe = client.pipeline(transaction=False)
    for _ in range(50):
        pipe.incr(key)
    pipe.execute()
    time.sleep(0.005)
"""


def test_a_test_run_counts_apart_from_another_server_hammering_the_same_redis(settings):
    _use_redis(settings)
    settings.TEST_RATE = "10/m"
    who = "volunteer-1"  # the same person another server is counting
    theirs = f"kuihua:throttle:test:{who}"  # a server's key: the default prefix
    client = __import__("redis").Redis.from_url(REDIS)
    client.delete(theirs)
    hammer = subprocess.Popen([sys.executable, "-c", HAMMER, REDIS, theirs])  # noqa: S603
    try:
        deadline = time.monotonic() + 10
        while int(client.get(theirs) or 0) < 1000 and time.monotonic() < deadline:
            time.sleep(0.01)
        before = int(client.get(theirs) or 0)
        assert before >= 1000, "the other process never got going"

        answers = _forty_at_once(TenPerMinute(who))

        during = int(client.get(theirs) or 0) - before
    finally:
        hammer.kill()
        hammer.wait()
        client.delete(theirs, f"{settings.KUIHUA_REDIS_PREFIX}:throttle:test:{who}")

    assert during > 0  # the other server was counting while we were
    assert answers.count(True) == 10
    assert settings.KUIHUA_REDIS_PREFIX.startswith("kuihua-test-")
