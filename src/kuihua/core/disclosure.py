"""One rule for whole personal values: shown only on a logged access, never cached.

Default output is masked (`kuihua.core.masking`). A whole ID number, phone or
address of someone other than the user leaves the server only through `reveal`,
which writes the AccessLog row (`kuihua.core.audit.log_access`) and marks the
response no-store; `kuihua.core.nostore.NoStoreMiddleware` then sends `Cache-Control: no-store` on
it. `log_access` marks the response itself, so an export or any other logged
look is never cached either.

Searching by a whole value is a look at it: a hit on a whole ID number or a
whole phone confirms the value, so together with a masked value (first 3 and
last 4 digits) and a visible age it recovers the whole number one guess at a
time. Such a search is for roles that may see whole records
(`WHOLE_RECORD_PERMISSION`), is rate-limited per user (`KUIHUA_WHOLE_VALUE_SEARCH_RATE`)
and every person it finds is access-logged; for other roles it matches nothing
by that value and `search_refusal` says why.

See docs/adr/0002-personal-data.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from kuihua.core.audit import log_access
from kuihua.core.errors import ApplicationError
from kuihua.core.identity import InvalidValue, normalize_phone

# The right to see a resident's whole record (coordinators).
WHOLE_RECORD_PERMISSION = "registry.view_resident_sensitive"

ID_NUMBER = "id_number"
PHONE = "phone"

_ID_RE = re.compile(r"\d{17}[\dXx]")
# A whole phone: a valid mobile or landline with its area code (7 digits or more, after
# spaces, dashes and +86 are dropped). Its masked form shows 3 + 4 digits.
_PHONE_RE = re.compile(r"(?:\+?86)?\d{7,14}")


def may_see_whole(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(WHOLE_RECORD_PERMISSION)


def reveal(
    *,
    user,
    subject,
    values: dict[str, Any],
    purpose: str,
    fields: Iterable[str] | None = None,
) -> dict[str, Any]:
    """`values` (whole) for `user`, with the look written to the access log.

    The one way a whole value of `subject` (a person) reaches a user. The user's
    own record is theirs: shown without a row.
    """
    if getattr(user, "resident_id", None) is not None and user.resident_id == getattr(
        subject, "pk", None
    ):
        return values
    log_access(
        user=user,
        subject=subject,
        fields=list(fields if fields is not None else values),
        purpose=purpose,
    )
    return values


def whole_value_kind(query: str) -> str | None:
    """ID_NUMBER or PHONE when `query` could only match a whole number; else None."""
    text = re.sub(r"[\s\-()]", "", query or "")
    if _ID_RE.fullmatch(text):
        return ID_NUMBER
    if _PHONE_RE.fullmatch(text) and whole_phone(text):
        return PHONE
    return None


def whole_phone(query: str) -> str:
    """The phone `query` names in full (as stored), or "" if it names none.

    Only a valid number is a whole phone: the prefixes typed on the way to one (the
    pickers search as one types) are neither counted nor refused.
    """
    try:
        return normalize_phone(query)
    except InvalidValue:
        return ""


def search_refusal(user, query: str) -> str:
    """The message for a user who searched by a whole value they may not search by ("" if none)."""
    if whole_value_kind(query) and not may_see_whole(user):
        return _("按身份证号或完整手机号搜索仅限社区协调员；请按姓名、拼音或手机号后四位搜索。")
    return ""


class WholeValueSearchThrottled(ApplicationError):
    """Too many searches by whole ID number or phone in the rate's window (HTTP 429)."""

    status = 429


def count_whole_value_search(user) -> None:
    """Count one whole-value search by `user`; raise WholeValueSearchThrottled past the rate."""
    from kuihua.core.throttling import hit, parse_rate

    allowed, period = parse_rate(settings.KUIHUA_WHOLE_VALUE_SEARCH_RATE)
    count, _left = hit(f"throttle:whole_value_search:{user.pk}", period)
    if count > allowed:
        raise WholeValueSearchThrottled(
            _("按身份证号或手机号搜索过于频繁，请稍后再试。"), field="q"
        )
