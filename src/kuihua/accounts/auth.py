"""How an API request says who it is: the session's cookie, or a bearer token.

`Authorization: Bearer kh_…` is a token issued with `ApiToken.issue`. The token is
tried first: a client sending a bearer token has no CSRF cookie, and the session
check would refuse its writes before the token was looked at.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja.security import HttpBearer
from ninja.security import session as ninja_session

from kuihua.accounts.models import ApiToken
from kuihua.core.middleware import activate_user_scope

TOKEN_USE_PRECISION = dt.timedelta(minutes=1)


class TokenAuth(HttpBearer):
    """A bearer token of an active account; its community is put in force.

    The token's last use is written at most once a minute (`TOKEN_USE_PRECISION`):
    a read through the API is then not also a write (on SQLite, not a turn at
    the one write lock), and "最近使用" is still right to the minute.
    """

    def authenticate(self, request, token: str):
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True)
            .first()
        )
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at >= TOKEN_USE_PRECISION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        request.api_token = found
        activate_user_scope(request)
        return found.user


class SessionAuth(ninja_session.SessionAuth):
    """The session's cookie, CSRF-checked only when it signs someone in.

    ninja's `django_auth` checks CSRF first, so a write carrying no credentials at all
    was refused as 403 (CSRF) instead of 401 (who are you?). Without a signed-in
    session there is nothing a forged request could borrow: no check, and 401.
    """

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


session_auth = SessionAuth()
session_or_token = [TokenAuth(), session_auth]
session_only = [session_auth]
