from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    """爱心集市: market days, stalls, sales for money or points, proceeds to the funds."""

    name = "kuihua.market"
    label = "market"
    verbose_name = _("爱心集市")

    def ready(self):
        from kuihua.core.navigation import register_area_entry
        from kuihua.market.navigation import market_entry

        register_area_entry("market", market_entry)
        from kuihua.market.personal_data import market_export
        from kuihua.registry.personal_data import register_personal_data

        register_personal_data(section="market", export=market_export)
