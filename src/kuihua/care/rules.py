"""Who may do what in the care programme (django-rules).

Alerts are handled by the duty officer (a coordinator, or the volunteer holding
the current shift of the rota); the person's visitors, who are told of an
alert about them, may acknowledge and resolve that one. A person's primary and backup
visitors see that person (without the health conditions) and record their
visits; a shift's holder asks to hand it over.
"""

import rules

from kuihua.accounts.models import Role
from kuihua.registry.rules import is_coordinator, is_district_viewer

# Who may be asked to visit an enrolled person or take the duty line.
HELPER_ROLES = (Role.VOLUNTEER, Role.ORG_LEADER, Role.STEWARD, Role.COORDINATOR)


@rules.predicate
def visits(user, recipient) -> bool:
    """`user` is the person's primary or one of their backup visitors."""
    if recipient is None or not user.is_authenticated:
        return False
    if recipient.primary_visitor_id == user.pk:
        return True
    return recipient.backup_visitors.filter(pk=user.pk).exists()


@rules.predicate
def visits_anyone(user) -> bool:
    """`user` is the primary or a backup visitor of someone enrolled."""
    if not user.is_authenticated:
        return False
    from django.db.models import Q

    from kuihua.care.models import CareRecipient

    return CareRecipient.objects.filter(
        Q(primary_visitor=user) | Q(backup_visitors=user), active=True
    ).exists()


@rules.predicate
def is_helper(user) -> bool:
    return user.is_authenticated and user.role in HELPER_ROLES


@rules.predicate
def holds_shifts(user) -> bool:
    """`user` holds a shift of the duty line, today or later."""
    if not user.is_authenticated:
        return False
    from django.utils import timezone

    from kuihua.care.models import DutyShift

    return DutyShift.objects.filter(user=user, day__gte=timezone.localdate()).exists()


@rules.predicate
def holds_shift(user, shift) -> bool:
    return shift is not None and user.is_authenticated and shift.user_id == user.pk


@rules.predicate
def on_duty(user) -> bool:
    """`user` holds the duty line's shift now (the community in force)."""
    if not user.is_authenticated:
        return False
    from kuihua.care.duty import holds_duty_now

    return holds_duty_now(user)


@rules.predicate
def visits_alerted(user, alert) -> bool:
    """`user` visits the person an alert is about: they are told of it and go."""
    return alert is not None and visits(user, alert.recipient)


# The duty officer is a coordinator, or the volunteer holding the current shift.
rules.add_perm("care.handle_alert", is_coordinator | on_duty)
# One alert: also the person's visitors, who are told of it and are the ones at the door.
rules.add_perm("care.tend_alert", is_coordinator | on_duty | visits_alerted)
rules.add_perm("care.manage", is_coordinator)
# The programme's figures, no names: also the district viewer.
rules.add_perm("care.view_figures", is_coordinator | is_district_viewer)
rules.add_perm("care.view_recipient", is_coordinator | visits)
rules.add_perm("care.record_visit", is_coordinator | visits)
rules.add_perm("care.swap_shift", holds_shift)
# "My visits": the people one visits (a coordinator sees every page of the programme).
rules.add_perm("care.visit_round", is_coordinator | visits_anyone)
# "My duty": one's shifts and when one can take the line.
rules.add_perm("care.take_duty", is_helper | holds_shifts)
