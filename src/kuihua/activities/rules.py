"""Who may do what with activities, sign-ups and attendance (django-rules)."""

import rules

from kuihua.organizations.rules import leads_organization
from kuihua.registry.rules import is_coordinator, is_district_viewer


@rules.predicate
def is_organizer(user, activity) -> bool:
    """A coordinator, or a leader/deputy of the organization running the activity."""
    if activity is None or not user.is_authenticated:
        return False
    if is_coordinator(user):
        return True
    return leads_organization(user, activity.organization)


# --- activity management (activities helper) -------------------------------------------

# Creating activities, series and drives for an organization (obj: the organization).
rules.add_perm("activities.add_activity", is_coordinator | leads_organization)
# Changing, cancelling, counts, the sign-up list, attendance and the QR screen (obj: activity).
rules.add_perm("activities.manage_activity", is_organizer)
# The overview of every organization's activities: the coordinator, and the district viewer.
rules.add_perm("activities.view_overview", is_coordinator | is_district_viewer)


# --- sign-ups (sign-ups helper) ----------------------------------------------------------


@rules.predicate
def may_sign_up(user, activity) -> bool:
    """The user's own registry record may sign up to `activity` now (window, audience …).

    Says nothing about free places: a full activity still takes sign-ups, waitlisted.
    """
    if activity is None or not user.is_authenticated or user.resident is None:
        return False
    from kuihua.activities.signups.services import eligibility_problem

    return eligibility_problem(activity=activity, resident=user.resident, actor=user) is None


@rules.predicate
def owns_signup(user, signup) -> bool:
    return (
        signup is not None
        and user.is_authenticated
        and user.resident_id is not None
        and signup.resident_id == user.resident_id
    )


@rules.predicate
def organizes_signup(user, signup) -> bool:
    return signup is not None and is_organizer(user, signup.activity)


# Signing oneself up (obj: activity); the service gives the reason when refused.
rules.add_perm("activities.sign_up", may_sign_up)
# Signing someone else up, e.g. a resident without a phone (obj: activity).
rules.add_perm("activities.sign_up_others", is_organizer)
# The list of who signed up, with masked phones; the organizer may reveal one to call,
# access-logged (activities.selectors.signup_phone) (obj: activity).
rules.add_perm("activities.view_signups", is_organizer)
# Cancelling a sign-up (obj: sign-up): one's own, or the organizer.
rules.add_perm("activities.cancel_signup", owns_signup | organizes_signup)
# Accepting a place offered from the waitlist (obj: sign-up): only the person.
rules.add_perm("activities.accept_offer", owns_signup)
