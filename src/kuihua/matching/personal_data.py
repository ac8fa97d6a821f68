"""Matching's part of a resident's export and erasure (registry/personal_data.py).

Export: the needs raised for the person with their whole history (events, what
was delivered), the needs their account raised for someone else (only what they
did: when and in which category, not the other person's data), and the services
they offer as a volunteer.

Erasure: their needs go with their events, proposals and delivery records (a
need is about one person; the monthly delivery counts drop by theirs). Their
volunteer offers go; an order given to one waits for another provider; an offer
they were the contact for stays without a contact. A need
raised by their account for someone else stays (it is that person's), its
registrar becomes the nameless erased account. A need, event or rating of someone
else that names them keeps its text with their values replaced by ***.
"""

from __future__ import annotations

from kuihua.matching.models import Need, NeedEvent, ServiceDelivery, ServiceOffer
from kuihua.registry.personal_data import Erasure, iso


def matching_export(resident) -> dict:
    needs = (
        Need.objects.filter(resident=resident)
        .select_related("category")
        .prefetch_related("events")
        .order_by("created_at", "id")
    )
    raised = Need.objects.none()
    account = getattr(resident, "account", None)
    if account is not None:
        raised = Need.objects.filter(raised_by=account).exclude(resident=resident)
    return {
        "needs": [
            {
                "id": n.pk,
                "category": n.category.name,
                "description": n.description,
                "urgency": n.urgency,
                "recurrence": n.recurrence,
                "channel": n.channel,
                "consent_to_share": n.consent_to_share,
                "status": n.status,
                "rating": n.rating,
                "rating_comment": n.rating_comment,
                "close_reason": n.close_reason,
                "created_at": iso(n.created_at),
                "events": [
                    {"status": e.status, "at": iso(e.at), "note": e.note} for e in n.events.all()
                ],
            }
            for n in needs
        ],
        "deliveries": [
            {"category": d.category.name, "delivered_at": iso(d.delivered_at)}
            for d in ServiceDelivery.objects.filter(resident=resident).select_related("category")
        ],
        "needs_raised_for_others": [
            {"id": n.pk, "category": n.category.name, "created_at": iso(n.created_at)}
            for n in raised.select_related("category")
        ],
        "offers": [
            {"name": o.name, "created_at": iso(o.created_at)}
            for o in ServiceOffer.objects.filter(volunteer=resident)
        ],
    }


def matching_erase(erasure: Erasure) -> None:
    resident = erasure.resident
    needs = Need.objects.filter(resident=resident)
    erasure.forget_objects(Need, needs.values_list("pk", flat=True))
    erasure.forget_objects(
        NeedEvent, NeedEvent.objects.filter(need__in=needs).values_list("pk", flat=True)
    )
    offers = ServiceOffer.objects.filter(volunteer=resident)
    erasure.forget_objects(ServiceOffer, offers.values_list("pk", flat=True))
    needs.delete()  # events, proposals and the delivery record cascade
    offers.delete()
    if erasure.account is not None:
        # An organization's offer they were the contact for stays, with no contact.
        ServiceOffer.objects.filter(contact_user=erasure.account).update(contact_user=None)
    community_id = resident.community_id
    erasure.scrub_rows(
        Need.objects.filter(community_id=community_id),
        "description",
        "rating_comment",
        "close_reason",
    )
    erasure.scrub_rows(NeedEvent.objects.filter(community_id=community_id), "note")
