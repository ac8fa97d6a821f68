"""Request-wide concerns: the community in force and session time-outs."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect

from kuihua.core.tenancy import request_scope, set_request_community


def communities_for(user) -> list[int]:
    """The ids of the communities whose data `user` may read; empty for nobody."""
    if not user.is_authenticated:
        return []
    if user.community_id:
        return [user.community_id]
    if user.is_district_viewer:
        return list(user.viewable_communities.values_list("id", flat=True))
    return []


def active_community_for(request) -> int | None:
    """The one community a request works in: the user's, or the viewer's chosen one."""
    ids = communities_for(request.user)
    request.community_ids = ids
    if not ids:
        return None
    if request.user.is_district_viewer:
        chosen = request.session.get("community_id") if hasattr(request, "session") else None
        return chosen if chosen in ids else ids[0]
    return ids[0]


def activate_user_scope(request) -> None:
    """Put the community of a user authenticated mid-request (API token) in force.

    Only valid inside CommunityScopeMiddleware, whose block restores the outer
    state when the request ends.
    """
    community_id = active_community_for(request)
    request.community_id = community_id
    set_request_community(community_id)


class CommunityScopeMiddleware:
    """Puts the signed-in user's community in force for the whole request.

    A request by someone without a community (anonymous) runs with no scope at
    all, so any query of community data fails closed. A district viewer works
    in one of their communities at a time (chosen in the session) so that every
    page reads as a single community's page.
    Platform superusers without a community see every community, in admin only.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        active = active_community_for(request)
        request.community_id = active
        if active is not None:
            with request_scope(community=active):
                return self.get_response(request)
        if user.is_authenticated and user.is_superuser and request.path.startswith("/admin/"):
            with request_scope(_enabled=False):
                return self.get_response(request)
        with request_scope():
            return self.get_response(request)

    def process_exception(self, request, exception):
        """A page read by an account with no community in force (a district viewer not
        yet given one, a platform operator outside admin): 403 with the reason, not a 500."""
        from django.core.exceptions import PermissionDenied
        from django.utils.translation import gettext as _
        from django.views.defaults import permission_denied

        from kuihua.core.tenancy import ScopeError

        if isinstance(exception, ScopeError) and getattr(request, "community_id", 1) is None:
            return permission_denied(request, PermissionDenied(_("您的账户不属于任何社区")))
        return None


class ApplicationErrorMiddleware:
    """A broken rule that no view caught: a 400 page with the service's message, not a 500.

    The message was translated when the service raised it, so it reads in the user's
    language. The API never gets here: its one handler answers first (api_support).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from kuihua.core.errors import ApplicationError

        if isinstance(exception, ApplicationError):
            return render(request, "core/rule_broken.html", {"message": str(exception)}, status=400)
        return None


class SessionTimeoutMiddleware:
    """Signs out a session idle for longer than SESSION_IDLE_TIMEOUT seconds.

    The absolute lifetime is the cookie age, which is not renewed on activity.
    """

    KEY = "_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(self.KEY, now)
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
            else:
                request.session[self.KEY] = now
        return self.get_response(request)


class HtmxLoginRedirectMiddleware:
    """An HTMX request whose session has ended goes to the sign-in page as a whole page.

    Without this, the redirect is followed inside the swap and the sign-in form
    appears in the middle of a list. After signing in, the user comes back to the
    page they were on (HX-Current-URL, when it is a page of this site), not to the
    partial or the action the HTMX request asked for: a button's POST URL answers a
    GET with a refusal. A non-GET request without a page of this site to return to
    signs in to the home page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and response.status_code == 302
            and response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL))
        ):
            return HttpResponseClientRedirect(self.sign_in_url(request, response["Location"]))
        return response

    @staticmethod
    def sign_in_url(request, location: str) -> str:
        """The sign-in page, with `next` the page the user was looking at."""
        if request.htmx.boosted and request.method == "GET":
            return location  # a boosted link asks for a whole page: go there afterwards
        page = request.htmx.current_url_abs_path
        if page:
            return redirect_to_login(page).url
        if request.method == "GET":
            return location
        return resolve_url(settings.LOGIN_URL)
