"""Rate limits counted with one atomic increment, shared by every server process.

ninja's SimpleRateThrottle reads a list of timestamps from the cache and
writes it back: two round trips, and two processes reading at once both
write back their own list, so a flood through several workers is undercounted.
Here each request is one atomic increment of a counter whose window opens with
its first request and lasts the rate's period: on Redis (production) one
pipelined round trip (SET NX EX, INCR, TTL); on Django's local-memory cache
(development, tests) `add` and `incr`, atomic within the process.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.cache import cache
from ninja.throttling import BaseThrottle

REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "10/m" -> (10, 60); "100/s" -> (100, 1); "5/10m" -> (5, 600)."""
    count, _slash, per = rate.partition("/")
    multiple, unit = per[:-1], per[-1:]
    if not count.isdigit() or unit not in PERIODS or not (multiple == "" or multiple.isdigit()):
        raise ValueError(f"not a rate: {rate!r} (like 10/m)")
    return int(count), int(multiple or 1) * PERIODS[unit]


@functools.cache
def _redis_client(location: str):
    import redis

    return redis.Redis.from_url(location)


def _redis_location() -> str | None:
    default = settings.CACHES.get("default", {})
    if default.get("BACKEND") != REDIS_BACKEND:
        return None
    location = default["LOCATION"]
    return location[0] if isinstance(location, list | tuple) else location


def hit(key: str, period: int) -> tuple[int, int]:
    """Count one request under `key`; (requests in the window so far, seconds it has left)."""
    location = _redis_location()
    if location is not None:
        key = f"{settings.KUIHUA_REDIS_PREFIX}:{key}"
        pipe = _redis_client(location).pipeline(transaction=False)
        pipe.set(key, 0, ex=period, nx=True)
        pipe.incr(key)
        pipe.ttl(key)
        _opened, count, ttl = pipe.execute()
        return count, max(ttl, 1)
    cache.add(key, 0, period)
    try:
        return cache.incr(key), period
    except ValueError:  # the window closed between add and incr
        cache.set(key, 1, period)
        return 1, period


class WindowRateThrottle(BaseThrottle):
    """At most N requests per period, the rate read from settings at each request.

    Subclasses name the setting (e.g. KUIHUA_SIGNUP_RATE = "10/m"), a scope,
    and whom a request counts against (`ident`).
    """

    setting = ""
    scope = ""

    def __init__(self):
        self._wait: float | None = None

    def ident(self, request) -> str:
        raise NotImplementedError

    def allow_request(self, request) -> bool:
        allowed, period = parse_rate(getattr(settings, self.setting))
        count, left = hit(f"throttle:{self.scope}:{self.ident(request)}", period)
        self._wait = left
        return count <= allowed

    def wait(self) -> float | None:
        return self._wait
