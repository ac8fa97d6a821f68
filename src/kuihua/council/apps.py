from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilConfig(AppConfig):
    """百姓议事会: topics, meetings, votes, decisions (docs/adr/0013-council.md)."""

    name = "kuihua.council"
    label = "council"
    verbose_name = _("百姓议事会")

    def ready(self):
        from kuihua.core.navigation import register_area_entry
        from kuihua.council.navigation import council_entry

        register_area_entry("council", council_entry)
        from kuihua.council.personal_data import council_erase, council_export
        from kuihua.registry.personal_data import register_personal_data

        register_personal_data(section="council", export=council_export, erase=council_erase)
