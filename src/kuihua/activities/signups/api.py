"""Sign-ups over JSON: sign up, cancel, accept a place offered, lists with queue positions.

Mounted at /api/activities beside the activities router (different paths);
`me_router` adds GET /api/me/signups. The sign-up endpoint is rate-limited per
person and overall (`SignupThrottle`, one Redis round trip for both): a flood is
answered with 429 in the uniform error shape, never with 500.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Status

from kuihua.activities.models import Signup
from kuihua.activities.signups import services
from kuihua.activities.signups.schemas import ActivitySignupOut, SignupIn, SignupOut
from kuihua.activities.signups.selectors import (
    access_activity_for_signup,
    access_activity_signups,
    access_signup,
    activity_signups,
    signups_of,
    waitlist_position,
)
from kuihua.core.api_support import ServiceError, body_ref, error_responses, paginated
from kuihua.core.throttling import WindowRatesThrottle
from kuihua.registry.selectors import access_resident

# The operation ids stay what they were before this module moved into signups/: generated
# clients name their methods after them.
router = Router(tags=["sign-ups"])
me_router = Router(tags=["sign-ups"])


# --- rate limits -------------------------------------------------------------------------


class SignupThrottle(WindowRatesThrottle):
    """KUIHUA_SIGNUP_RATE per signed-in user (e.g. "10/m") and KUIHUA_SIGNUP_RATE_GLOBAL
    for everybody together (e.g. "100/s"), both counted in one Redis round trip."""

    windows = (("KUIHUA_SIGNUP_RATE", "signup_user"), ("KUIHUA_SIGNUP_RATE_GLOBAL", "signup_all"))

    def ident(self, request, scope: str) -> str:
        if scope == "signup_all":
            return "all"
        user = request.user
        return str(user.pk) if user.is_authenticated else f"ip:{self.get_ident(request)}"


# --- operations --------------------------------------------------------------------------


def _resident_for(request, activity, resident_id: int | None):
    """The person to sign up: oneself, or (organizers only) a resident they name."""
    user = request.user
    if resident_id is None or resident_id == user.resident_id:
        if user.resident is None:
            raise ServiceError(_("您的账户未关联居民信息，无法报名"), field="resident_id")
        return user.resident
    if not user.has_perm("activities.sign_up_others", activity):
        raise PermissionDenied
    return body_ref(access_resident, user, resident_id, "resident_id", _("找不到该居民"))


def _shown(signup: Signup) -> Signup:
    """The sign-up as SignupOut reads it: with its place in the queue.

    A sign-up just made knows it from the statement that queued it; otherwise one
    count, if queued.
    """
    ahead = getattr(signup, "waiting_ahead_when_queued", None)
    signup.waiting_ahead = ahead if ahead is not None else (waitlist_position(signup) or 1) - 1
    return signup


@router.post(
    "/{int:activity_id}/signups",
    response={201: SignupOut, **error_responses(400, 403, 404, 422, 429)},
    throttle=[SignupThrottle()],
    summary="Sign up (confirmed while places remain, else waitlisted)",
    operation_id="kuihua_activities_signup_api_sign_up",
)
def sign_up(request, activity_id: int, payload: SignupIn | None = None):
    activity = access_activity_for_signup(request.user, activity_id)
    resident = _resident_for(request, activity, payload.resident_id if payload else None)
    signup = services.signup_create(actor=request.user, activity=activity, resident=resident)
    return Status(201, _shown(signup))


@router.get(
    "/{int:activity_id}/signups",
    response={200: list[ActivitySignupOut], **error_responses(404, 422)},
    summary="Who signed up, with waitlist positions (organizers)",
    operation_id="kuihua_activities_signup_api_list_signups",
)
@paginated
def list_signups(request, activity_id: int):
    activity = access_activity_signups(request.user, activity_id)
    return activity_signups(activity)


@router.delete(
    "/signups/{int:signup_id}",
    response={200: SignupOut, **error_responses(400, 404)},
    summary="Cancel a sign-up (one's own, or as organizer); the waitlist moves up",
    operation_id="kuihua_activities_signup_api_cancel_signup",
)
def cancel_signup(request, signup_id: int):
    signup = access_signup(request.user, signup_id)
    if not request.user.has_perm("activities.cancel_signup", signup):
        raise Http404
    signup = services.signup_cancel(actor=request.user, signup=signup)
    return _shown(signup)


@router.post(
    "/signups/{int:signup_id}/accept",
    response={200: SignupOut, **error_responses(400, 404)},
    summary="Accept a place offered from the waitlist",
    operation_id="kuihua_activities_signup_api_accept_offer",
)
def accept_offer(request, signup_id: int):
    signup = access_signup(request.user, signup_id)
    if not request.user.has_perm("activities.accept_offer", signup):
        raise Http404
    signup = services.offer_accept(actor=request.user, signup=signup)
    return _shown(signup)


@me_router.get(
    "/me/signups",
    response={200: list[SignupOut], **error_responses(422)},
    summary="My sign-ups, with waitlist positions",
    operation_id="kuihua_activities_signup_api_my_signups",
)
@paginated
def my_signups(request):
    return signups_of(request.user)
