"""Who may do what in the residents' council (django-rules).

Coordinators run it: they write the rules, call meetings, answer and merge topics,
open and close votes and track decisions. Everyone signed in with a community reads
its public pages, supports and comments on topics, and votes where they are on the
roll. Raising a topic follows the rules of procedure in force. A paper ballot is
recorded by a coordinator or a steward, and who recorded it is kept. A decision's
owner reports its progress. A district viewer reads the notice board.
"""

import rules

from kuihua.accounts.models import Role
from kuihua.registry.rules import is_coordinator, is_district_viewer


@rules.predicate
def is_member(user) -> bool:
    """Signed in and belonging to a community (every role except the district viewer)."""
    return user.is_authenticated and user.community_id is not None


@rules.predicate
def is_steward(user) -> bool:
    return user.is_authenticated and user.role == Role.STEWARD


@rules.predicate
def may_raise_topics(user) -> bool:
    """What the rules of procedure in force allow (anyone, or delegates only)."""
    if not user.is_authenticated or user.community_id is None:
        return False
    from kuihua.council.models import Delegate, RulesOfProcedure
    from kuihua.council.procedure import rules_in_force

    rules_now = rules_in_force(user.community_id)
    if rules_now is None or rules_now.who_may_raise == RulesOfProcedure.Raisers.EVERYONE:
        return True
    return bool(user.resident_id) and (
        Delegate.objects.filter(resident_id=user.resident_id, until__isnull=True).exists()
    )


@rules.predicate
def owns_decision(user, decision) -> bool:
    return decision is not None and user.is_authenticated and decision.owner_id == user.pk


rules.add_perm("council.view", is_member | is_district_viewer)
rules.add_perm("council.manage", is_coordinator)
rules.add_perm("council.raise_topic", is_coordinator | (is_member & may_raise_topics))
rules.add_perm("council.take_part", is_member)
rules.add_perm("council.record_paper_ballot", is_coordinator | is_steward)
rules.add_perm("council.take_attendance", is_coordinator)
rules.add_perm("council.report_progress", is_coordinator | owns_decision)
