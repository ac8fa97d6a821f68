"""The stewards' part of a resident's export (registry/personal_data.py).

Bills and receipts belong to a home, not to a person; a resident's export lists those
of the homes they live in or own (a payer's name alone is no proof of who they are:
two 张伟 are two people).
Erasure leaves the books alone: they are the compound's accounting records (会计档案),
which must stay complete and balanced (docs/privacy.md).
"""

from __future__ import annotations

from django.db.models import Q

from kuihua.core.money import yuan
from kuihua.stewards.models import Bill, Payment


def stewards_export(resident) -> dict:
    homes = Q(household__members=resident) | Q(household__ownerships__resident=resident)
    return {
        "bills": [
            {
                "home": b.household.address,
                "period": f"{b.period_start.isoformat()}/{b.period_end.isoformat()}",
                "amount": yuan(b.amount_fen),
                "paid": yuan(b.paid_fen),
                "reduction_reason": b.reduction_reason,
            }
            for b in Bill.objects.filter(homes)
            .distinct()
            .select_related("household__building__compound")
            .order_by("period_start", "id")
        ],
        "receipts": [
            {
                "home": p.household.address,
                "receipt_no": p.receipt_no,
                "kind": p.kind,
                "amount": yuan(p.amount_fen),
                "method": p.method,
                "received_on": p.received_on.isoformat(),
                "payer_name": p.payer_name,
                "voided": p.is_voided,
            }
            for p in Payment.objects.filter(homes)
            .distinct()
            .select_related("household__building__compound")
            .order_by("received_on", "id")
        ],
    }
