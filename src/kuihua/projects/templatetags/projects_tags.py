"""Template helpers of the project pages: amounts in yuan."""

from django import template

from kuihua.core.money import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen, sign: bool = False) -> str:
    """Whole fen as yuan: {{ money.raised_fen|yuan }} → "1,234.50"."""
    return _yuan(fen, sign=bool(sign))
