"""Who may do what in the stewards' area (django-rules); which compound is a matter
for `selectors.access_books` (a steward keeps only the compounds assigned to them).

- `stewards.manage`: a coordinator assigns stewards, opens books, sets fee schedules
  and decides hardship.
- `stewards.keep_books`: a coordinator or a steward records payments, runs billing,
  posts income and expenses, closes periods and sends reminders, for their compounds.
- `stewards.view`: anyone signed in with a community: a resident reads their own
  compound's published statements and their home's bills.
"""

import rules

from kuihua.accounts.models import Role
from kuihua.registry.rules import is_coordinator


@rules.predicate
def is_steward(user) -> bool:
    return user.is_authenticated and user.role == Role.STEWARD and user.community_id is not None


@rules.predicate
def is_member(user) -> bool:
    return user.is_authenticated and user.community_id is not None


rules.add_perm("stewards.manage", is_coordinator)
rules.add_perm("stewards.keep_books", is_coordinator | is_steward)
rules.add_perm("stewards.view", is_member)
