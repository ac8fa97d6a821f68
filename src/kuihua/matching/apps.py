from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "kuihua.matching"
    label = "matching"
    verbose_name = _("需求对接")

    def ready(self):
        from kuihua.core.navigation import register_area_entry
        from kuihua.matching.navigation import matching_entry

        register_area_entry("matching", matching_entry)
        from kuihua.matching.personal_data import matching_erase, matching_export
        from kuihua.registry.personal_data import register_personal_data

        register_personal_data(section="matching", export=matching_export, erase=matching_erase)
