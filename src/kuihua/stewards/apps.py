from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class StewardsConfig(AppConfig):
    """义管家: fees, bills, payments and published books of self-managed compounds."""

    name = "kuihua.stewards"
    label = "stewards"
    verbose_name = pgettext_lazy("area", "义管家")

    def ready(self):
        from kuihua.core.navigation import register_area_entry
        from kuihua.stewards.navigation import stewards_entry

        register_area_entry("stewards", stewards_entry)
        from kuihua.registry.personal_data import register_personal_data
        from kuihua.stewards.personal_data import stewards_export

        register_personal_data(section="stewards", export=stewards_export)
