"""Setting up a new community: the tenant row, then what each app seeds for it.

It sits above every app it seeds (the tags of the registry, the five branches of the
organizations, the service categories of matching), so that none of them imports
another to do it: Zulip's `create_realm` stands above everything it creates in the
same way. See docs/adr/0009-layers-and-the-tenancy-door.md.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from kuihua.core.models import Community
from kuihua.core.tenancy import use_community
from kuihua.matching.services import categories_ensure
from kuihua.organizations.services import branches_ensure
from kuihua.registry.services import tags_ensure


@transaction.atomic
def community_create(
    *,
    name: str,
    code: str,
    street: str = "",
    district: str = "",
    area_km2: Decimal | None = None,
) -> Community:
    """A new tenant with its default tags, its five category branches and the preset
    service categories, all or nothing."""
    community = Community.objects.create(
        name=name, code=code, street=street, district=district, area_km2=area_km2
    )
    with use_community(community):
        tags_ensure(community=community)
        branches_ensure(community=community)
        categories_ensure(community=community)
    return community
