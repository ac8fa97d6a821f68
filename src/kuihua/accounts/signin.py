"""Sign-in throttling: the client's real address, a limit per address, a growing delay per account.

Behind the TLS proxy (docs/operations.md) every request comes from the proxy's address;
the client's is the last one the proxy appended to X-Forwarded-For. `client_ip` takes the
N-th address from the right, N being `KUIHUA_TRUSTED_PROXIES` (production: 1; the embedded
deployment, which faces browsers directly: 0, REMOTE_ADDR). An address a client wrote into
the header itself sits further left and is never believed. django-axes asks this function
(AXES_CLIENT_IP_CALLABLE) and counts failures per address across usernames.

Per account there is no lock that a stranger can set off: after
`KUIHUA_SIGNIN_FREE_FAILURES` wrong passwords each further try must wait 2, 4, 8, …
seconds (at most `KUIHUA_SIGNIN_MAX_DELAY`). A try during the wait is refused unchecked
and does not lengthen it; the right password after the wait signs the owner in and clears
the count. The state lives in Django's cache (Redis in production), keyed by a hash of
the username, so every server process sees it; while Redis is down, each process keeps
its own (kuihua.core.throttling.cache_call): signing in goes on.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied

from kuihua.core.throttling import cache_call

FAILURES_KEPT_FOR = 24 * 60 * 60


def client_ip(request) -> str:
    """The address of the client, as the trusted proxies in front of us saw it."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = int(settings.KUIHUA_TRUSTED_PROXIES)
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    if len(hops) < proxies:
        return remote
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _account_key(username: str) -> str:
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()
    return f"signin:account:{digest}"


def delay_after(failures: int) -> int:
    """Seconds the next try must wait after `failures` wrong passwords in a row."""
    free = settings.KUIHUA_SIGNIN_FREE_FAILURES
    if failures < free:
        return 0
    return min(2 ** (failures - free + 1), settings.KUIHUA_SIGNIN_MAX_DELAY)


def seconds_to_wait(username: str) -> int:
    state = cache_call("get", _account_key(username))
    if not state:
        return 0
    return max(0, math.ceil(state["not_before"] - time.time()))


def failure_record(username: str) -> int:
    """Count a wrong password for `username`; the seconds the next try must wait."""
    key = _account_key(username)
    state = cache_call("get", key) or {"failures": 0, "not_before": 0.0}
    failures = state["failures"] + 1
    delay = delay_after(failures)
    state = {"failures": failures, "not_before": time.time() + delay}
    cache_call("set", key, state, FAILURES_KEPT_FOR)
    return delay


def failures_clear(username: str) -> None:
    cache_call("delete", _account_key(username))


class AccountDelayBackend:
    """Refuses, unchecked, a sign-in to an account that must still wait.

    It stands before the backend that checks passwords, so every caller of
    `authenticate()` (the sign-in page, the admin's) is held to the same wait. It has
    no `get_user`, so no session is ever tied to it.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and seconds_to_wait(username):
            if request is not None:
                request.kuihua_signin_waiting = True
            raise PermissionDenied
        return None


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    if request is not None and (
        getattr(request, "kuihua_signin_waiting", False)
        or getattr(request, "axes_locked_out", False)
    ):
        return
    username = credentials.get("username")
    if username:
        failure_record(username)


def on_logged_in(sender, request, user, **kwargs) -> None:
    failures_clear(user.get_username())
