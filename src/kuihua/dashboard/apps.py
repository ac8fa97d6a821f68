from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """数据看板: every figure of the model computed from the rows, per community and district."""

    name = "kuihua.dashboard"
    label = "dashboard"
    verbose_name = _("数据看板")

    def ready(self):
        from kuihua.core.navigation import register_area_entry
        from kuihua.dashboard.navigation import dashboard_entry

        register_area_entry("dashboard", dashboard_entry)
