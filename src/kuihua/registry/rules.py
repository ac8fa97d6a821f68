"""Who may do what in the registry (django-rules). Views and the API ask `user.has_perm`."""

import rules

from kuihua.accounts.models import Role


@rules.predicate
def is_coordinator(user) -> bool:
    return user.is_authenticated and user.role == Role.COORDINATOR


@rules.predicate
def is_district_viewer(user) -> bool:
    return user.is_authenticated and user.role == Role.DISTRICT_VIEWER


@rules.predicate
def is_signed_in(user) -> bool:
    return user.is_authenticated


@rules.predicate
def is_own_household(user, resident) -> bool:
    if resident is None or user.resident is None:
        return False
    if resident.pk == user.resident_id:
        return True
    return bool(resident.household_id) and resident.household_id == user.resident.household_id


@rules.predicate
def is_self(user, resident) -> bool:
    return resident is not None and user.resident_id is not None and resident.pk == user.resident_id


rules.add_perm("registry.view_registry", is_coordinator)
rules.add_perm("registry.view_resident", is_coordinator | is_own_household)
# Whole ID numbers, phones and health conditions: the coordinators keep the registry.
rules.add_perm("registry.view_resident_sensitive", is_coordinator)
rules.add_perm("registry.change_resident", is_coordinator)
rules.add_perm("registry.add_resident", is_coordinator)
rules.add_perm("registry.erase_resident", is_coordinator)
# The right of access is one's own: a spouse does not download the other's whole record.
rules.add_perm("registry.export_resident", is_coordinator | is_self)
rules.add_perm("registry.import_data", is_coordinator)
rules.add_perm("registry.add_tag", is_coordinator)
rules.add_perm("registry.record_consent", is_coordinator)
# Homes' floor areas and owners (业主), and the electorate they make. Stewards get rights
# scoped to their own compound in a later issue; until then only the coordinators.
rules.add_perm("registry.change_ownership", is_coordinator)
rules.add_perm("registry.view_ownership", is_coordinator)
rules.add_perm("core.view_accesslog", is_coordinator)
