"""Writes to accounts: API tokens, two-factor devices and recovery codes, elder mode."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kuihua.accounts.models import ApiToken, User
from kuihua.core.errors import ApplicationError


@transaction.atomic
def api_token_issue(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; the plain value is returned once and never stored."""
    return ApiToken.issue(user=user, name=name.strip())


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token; revoking twice keeps the first revocation time."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


# -- Two-factor sign-in (django-otp): an authenticator app, and recovery codes ------------

RECOVERY_CODE_COUNT = 10


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """The user's authenticator not yet confirmed, made on first call and kept until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the authenticator with a code it shows; new recovery codes, returned once."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token(code):
        raise ApplicationError(_("验证码不正确，请看手机上当前的6位数字再输一次。"), field="code")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return recovery_codes_issue(user=user)


@transaction.atomic
def recovery_codes_issue(*, user: User) -> list[str]:
    """Ten new single-use recovery codes for `user`; the old ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="recovery")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


# -- Elder mode (长辈模式): larger type, stronger contrast, bigger buttons -----------------


@transaction.atomic
def user_set_elder_mode(*, user: User, enabled: bool) -> User:
    """Turn elder mode on or off for `user`; kept on the account, so every device follows."""
    user.elder_mode = bool(enabled)
    user.save(update_fields=["elder_mode"])
    return user
