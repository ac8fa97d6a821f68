"""Pages of one's own account: two-factor set-up and check, changing one's password, and
the elder-mode switch in the top bar.

A role in `KUIHUA_OTP_REQUIRED_ROLES` signs in with its password and then, before any
other page (`TwoFactorRequiredMiddleware`), either enters a code from its authenticator
app or a recovery code (`otp_verify`), or, not yet enrolled, scans a QR code and confirms
it (`otp_setup`), after which it is shown ten recovery codes once.
"""

from __future__ import annotations

import base64
from urllib.parse import quote

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from kuihua.accounts.context_processors import ELDER_MODE_COOKIE
from kuihua.accounts.forms import OtpCodeForm
from kuihua.accounts.services import (
    totp_device_confirm,
    totp_device_start,
    user_set_elder_mode,
)
from kuihua.core.errors import ApplicationError
from kuihua.core.pages import apply_service_error


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


#: The cookie keeps elder mode on this device for the pages seen signed out (the sign-in
#: page); once signed in, the account's own setting decides (`accounts.context_processors`).
ELDER_MODE_COOKIE_AGE = 365 * 24 * 60 * 60


def _qr_svg(url: str) -> str:
    """The QR code as inline SVG (paths only: no script, no style, nothing fetched).

    segno draws modules, never the text itself, so the markup holds nothing of the user's.
    """
    svg = segno.make(url, error="m").svg_inline(scale=4, light="#fff")
    return mark_safe(svg)  # noqa: S308


@never_cache
@login_required
def otp_verify(request):
    """After the password: a code from the authenticator app, or a recovery code."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not user_has_device(request.user, confirmed=True):
        return redirect(f"{reverse('accounts:otp_setup')}?next={quote(_next_url(request))}")
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("code", _("验证码不正确或已经用过，请再试一次。"))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@login_required
def otp_setup(request):
    """Enrol an authenticator app: QR code and secret, then a code to confirm it."""
    if user_has_device(request.user, confirmed=True):
        return redirect(f"{reverse('accounts:otp_verify')}?next={quote(_next_url(request))}")
    device = totp_device_start(user=request.user)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_device_confirm(
                user=request.user, device=device, code=form.cleaned_data["code"]
            )
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            otp_login(request, TOTPDevice.objects.get(pk=device.pk))
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_svg": _qr_svg(device.config_url),
        "secret": base64.b32encode(device.bin_key).decode(),
    }
    return render(request, "accounts/otp_setup.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, in Chinese, back to the home page with a message."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, gettext_lazy("密码已修改。"))
        return response


@login_required
@require_POST
def elder_mode(request):
    """The top bar's 长辈模式 / 标准模式 switch: saved on the account, back to the same page.

    `enabled` says which way ("1" on, "0" off), so a second tap or a second tab does no harm;
    without it the switch flips.
    """
    wanted = request.POST.get("enabled")
    enabled = (wanted == "1") if wanted in ("0", "1") else not request.user.elder_mode
    user_set_elder_mode(user=request.user, enabled=enabled)
    if enabled:
        messages.success(request, _("已切换到长辈模式：字更大，按钮更大。"))
    else:
        messages.success(request, _("已切换回标准模式。"))
    response = redirect(_next_url(request))
    response.set_cookie(
        ELDER_MODE_COOKIE,
        "1" if enabled else "0",
        max_age=ELDER_MODE_COOKIE_AGE,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response
