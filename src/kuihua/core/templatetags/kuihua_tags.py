"""Template filters for showing personal data the way a page may show it."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.core import masking
from kuihua.core.identity import age_on

register = template.Library()


@register.filter
def mask_phone(value: str | None) -> str:
    return masking.mask_phone(value)


@register.filter
def mask_id(value: str | None) -> str:
    return masking.mask_id_number(value)


@register.filter
def mask_name(value: str | None) -> str:
    return masking.mask_name(value)


@register.filter
def mask_text(value: str | None) -> str:
    return masking.mask_text(value)


@register.filter
def age(birth: dt.date | None) -> str:
    """Whole years today (Asia/Shanghai), '' when the birth date is unknown."""
    years = age_on(birth, timezone.localdate())
    return "" if years is None else _("%(n)s岁") % {"n": years}


@register.filter
def public_tags(tags) -> list:
    """The tags a list may show by name; sensitive (health) ones are left out."""
    return [t for t in tags if not t.is_sensitive]


@register.filter
def has_sensitive_tag(tags) -> bool:
    return any(t.is_sensitive for t in tags)
