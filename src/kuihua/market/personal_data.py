"""The market's part of a resident's export (registry/personal_data.py): what they
bought at the charity market, and how they paid.

Erasure leaves the sales alone: their money is in the funds' books (会计档案), and a
deleted resident's sales keep no buyer (`Sale.buyer` is set to null); their points
entries go with them.
"""

from __future__ import annotations

from kuihua.core.money import yuan
from kuihua.market.models import Sale


def market_export(resident) -> dict:
    return {
        "purchases": [
            {
                "date": s.stall.market_day.date.isoformat(),
                "stall": s.stall.name,
                "item": s.item.name,
                "quantity": s.quantity,
                "method": s.method,
                "amount": yuan(s.amount_fen) if s.amount_fen else None,
                "points": str(s.points) if s.points else None,
            }
            for s in Sale.objects.filter(buyer=resident)
            .select_related("stall__market_day", "item")
            .order_by("sold_at", "id")
        ]
    }
