from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "kuihua.matching"
    label = "matching"
    verbose_name = _("需求对接")
