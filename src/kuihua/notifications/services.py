"""Telling people things.

Call `notify` inside the business transaction. The inbox message is written in
that same transaction, so it exists exactly when the change it reports exists;
delivery through outside channels is queued only after the commit.
"""

from __future__ import annotations

from kuihua.notifications.models import Message


def notify(*, recipient, kind: str, title: str, body: str = "", link: str = "") -> Message | None:
    """Put a message in `recipient`'s inbox (no-op for a person without an account)."""
    if recipient is None or not getattr(recipient, "pk", None) or not recipient.community_id:
        return None
    return Message.objects.create(
        community_id=recipient.community_id,
        recipient_id=recipient.pk,
        kind=kind,
        title=title,
        body=body,
        link=link,
    )
