from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "kuihua.organizations"
    label = "organizations"
    verbose_name = _("社会组织")

    def ready(self):
        from kuihua.organizations.selectors import members_of_led_organizations
        from kuihua.registry.selectors import extend_resident_reach

        extend_resident_reach(members_of_led_organizations)
