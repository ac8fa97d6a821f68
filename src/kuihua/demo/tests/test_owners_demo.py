"""The demo community's homes have areas and owners, as a real register would."""

import pytest

from kuihua.core.tenancy import use_community
from kuihua.demo.write import generate_community
from kuihua.registry.models import Compound, Household, Ownership
from kuihua.registry.selectors import compound_electorate

pytestmark = pytest.mark.django_db


def test_most_homes_have_an_area_and_an_owner_and_some_owners_live_elsewhere():
    community = generate_community(index=1, scale=0.05)

    with use_community(community):
        homes = Household.objects.count()
        with_area = Household.objects.filter(exclusive_area__isnull=False).count()
        owned = Ownership.objects.values("household").distinct().count()
        outside = Ownership.objects.filter(resident__isnull=True).count()
        electorates = [compound_electorate(c) for c in Compound.objects.all()]

    assert 0.9 * homes <= with_area < homes
    assert 0.8 * homes <= owned < homes
    assert outside > 0
    assert any(len(v.homes) > 1 for e in electorates for v in e.voters)
    assert sum(e.heads for e in electorates) < owned  # co-owners and landlords count once
