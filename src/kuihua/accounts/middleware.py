"""Until a role that must use two-factor sign-in has entered its code, it reaches only
the pages that get it there: the code, the set-up, signing out, the language switch.

The roles are `KUIHUA_OTP_REQUIRED_ROLES` (production: coordinators and district
viewers). A session not yet verified gets a redirect to the code page (or the set-up
page, not yet enrolled), and on /api/ a 403 in JSON: so an API token, which only a
session can create, is only ever created by a verified session. Requests with a bearer
token are not sessions and are not stopped here.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import user_has_device

from kuihua.core.api_support import error_body

ALLOWED_URL_NAMES = {
    "accounts:otp_verify",
    "accounts:otp_setup",
    "logout",
    "login",
    "set_language",
}


def must_verify(user) -> bool:
    """Whether `user` must still enter a code. A superuser can see every community:
    whenever any role must use two-factor sign-in, so must a superuser."""
    required = settings.KUIHUA_OTP_REQUIRED_ROLES
    return (
        user.is_authenticated
        and (user.role in required or (bool(required) and user.is_superuser))
        and not user.is_verified()
    )


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not must_verify(request.user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in ALLOWED_URL_NAMES:
            return None
        if request.path_info.startswith("/api/"):
            body = error_body(403, code="two_factor_required", message=_("请先完成两步验证。"))
            return JsonResponse(body, status=403)
        page = (
            "accounts:otp_verify"
            if user_has_device(request.user, confirmed=True)
            else "accounts:otp_setup"
        )
        return redirect(f"{reverse(page)}?next={quote(request.get_full_path())}")
