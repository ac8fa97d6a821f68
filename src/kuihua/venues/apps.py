from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VenuesConfig(AppConfig):
    name = "kuihua.venues"
    label = "venues"
    verbose_name = _("场地")

    def ready(self):
        from kuihua.core.navigation import register_area_entry
        from kuihua.venues.navigation import venues_entry

        register_area_entry("venues", venues_entry)
