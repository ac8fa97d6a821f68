"""API plumbing shared by every router: authentication, pagination and one error shape.

Every error leaves as `{"status": int, "code": str, "message": str, "errors": [...]}`,
each entry of `errors` being `{"field": str | None, "message": str}`, with the
messages in the request's language. That holds for errors raised in handlers,
for broken business rules raised by services, for failed authentication and
validation, and for unknown routes (404) and methods (405) under /api/.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable
from functools import partial, wraps
from typing import Annotated

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponseNotAllowed
from django.urls import URLPattern, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import PageNumberPagination, paginate
from pydantic import WithJsonSchema

from kuihua.core.errors import ApplicationError
from kuihua.core.tenancy import ScopeError

logger = logging.getLogger("kuihua.api")

# A time of day on the community's clock, sent as "08:00:00". OpenAPI's `format: time`
# is RFC 3339's full-time, which needs an offset ("08:00:00+08:00"), so it is documented
# as what is sent: a string of that pattern.
LocalTime = Annotated[
    dt.time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$",
            "description": "local time of day (Asia/Shanghai), HH:MM:SS",
            "example": "08:00:00",
        }
    ),
]

# A row's id named in a request body: a number no table holds is a field error (422)
# here, before it overflows a database query as a 500.
MAX_ROW_ID = 2**63 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


# --- pagination ---------------------------------------------------------------------


def require(user, perm: str, obj=None) -> None:
    """404 unless `user` has `perm` (on `obj`): what one may not act on is not disclosed."""
    if not user.has_perm(perm, obj):
        raise Http404


def body_ref(fetch, user, object_id: int, field: str, message: str | None = None):
    """An object named in a request body, through its `access_*` selector: unknown or
    out of the user's view is an error on that field (400), not a 404 of the route."""
    try:
        if not 1 <= object_id <= MAX_ROW_ID:
            raise Http404  # no row has it; a database's integer would overflow
        return fetch(user, object_id)
    except Http404:
        raise ServiceError(message or _("找不到该记录"), field=field) from None


# The highest page number a list accepts. A page past the last one is an empty page
# (`{"items": [], "count": n}`); a number above this one could be no page of any list
# and is refused like any out-of-range field (422 naming `page`), before
# `(page - 1) * page_size` overflows the database's OFFSET as a 500.
MAX_PAGE = 1_000_000


