"""Rate limits counted with one atomic increment, shared by every server process.

ninja's SimpleRateThrottle reads a list of timestamps from the cache and
writes it back: two round trips, and two processes reading at once both
write back their own list, so a flood through several workers is undercounted.
Here each request is one atomic increment of a counter whose window opens with
its first request and lasts the rate's period: on Redis (production) one
pipelined round trip (SET NX EX, INCR, TTL); on Django's local-memory cache
(development, tests) `add` and `incr`, atomic within the process.

Redis down fails safe: a rate limit must not take sign-ups down with it. When Redis
does not answer (a connection within half a second, an answer within two), `hit` and
`cache_call` use the process's own memory instead, log it once, and leave Redis alone
for REDIS_RETRY_AFTER seconds, so no request waits on a dead server. Each process then
limits on its own: looser by the number of processes, never closed.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from ninja.throttling import BaseThrottle

logger = logging.getLogger(__name__)

REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
REDIS_CONNECT_TIMEOUT = 0.5  # a server that is down refuses at once; this is for one unreachable
REDIS_TIMEOUT = 2.0  # seconds to answer: a busy Redis is slow, not down
REDIS_RETRY_AFTER = 10  # seconds without trying Redis once it failed


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

    return redis.Redis.from_url(
        location, socket_connect_timeout=REDIS_CONNECT_TIMEOUT, socket_timeout=REDIS_TIMEOUT
    )


# While Redis is down: this process's own counters, and when to try Redis again.
_fallback = LocMemCache("kuihua-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})
_redis_down_until = 0.0
_redis_down_lock = threading.Lock()


def _redis_failed(exc: Exception) -> None:
    global _redis_down_until
    with _redis_down_lock:
        if time.monotonic() >= _redis_down_until:
            logger.warning(
                "rate limits: Redis unreachable (%s); counting in this process for %s s",
                type(exc).__name__,
                REDIS_RETRY_AFTER,
            )
        _redis_down_until = time.monotonic() + REDIS_RETRY_AFTER


def _count_locally(store, key: str, period: int) -> tuple[int, int]:
    store.add(key, 0, period)
    try:
        return store.incr(key), period
    except ValueError:  # the window closed between add and incr
        store.set(key, 1, period)
        return 1, period


def _redis_location() -> str | None:
    default = settings.CACHES.get("default", {})
    if default.get("BACKEND") != REDIS_BACKEND:
        return None
    location = default["LOCATION"]
    return location[0] if isinstance(location, list | tuple) else location


def cache_call(method: str, *args):
    """`cache.<method>(*args)` on Django's cache; in this process's own memory while Redis
    is down (for state that protects, like sign-in delays: it must not lock people out)."""
    if _redis_location() is not None and time.monotonic() < _redis_down_until:
        return getattr(_fallback, method)(*args)
    import redis

    try:
        return getattr(cache, method)(*args)
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        _redis_failed(exc)
        return getattr(_fallback, method)(*args)


def hit(key: str, period: int) -> tuple[int, int]:
    """Count one request under `key`; (requests in the window so far, seconds it has left)."""
    return hit_many([(key, period)])[0]


def hit_many(windows: Sequence[tuple[str, int]]) -> list[tuple[int, int]]:
    """Count one request under each (key, period), all in one Redis round trip.

    Returns (requests in the window so far, seconds it has left) per window, in order.
    """
    location = _redis_location()
    if location is None:
        return [_count_locally(cache, key, period) for key, period in windows]
    if time.monotonic() < _redis_down_until:
        return [_count_locally(_fallback, key, period) for key, period in windows]
    import redis

    try:
        pipe = _redis_client(location).pipeline(transaction=False)
        for key, period in windows:
            redis_key = f"{settings.KUIHUA_REDIS_PREFIX}:{key}"
            pipe.set(redis_key, 0, ex=period, nx=True)
            pipe.incr(redis_key)
            pipe.ttl(redis_key)
        answers = pipe.execute()
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        _redis_failed(exc)
        return [_count_locally(_fallback, key, period) for key, period in windows]
    return [(count, max(ttl, 1)) for _opened, count, ttl in zip(*[iter(answers)] * 3, strict=True)]


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


class WindowRatesThrottle(BaseThrottle):
    """Several windows (say per person and for everybody) counted in one round trip.

    `windows` names (setting, scope) pairs; `ident(request, scope)` says whom a request
    counts against in each. A request is allowed when every window allows it; `wait`
    is the longest wait of the windows that refused.
    """

    windows: tuple[tuple[str, str], ...] = ()

    def __init__(self):
        self._wait: float | None = None

    def ident(self, request, scope: str) -> str:
        raise NotImplementedError

    def allow_request(self, request) -> bool:
        rates = [parse_rate(getattr(settings, setting)) for setting, _scope in self.windows]
        counts = hit_many(
            [
                (f"throttle:{scope}:{self.ident(request, scope)}", period)
                for (_setting, scope), (_allowed, period) in zip(self.windows, rates, strict=True)
            ]
        )
        refused = [
            left
            for (allowed, _period), (count, left) in zip(rates, counts, strict=True)
            if count > allowed
        ]
        self._wait = max(refused) if refused else None
        return not refused

    def wait(self) -> float | None:
        return self._wait
