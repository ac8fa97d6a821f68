"""API plumbing shared by every router: authentication and one error shape.

Every error leaves as `{"status": int, "code": str, "message": str, "errors": [...]}`,
with the message in the request's language.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, django_auth


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        from kuihua.accounts.models import ApiToken
        from kuihua.core.middleware import activate_user_scope

        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True)
            .first()
        )
        if found is None or not found.user.is_active:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        activate_user_scope(request)
        return found.user


session_or_token = [django_auth, TokenAuth()]


class ServiceError(Exception):
    """Raised by API handlers for a broken business rule (HTTP 400/409)."""

    def __init__(self, message: str, *, field: str | None = None, status: int = 400):
        super().__init__(message)
        self.message, self.field, self.status = message, field, status


def error_body(status: int, code: str, message: str, errors: list | None = None) -> dict:
    return {"status": status, "code": code, "message": message, "errors": errors or []}


def install_error_handlers(api) -> None:
    @api.exception_handler(ValidationError)
    def _validation(request, exc: ValidationError):
        errors = [
            {
                "field": ".".join(str(p) for p in e.get("loc", [])[1:]) or None,
                "message": e.get("msg", ""),
            }
            for e in exc.errors
        ]
        return api.create_response(
            request, error_body(422, "invalid", _("提交的数据不正确"), errors), status=422
        )

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return api.create_response(
            request, error_body(401, "unauthenticated", _("请先登录")), status=401
        )

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return api.create_response(
            request, error_body(404, "not_found", _("找不到该记录")), status=404
        )

    @api.exception_handler(PermissionDenied)
    def _forbidden(request, exc):
        return api.create_response(
            request, error_body(403, "forbidden", _("没有权限执行此操作")), status=403
        )

    @api.exception_handler(ServiceError)
    def _service(request, exc: ServiceError):
        errors = [{"field": exc.field, "message": exc.message}] if exc.field else []
        return api.create_response(
            request, error_body(exc.status, "rejected", exc.message, errors), status=exc.status
        )

    @api.exception_handler(HttpError)
    def _http(request, exc: HttpError):
        return api.create_response(
            request, error_body(exc.status_code, "error", str(exc)), status=exc.status_code
        )
