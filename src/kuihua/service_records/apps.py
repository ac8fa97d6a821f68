from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceRecordsConfig(AppConfig):
    name = "kuihua.service_records"
    label = "service_records"
    verbose_name = _("服务时长")

    def ready(self):
        from kuihua.core.navigation import register_area_entry
        from kuihua.service_records.navigation import service_records_entry

        register_area_entry("service_records", service_records_entry)
        from kuihua.registry.personal_data import register_personal_data
        from kuihua.service_records.personal_data import (
            service_records_erase,
            service_records_export,
        )

        register_personal_data(
            section="service_records", export=service_records_export, erase=service_records_erase
        )
