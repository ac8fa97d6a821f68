"""Who may do what at the charity market (爱心集市) (django-rules); which stall is a
matter for `selectors.access_stall` (a leader sells only at their organization's own).

- `market.manage`: a coordinator opens and closes market days, gives organizations
  their stalls and sets how proceeds are split (`MarketRule`).
- `market.sell`: a coordinator, or the leader or deputy of an organization, records
  sales and keeps the items of a stall. An organization's other members do not: the
  stall's phone is in its leader's (or deputy's) hand, and spending a neighbour's
  points is for someone the organization answers for.
- `market.view`: anyone signed in with a community: the market days, the stalls and
  their prices, and their own points ("my points").
"""

import rules

from kuihua.registry.rules import is_coordinator
from kuihua.service_records.rules import leads_any_organization


@rules.predicate
def is_member(user) -> bool:
    return user.is_authenticated and user.community_id is not None


rules.add_perm("market.manage", is_coordinator)
rules.add_perm("market.sell", is_coordinator | leads_any_organization)
rules.add_perm("market.view", is_member)
