"""Writing a figure's numbers the way its Format says (dashboard/base.py)."""

from __future__ import annotations

from django import template

from kuihua.dashboard.base import Format
from kuihua.dashboard.presenting import format_number

register = template.Library()


@register.filter
def figure_number(value, fmt: str = Format.COUNT) -> str:
    """`{{ number|figure_number:figure.format }}`."""
    return format_number(value, fmt)


@register.filter
def shown_value(shown) -> str:
    """A Shown figure's headline: `{{ shown|shown_value }}`."""
    return format_number(shown.value, shown.figure.format)
