"""Who may do what with service records (django-rules).

谁组织谁记录，谁记录谁证明: the organization that organized a service records,
verifies and certifies it, through its leader or deputy; coordinators act for
the community. A volunteer sees their own records and asks for corrections.
"""

import rules

from kuihua.organizations.models import Membership
from kuihua.organizations.rules import leads_organization
from kuihua.registry.rules import is_coordinator, is_district_viewer

MANAGING_ROLES = [Membership.Role.LEADER, Membership.Role.DEPUTY]


def _leads(user, organization_id) -> bool:
    if organization_id is None or not user.is_authenticated or not user.resident_id:
        return False
    return Membership.objects.filter(
        organization_id=organization_id, resident_id=user.resident_id, role__in=MANAGING_ROLES
    ).exists()


@rules.predicate
def leads_record_organization(user, obj) -> bool:
    """`obj` is a record or a certificate: does the user lead the organization behind it?"""
    return obj is not None and _leads(user, obj.organization_id)


@rules.predicate
def leads_any_organization(user) -> bool:
    if not user.is_authenticated or not user.resident_id:
        return False
    return Membership.objects.filter(resident_id=user.resident_id, role__in=MANAGING_ROLES).exists()


@rules.predicate
def is_own(user, obj) -> bool:
    """A record's volunteer or a certificate's holder is the user."""
    if obj is None or not user.is_authenticated or user.resident_id is None:
        return False
    holder = getattr(obj, "volunteer_id", None) or getattr(obj, "resident_id", None)
    return holder == user.resident_id


rules.add_perm("service_records.view_record", is_coordinator | is_own | leads_record_organization)
rules.add_perm("service_records.add_record", is_coordinator | leads_organization)
rules.add_perm("service_records.verify_record", is_coordinator | leads_record_organization)
rules.add_perm("service_records.decide_correction", is_coordinator | leads_record_organization)
rules.add_perm(
    "service_records.request_correction", is_own | is_coordinator | leads_record_organization
)
rules.add_perm("service_records.issue_certificate", is_coordinator | leads_organization)
rules.add_perm(
    "service_records.view_certificate", is_coordinator | is_own | leads_record_organization
)
rules.add_perm("service_records.view_queue", is_coordinator | leads_any_organization)
rules.add_perm("service_records.view_overview", is_coordinator | is_district_viewer)
rules.add_perm("service_records.change_points_rule", is_coordinator)
rules.add_perm("service_records.spend_points", is_coordinator)
