from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceRecordsConfig(AppConfig):
    name = "kuihua.service_records"
    label = "service_records"
    verbose_name = _("服务时长")
