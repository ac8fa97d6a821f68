from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "kuihua.care"
    label = "care"
    verbose_name = _("幸福来敲门")
