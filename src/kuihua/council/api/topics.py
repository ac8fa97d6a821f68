"""Council over JSON: topics (mounted at /api/council)."""

from ninja import Router

router = Router(tags=["council"])
