"""Notifications' part of a resident's export and erasure (registry/personal_data.py).

Export: every message sent to the person's account, with how each copy went out.
Erasure: their messages and deliveries are deleted; a message to someone else
that names them (an alert to the duty volunteer, a need to the coordinator) stays
with the name, phone, ID number and address replaced by ***.
"""

from __future__ import annotations

from kuihua.notifications.models import Message
from kuihua.registry.personal_data import Erasure, iso


def notifications_export(resident) -> list[dict]:
    messages = Message.objects.filter(recipient__resident=resident).prefetch_related("deliveries")
    return [
        {
            "kind": m.kind,
            "title": m.title,
            "body": m.body,
            "link": m.link,
            "created_at": iso(m.created_at),
            "read_at": iso(m.read_at),
            "deliveries": [
                {"channel": d.channel, "status": d.status, "sent_at": iso(d.sent_at)}
                for d in m.deliveries.all()
            ],
        }
        for m in messages.order_by("created_at", "id")
    ]


def notifications_erase(erasure: Erasure) -> None:
    if erasure.account is not None:
        Message.objects.filter(recipient=erasure.account).delete()  # deliveries cascade
    others = Message.objects.filter(community_id=erasure.resident.community_id)
    erasure.scrub_rows(others, "title", "body")
