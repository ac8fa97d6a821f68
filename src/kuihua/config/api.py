"""The one API. Each app contributes a Router from its own api.py.

OpenAPI at /api/openapi.json, interactive docs at /api/docs (assets served
from our own static files, no CDN). See kuihua.core.api_support for the
authentication and the one error shape.
"""

from kuihua.accounts.api import router as accounts_router
from kuihua.accounts.auth import session_or_token
from kuihua.activities.api import router as activities_router
from kuihua.activities.calendar_api import router as calendar_router
from kuihua.activities.signups.api import me_router as my_signups_router
from kuihua.activities.signups.api import router as signup_router
from kuihua.care.api import router as care_router
from kuihua.core.api_support import KuihuaAPI, install_error_handlers
from kuihua.council.api import decisions as council_decisions
from kuihua.council.api import meetings as council_meetings
from kuihua.council.api import topics as council_topics
from kuihua.council.api import votes as council_votes
from kuihua.dashboard.api import router as dashboard_router
from kuihua.market.api import router as market_router
from kuihua.matching.api import router as matching_router
from kuihua.notifications.api import router as notifications_router
from kuihua.organizations.api import router as organizations_router
from kuihua.projects.api import router as projects_router
from kuihua.registry.api import router as registry_router
from kuihua.service_records.api import router as service_records_router
from kuihua.stewards.api import router as stewards_router
from kuihua.venues.api import router as venues_router

api = KuihuaAPI(
    title="Kuihua API",
    version="1",
    description=(
        "葵花社区平台 JSON API. Sign in with a session cookie or an `Authorization: Bearer` "
        "token (POST /api/auth/tokens from a signed-in browser); a request with neither is "
        "401 with `WWW-Authenticate`. Lists are paginated (`?page=` from 1 to 1000000, "
        "`?page_size=`): a page past the last is empty (`items: []` with the `count`), a "
        "page number above that is 422. Times of day are local `HH:MM:SS` strings. Every "
        "answer is JSON; every error has the shape "
        '`{"status", "code", "message", "errors": [{"field", "message"}]}`, '
        "with messages in the language of `Accept-Language`, for unknown paths too."
    ),
    auth=session_or_token,
    urls_namespace="api",
)
install_error_handlers(api)

api.add_router("", accounts_router)
api.add_router("/registry", registry_router)
api.add_router("/organizations", organizations_router)
api.add_router("/inbox", notifications_router)
api.add_router("/activities", activities_router)
api.add_router("/activities", signup_router)
api.add_router("", my_signups_router)
api.add_router("/venues", venues_router)
api.add_router("/venues", calendar_router)
api.add_router("", service_records_router)
api.add_router("/matching", matching_router)
api.add_router("/care", care_router)
api.add_router("/council", council_topics.router)
api.add_router("/council", council_meetings.router)
api.add_router("/council", council_votes.router)
api.add_router("/council", council_decisions.router)
api.add_router("/stewards", stewards_router)
api.add_router("/projects", projects_router)
api.add_router("/market", market_router)
api.add_router("/dashboard", dashboard_router)
