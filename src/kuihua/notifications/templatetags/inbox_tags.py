"""`{% inbox_badge %}`: the inbox link with the unread count, for the top bar."""

from django import template

from kuihua.notifications.selectors import safe_link, unread_count

register = template.Library()


@register.inclusion_tag("notifications/_badge.html", takes_context=True)
def inbox_badge(context):
    user = context["user"]
    return {"user": user, "unread": unread_count(user)}


@register.filter(name="safe_link")
def safe_link_filter(link: str) -> str:
    """A message's link only when it stays on this site."""
    return safe_link(link or "")
