"""Who may do what with needs and services (django-rules).

Coordinators run the matching and act for anyone. A resident raises, cancels
and rates their own needs; a volunteer or organization leader may raise one
for a resident they can see (a visit). A provider (the offer's contact account,
a leader of the offering organization, or the contact account of the offering partner
unit) starts and finishes its orders.
"""

import rules

from kuihua.accounts.models import Role
from kuihua.matching.models import Need
from kuihua.registry.rules import is_coordinator, is_district_viewer


def _provides(user, need: Need) -> bool:
    if need is None or need.provider_id is None or not user.is_authenticated:
        return False
    offer = need.provider
    if offer.contact_user_id == user.pk:
        return True
    if offer.partner_id and offer.partner.contact_user_id == user.pk:
        return True  # the partner unit's contact account acts for the unit
    if offer.organization_id and user.resident_id:
        from kuihua.organizations.selectors import organizations_led_by

        return organizations_led_by(user).filter(pk=offer.organization_id).exists()
    return False


@rules.predicate
def provides(user, need) -> bool:
    return _provides(user, need)


@rules.predicate
def visits_residents(user) -> bool:
    """Volunteers and organization leaders meet residents on visits (走访)."""
    return user.is_authenticated and user.role in (Role.VOLUNTEER, Role.ORG_LEADER)


@rules.predicate
def is_own_need(user, need) -> bool:
    return need is not None and user.is_authenticated and need.resident_id == user.resident_id


rules.add_perm("matching.run", is_coordinator)
rules.add_perm("matching.manage", is_coordinator)
rules.add_perm("matching.raise_on_visit", visits_residents)
# 服务统计 and 缺口分析: also the district viewer, who reads and writes nothing.
rules.add_perm("matching.view_stats", is_coordinator | is_district_viewer)
rules.add_perm("matching.cancel_need", is_coordinator | is_own_need)
rules.add_perm("matching.rate_need", is_coordinator | is_own_need)
rules.add_perm("matching.serve_need", is_coordinator | provides)
