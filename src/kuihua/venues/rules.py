"""Who may do what with rooms and bookings (django-rules).

Coordinators manage rooms and may book for any organization; an organization's
leaders and deputies book for their own organization and cancel its bookings;
anyone signed in sees the calendar.
"""

import rules

from kuihua.organizations.rules import leads_organization
from kuihua.registry.rules import is_coordinator, is_signed_in


@rules.predicate
def leads_booking_organization(user, booking) -> bool:
    return booking is not None and leads_organization(user, booking.organization)


rules.add_perm("venues.view_calendar", is_signed_in)
rules.add_perm("venues.manage_rooms", is_coordinator)
# With an organization: may book in its name; with none: may book at all.
rules.add_perm("venues.book_for", is_coordinator | leads_organization)
rules.add_perm("venues.cancel_booking", is_coordinator | leads_booking_organization)
