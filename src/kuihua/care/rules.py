"""Who may do what in the care programme (django-rules).

Alerts are handled by coordinators (the duty officers until the rota lands)
and by trained volunteers assigned as visitors. A person's primary and backup
visitors see that person (without the health conditions) and record their
visits; a shift's holder asks to hand it over.
"""

import rules

from kuihua.registry.rules import is_coordinator


@rules.predicate
def visits(user, recipient) -> bool:
    """`user` is the person's primary or one of their backup visitors."""
    if recipient is None or not user.is_authenticated:
        return False
    if recipient.primary_visitor_id == user.pk:
        return True
    return recipient.backup_visitors.filter(pk=user.pk).exists()


@rules.predicate
def holds_shift(user, shift) -> bool:
    return shift is not None and user.is_authenticated and shift.user_id == user.pk


rules.add_perm("care.handle_alert", is_coordinator)
rules.add_perm("care.manage", is_coordinator)
rules.add_perm("care.view_recipient", is_coordinator | visits)
rules.add_perm("care.record_visit", is_coordinator | visits)
rules.add_perm("care.swap_shift", holds_shift)
