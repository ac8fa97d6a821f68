"""Council over JSON: decisions (mounted at /api/council)."""

from ninja import Router

router = Router(tags=["council"])
