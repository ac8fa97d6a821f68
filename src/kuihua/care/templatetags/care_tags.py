"""The care programme's sub-navigation: each page of it, to those who may use that page."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# (URL name, words, the permission the page asks). In the order of a duty officer's day.
PAGES = [
    ("care:board", _("今日签到"), "care.handle_alert"),
    ("care:recipient_list", _("关爱对象"), "care.manage"),
    ("care:rota", _("值班表"), "care.manage"),
    ("care:my_duty", _("我的值班"), "care.take_duty"),
    ("care:my_visits", _("我的探访"), "care.visit_round"),
    ("care:figures", _("关爱统计"), "care.view_figures"),
]


@register.inclusion_tag("care/_subnav.html", takes_context=True)
def care_subnav(context) -> dict:
    """The links the signed-in user may follow; the page on screen marked as current."""
    request = context["request"]
    here = request.resolver_match.view_name if request.resolver_match else ""
    links = [
        {"url_name": name, "label": label, "current": name == here}
        for name, label, perm in PAGES
        if request.user.has_perm(perm)
    ]
    return {"links": links}
