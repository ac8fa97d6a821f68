"""Reads of the inbox: a person sees their own messages and nobody else's."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from kuihua.notifications.models import Message


def messages_visible_to(user) -> QuerySet[Message]:
    """`user`'s own messages in the community in force, newest first."""
    if not user.is_authenticated:
        return Message.objects.none()
    return Message.objects.filter(recipient_id=user.pk).order_by("-created_at", "-id")


def access_message(user, message_id: int) -> Message:
    """One of `user`'s own messages, else 404 (someone else's message is not there)."""
    return get_object_or_404(messages_visible_to(user), pk=message_id)


def unread_count(user) -> int:
    if not user.is_authenticated or not user.community_id:
        return 0
    return messages_visible_to(user).filter(read_at__isnull=True).count()


def safe_link(link: str) -> str:
    """A message's link if it stays on this site (a path), else nothing."""
    return link if link.startswith("/") and not link.startswith("//") else ""
