"""Council over JSON: votes (mounted at /api/council)."""

from ninja import Router

router = Router(tags=["council"])
