import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """Dashboard parts are cached per community id; a rolled-back test's ids come back."""
    cache.clear()
    yield
    cache.clear()