class BoundedPageNumberPagination(PageNumberPagination):
    """ninja's page-number pagination with the page number bounded (and so documented)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="1 for the first page")
        page_size: int | None = Field(
            None, ge=1, description="rows per page; above the server's maximum, the maximum"
        )


def paginated(func: Callable) -> Callable:
    """Page-number pagination (`?page=2&page_size=50`): `{"items": [...], "count": n}`.

    `page` runs from 1 to `MAX_PAGE`; a page past the last is empty, not an error.
    """
    return paginate(
        BoundedPageNumberPagination,
        page_size=settings.NINJA_PAGINATION_PER_PAGE,
        max_page_size=settings.NINJA_MAX_PER_PAGE_SIZE,
    )(func)


# --- errors -------------------------------------------------------------------------


class FieldError(Schema):
    field: str | None
    message: str


class ErrorOut(Schema):
    """The one shape of every error the API returns."""

    status: int
    code: str
    message: str
    errors: list[FieldError]


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """OpenAPI entries for the errors an operation can return (401 is always possible)."""
    return {status: ErrorOut for status in sorted({401, *statuses})}


class ServiceError(Exception):
    """Raised by API handlers for a broken rule that no service raised (HTTP 400/409)."""

    def __init__(self, message: str, *, field: str | None = None, status: int = 400):
        super().__init__(message)
        self.message, self.field, self.status = message, field, status


# While the database is down or restarting, clients are told to come back after this.
RETRY_AFTER_SECONDS = 5

CODES = {
    400: "rejected",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid",
    429: "throttled",
    500: "server_error",
    503: "unavailable",
}


def default_message(status: int) -> str:
    messages = {
        400: _("请求无法处理"),
        401: _("请先登录"),
        403: _("没有权限执行此操作"),
        404: _("找不到该记录"),
        405: _("不支持该请求方法"),
        409: _("与现有数据冲突"),
        422: _("提交的数据不正确"),
        429: _("请求过于频繁，请稍后再试"),
        500: _("服务器内部错误"),
        503: _("系统正忙，请稍后再试"),
    }
    return messages.get(status, _("请求无法处理"))


def error_body(
    status: int, code: str | None = None, message: str | None = None, errors: list | None = None
) -> dict:
    return {
        "status": status,
        "code": code or CODES.get(status, "error"),
        "message": message or default_message(status),
        "errors": errors or [],
    }


def error_response(api: NinjaAPI, request, status: int, **kwargs):
    response = api.create_response(request, error_body(status, **kwargs), status=status)
    if status == 401:
        # RFC 9110: a 401 names how to authenticate (a bearer token, or the session).
        response["WWW-Authenticate"] = 'Bearer realm="kuihua"'
    return response


def _field_message(error: dict) -> str:
    """pydantic's message, in the user's language for the common cases."""
    kind = error.get("type", "")
    if kind == "missing":
        return _("此项为必填项")
    if kind in ("literal_error", "enum"):
        return _("不是允许的取值")
    if kind.endswith("_parsing") or kind.endswith("_type"):
        return _("格式不正确")
    if kind == "string_too_long":
        return _("内容太长")
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return _("数值超出范围")
    if kind == "string_too_short":
        return _("此项不能为空")
    if kind == "decimal_max_places":
        return _("小数位数太多")
    if kind in ("decimal_max_digits", "decimal_whole_digits"):
        return _("数字位数太多")
    # Anything else (a NaN, an unexpected shape): never pydantic's English.
    return _("格式不正确")


def _field_name(loc: Iterable) -> str | None:
    """("body", "payload", "address", "room") → "address.room"; ("query", "page") → "page".

    pydantic's union tags in the location ("literal['M','F']", "function-after[…]")
    are not fields and are left out.
    """
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    elif parts:
        parts = parts[1:]
    return ".".join(p for p in parts if re.fullmatch(r"\w+", p)) or None


def install_error_handlers(api: NinjaAPI):
    """Register the uniform handlers; any `ApplicationError` (a broken rule) is one 400."""

    @api.exception_handler(ValidationError)
    def _validation(request, exc: ValidationError):
        errors = [
            {"field": _field_name(e.get("loc", ())), "message": _field_message(e)}
            for e in exc.errors
        ]
        return error_response(api, request, 422, errors=errors)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return error_response(api, request, 401)

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return error_response(api, request, 404)

    @api.exception_handler(PermissionDenied)
    def _forbidden(request, exc):
        return error_response(api, request, 403)

    @api.exception_handler(ScopeError)
    def _no_community(request, exc):
        # Signed in, but with no community in force (a platform account): nothing to show.
        return error_response(
            api, request, 403, code="no_community", message=_("您的账户不属于任何社区")
        )

    @api.exception_handler(ServiceError)
    def _service(request, exc: ServiceError):
        errors = [{"field": exc.field, "message": exc.message}] if exc.field else []
        return error_response(api, request, exc.status, message=exc.message, errors=errors)

    @api.exception_handler(ApplicationError)
    def _rule(request, exc: ApplicationError):
        message = str(exc)
        errors = [{"field": exc.field, "message": message}] if exc.field else []
        return error_response(api, request, 400, message=message, errors=errors)

    @api.exception_handler(HttpError)
    def _http(request, exc: HttpError):
        # ninja's own (CSRF 403, unparsable body 400, throttled 429): its English
        # text stays out; the status says what happened.
        return error_response(api, request, exc.status_code)

    @api.exception_handler(OperationalError)
    @api.exception_handler(InterfaceError)
    def _database_unavailable(request, exc):
        # The database is down or restarting: "try again", never a 500 (core/outage.py).
        response = error_response(api, request, 503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @api.exception_handler(Exception)
    def _unexpected(request, exc):
        # Logged by type and path only: the exception text may carry personal data.
        logger.error(
            "API error %s on %s %s",
            type(exc).__name__,
            request.method,
            request.path,
            exc_info=exc if settings.DEBUG else None,
        )
        got_request_exception.send(sender=None, request=request)
        return error_response(api, request, 500)


# --- the API class ------------------------------------------------------------------


def _uniform_not_allowed(view: Callable, api: NinjaAPI) -> Callable:
    """Turn ninja's plain-text 405 into the uniform shape, keeping the Allow header."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            uniform = error_response(api, request, 405)
            uniform["Allow"] = response["Allow"]
            return uniform
        return response

    return wrapper


def _unknown_route(request, api: NinjaAPI, **kwargs):
    return error_response(api, request, 404)


def _unknown_route_view(api: NinjaAPI) -> Callable:
    """The answer for a path under /api/ that no route has, for every method.

    CSRF-exempt: it changes nothing, and without it a write to an unknown path got
    Django's HTML CSRF page instead of this JSON 404.
    """
    return csrf_exempt(partial(_unknown_route, api=api))


def _document_framework_errors(schema: dict) -> dict:
    """Add to each operation the errors the framework answers before its handler runs.

    Whatever an operation lists itself, an operation that needs authentication can
    answer 401; one that takes parameters or a body, 422 (a field out of its bounds);
    one that takes a body, 400 (a body that is not JSON). schemathesis holds every
    answer to its documented statuses (core/tests/test_api_fuzz.py).
    """
    error = {
        "description": "Error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
    }
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            statuses = []
            if operation.get("security"):
                statuses.append(401)
            if operation.get("requestBody"):
                statuses += [400, 422]
            if operation.get("parameters"):
                statuses.append(422)
            for status in statuses:
                if status not in responses and str(status) not in responses:
                    responses[status] = error
            operation["responses"] = dict(sorted(responses.items(), key=lambda kv: str(kv[0])))
    return schema


class KuihuaAPI(NinjaAPI):
    """NinjaAPI whose unknown routes and methods answer in the uniform error shape,
    and whose OpenAPI document names the errors the framework itself answers."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return _document_framework_errors(schema)

    def _get_urls(self) -> list:
        urls = []
        for pattern in super()._get_urls():
            if isinstance(pattern, URLPattern) and pattern.name == "api-root":
                # ninja's root raises a plain Django 404 page; keep the name, answer in JSON.
                pattern = path("", _unknown_route_view(self), name="api-root")
            elif isinstance(pattern, URLPattern) and not isinstance(pattern.callback, partial):
                pattern.callback = _uniform_not_allowed(pattern.callback, self)
            urls.append(pattern)
        # [\s\S], not ".": a path holding a newline (%0A) is unknown too, not Django's HTML 404.
        urls.append(re_path(r"^[\s\S]*$", _unknown_route_view(self), name="api-unknown"))
        return urls
