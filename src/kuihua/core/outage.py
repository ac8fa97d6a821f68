"""When the database cannot be reached (restarting, failed over, "database is locked"
past its timeout): every user is told to try again, in their language, never shown
a 500 page.

Pages: `server_error` is the project's handler500. Django calls it inside the except
block of whatever failed, in a view or in a middleware (a session read, the user's
account), so it sees the exception and answers 503 with `Retry-After`. The API's
own handler does the same in JSON (`kuihua.core.api_support`). Nothing here touches
the database: the connection is known to be broken. Django closes it at the end of
the request, and the next request's health check (CONN_HEALTH_CHECKS) opens a new one.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from kuihua.core.api_support import RETRY_AFTER_SECONDS, error_body


def is_database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def unavailable_response(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body(503), status=503)
    else:
        page = render_to_string("core/unavailable.html", {"message": _("系统正忙，请稍后再试。")})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request) -> HttpResponse:
    """handler500: 503 "try again" when the database is unreachable, else a 500 page in
    the user's language (JSON under /api/). Rendered without the request's context: its
    user and session may be what failed."""
    if is_database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(500), status=500)
    page = render_to_string("core/server_error.html", {"message": _("服务器出错了，请稍后再试。")})
    return HttpResponse(page, status=500)
