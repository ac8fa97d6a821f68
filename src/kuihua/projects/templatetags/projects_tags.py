"""Template helpers of the project pages: amounts in yuan."""

from django import template

from kuihua.core.money import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen, sign: bool = False) -> str:
    """Whole fen as yuan: {{ money.raised_fen|yuan }} → "1,234.50"."""
    return _yuan(fen, sign=bool(sign))


@register.filter
def plain(value) -> str:
    """A decimal as people write it: 10.0000 → "10", 92.5000 → "92.5" (never "1E+1")."""
    if value is None:
        return ""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
