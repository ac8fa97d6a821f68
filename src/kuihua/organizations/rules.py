"""Who may do what with organizations (django-rules)."""

import rules

from kuihua.organizations.models import Membership
from kuihua.registry.rules import is_coordinator


@rules.predicate
def leads_organization(user, organization) -> bool:
    if organization is None or not user.is_authenticated or not user.resident_id:
        return False
    return Membership.objects.filter(
        organization=organization,
        resident_id=user.resident_id,
        role__in=[Membership.Role.LEADER, Membership.Role.DEPUTY],
    ).exists()


rules.add_perm("organizations.add_organization", is_coordinator)
rules.add_perm("organizations.change_organization", is_coordinator | leads_organization)
rules.add_perm("organizations.change_stage", is_coordinator)
rules.add_perm("organizations.set_leader", is_coordinator)
# Members' contacts and the member roster's management.
rules.add_perm("organizations.view_private", is_coordinator | leads_organization)
rules.add_perm("organizations.add_partner", is_coordinator)
rules.add_perm("organizations.set_partner_contact", is_coordinator)
