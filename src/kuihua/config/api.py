"""The one NinjaAPI. Each app contributes a Router from its own api.py."""

from ninja import NinjaAPI

from kuihua.core.api_support import install_error_handlers, session_or_token

api = NinjaAPI(
    title="Kuihua API",
    version="1",
    description=(
        "葵花社区平台 JSON API. Sign in with a session cookie or an `Authorization: Bearer` token."
    ),
    auth=session_or_token,
    urls_namespace="api",
)
install_error_handlers(api)

from kuihua.organizations.api import router as organizations_router  # noqa: E402
from kuihua.registry.api import router as registry_router  # noqa: E402

api.add_router("/registry", registry_router)
api.add_router("/organizations", organizations_router)
