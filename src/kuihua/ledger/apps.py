from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    """账本: the one double-entry ledger for compounds, organizations and projects
    (docs/adr/0014-ledger.md)."""

    name = "kuihua.ledger"
    label = "ledger"
    verbose_name = _("账本")
