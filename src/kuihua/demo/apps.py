from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The deterministic data generator and the `seed` and `demo` commands (no models)."""

    name = "kuihua.demo"
    label = "demo"
    verbose_name = _("演示数据")
