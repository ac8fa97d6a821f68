"""The stewards' template helpers: amounts in yuan, and a compound's tabs."""

from django import template

from kuihua.core.money import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen, sign: bool = False) -> str:
    """Whole fen as yuan: {{ bill.amount_fen|yuan }} → "1,234.50"."""
    return _yuan(fen, sign=bool(sign))


@register.inclusion_tag("stewards/_subnav.html", takes_context=True)
def compound_tabs(context, compound) -> dict:
    """The compound's pages the signed-in user may open; the one on screen marked.

    Each views module lists its own tabs (`TABS`: URL name, words, "keep" or "read").
    """
    from kuihua.stewards.selectors import KEEP, kept_compound_ids
    from kuihua.stewards.views import books, money

    request = context["request"]
    here = request.resolver_match.view_name if request.resolver_match else ""
    keeps = compound.pk in kept_compound_ids(request.user)
    links = [
        {"url_name": name, "label": label, "current": name == here}
        for name, label, action in [*money.TABS, *books.TABS]
        if keeps or action != KEEP
    ]
    return {"links": links, "compound": compound}
