from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kuihua.accounts.forms import SignInForm
from kuihua.config.api import api
from kuihua.core import views as core_views
from kuihua.dashboard import workbench_views

# A database that cannot be reached answers "try again" (503); any other failure a 500
# page in the user's language (kuihua.core.outage).
handler500 = "kuihua.core.outage.server_error"

urlpatterns = [
    # The home page is the user's workbench (docs/dashboard.md "The workbench").
    path("", workbench_views.home, name="home"),
    path("community/switch/", core_views.switch_community, name="switch_community"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=SignInForm
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("kuihua.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("registry/", include("kuihua.registry.urls")),
    path("organizations/", include("kuihua.organizations.urls")),
    path("", include("kuihua.service_records.urls")),
    path("venues/", include("kuihua.venues.urls")),
    path("inbox/", include("kuihua.notifications.urls")),
    path("activities/", include("kuihua.activities.urls")),
    path("matching/", include("kuihua.matching.urls")),
    path("care/", include("kuihua.care.urls")),
    path("council/", include("kuihua.council.urls")),
    path("stewards/", include("kuihua.stewards.urls")),
    path("projects/", include("kuihua.projects.urls")),
    path("market/", include("kuihua.market.urls")),
    path("dashboard/", include("kuihua.dashboard.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
