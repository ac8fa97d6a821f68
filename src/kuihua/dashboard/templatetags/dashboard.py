"""Writing a figure's numbers the way its Format says (dashboard/base.py)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

from kuihua.core.money import yuan
from kuihua.dashboard.base import Format

register = template.Library()

NOTHING = "—"


def format_number(value, fmt: str = Format.COUNT) -> str:
    """1,234 · 1,234.5 · 81.2% (from 0.812) · ¥1,234.00 (from 123400 fen); "—" for None."""
    if value is None or value == "":
        return NOTHING
    number = Decimal(value)
    if fmt == Format.PERCENT:
        share = (number * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return f"{share}%"
    if fmt == Format.YUAN:
        fen = int(number.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        return f"¥{yuan(fen)}"
    if fmt == Format.DECIMAL:
        rounded = number.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return f"{rounded:,.1f}".removesuffix(".0")
    return f"{int(number.quantize(Decimal(1), rounding=ROUND_HALF_UP)):,}"


@register.filter
def figure_number(value, fmt: str = Format.COUNT) -> str:
    """`{{ number|figure_number:figure.format }}`."""
    return format_number(value, fmt)


@register.filter
def shown_value(shown) -> str:
    """A Shown figure's headline: `{{ shown|shown_value }}`."""
    return format_number(shown.value, shown.figure.format)
