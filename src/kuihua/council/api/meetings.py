"""Council over JSON: meetings (mounted at /api/council)."""

from ninja import Router

router = Router(tags=["council"])
