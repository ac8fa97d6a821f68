from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "kuihua.activities"
    label = "activities"
    verbose_name = _("活动招募")

    def ready(self):
        from kuihua.activities.navigation import activities_entry
        from kuihua.core.navigation import register_area_entry

        register_area_entry("activities", activities_entry)
        from kuihua.activities.personal_data import activities_erase, activities_export
        from kuihua.registry.personal_data import register_personal_data

        register_personal_data(
            section="activities", export=activities_export, erase=activities_erase
        )
