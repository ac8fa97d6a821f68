from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "kuihua.care"
    label = "care"
    verbose_name = _("幸福来敲门")

    def ready(self):
        from kuihua.care.navigation import care_entry
        from kuihua.core.navigation import register_area_entry

        register_area_entry("care", care_entry)
        from kuihua.care.personal_data import care_erase, care_export
        from kuihua.registry.personal_data import register_personal_data

        register_personal_data(section="care", export=care_export, erase=care_erase)
