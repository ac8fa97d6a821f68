from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilConfig(AppConfig):
    """百姓议事会. Its pages and menu entry come with the rest of the council issue; until
    then the area is not shown (core.navigation)."""

    name = "kuihua.council"
    label = "council"
    verbose_name = _("百姓议事会")
