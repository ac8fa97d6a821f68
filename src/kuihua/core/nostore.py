"""`Cache-Control: no-store` on every response that carries whole personal values.

`kuihua.core.audit.log_access` calls `mark_no_store` whenever it writes an access
row, so any request that revealed, exported or searched by a whole value is
answered no-store by `NoStoreMiddleware`, whichever view answered it: no endpoint
can forget the header (see kuihua.core.disclosure).
"""

from __future__ import annotations

from contextvars import ContextVar

from django.utils.cache import patch_cache_control

# One holder per request (set by NoStoreMiddleware); None outside a request.
_revealed: ContextVar[list[bool] | None] = ContextVar("kuihua_revealed", default=None)


def mark_no_store() -> None:
    """The response of the request in progress carries whole values: it must not be cached."""
    holder = _revealed.get()
    if holder is not None:
        holder[0] = True


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response whose request revealed a whole value."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        holder = [False]
        token = _revealed.set(holder)
        try:
            response = self.get_response(request)
        finally:
            _revealed.reset(token)
        if holder[0]:
            patch_cache_control(response, no_store=True, private=True)
        return response
