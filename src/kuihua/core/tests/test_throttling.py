"""Rate limits count every request exactly once, however many arrive at once."""

import threading
import uuid

import pytest

from kuihua.core.throttling import WindowRateThrottle, parse_rate

REDIS = "redis://127.0.0.1:6379/14"


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
        answers.append(throttle.allow_request(None))

    threads = [threading.Thread(target=ask) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.mark.parametrize("backend", ["locmem", "redis"])
def test_forty_requests_at_once_against_ten_per_minute_let_exactly_ten_through(backend, settings):
    if backend == "redis":
        if not _redis_is_up():
            pytest.skip("no Redis on 127.0.0.1:6379")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS,
            }
        }
    settings.TEST_RATE = "10/m"
    throttle = TenPerMinute(uuid.uuid4().hex)

    answers = _forty_at_once(throttle)

    assert answers.count(True) == 10
    assert 0 < throttle.wait() <= 60
    assert TenPerMinute(uuid.uuid4().hex).allow_request(None)  # others are counted apart
