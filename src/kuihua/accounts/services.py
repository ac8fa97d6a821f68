"""Writes to accounts: API tokens."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from kuihua.accounts.models import ApiToken, User


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
