"""The council's sub-navigation: each page of it, to those who may use that page."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# (URL name, words, the permission the page asks).
PAGES = [
    ("council:home", _("议事会"), "council.view"),
    ("council:topic_list", _("议题"), "council.take_part"),
    ("council:meeting_list", _("会议"), "council.take_part"),
    ("council:vote_list", _("表决"), "council.take_part"),
    ("council:notice_board", _("决议公示"), "council.view"),
    ("council:delegate_list", _("议事代表"), "council.take_part"),
    ("council:rules", _("议事规则"), "council.view"),
]


@register.inclusion_tag("council/_subnav.html", takes_context=True)
def council_subnav(context) -> dict:
    """The links the signed-in user may follow; the page on screen marked as current."""
    request = context["request"]
    here = request.resolver_match.view_name if request.resolver_match else ""
    links = [
        {"url_name": name, "label": label, "current": name == here}
        for name, label, perm in PAGES
        if request.user.has_perm(perm)
    ]
    return {"links": links}
