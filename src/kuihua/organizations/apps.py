from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "kuihua.organizations"
    label = "organizations"
    verbose_name = _("社会组织")

    def ready(self):
        from kuihua.core.navigation import register_area_entry
        from kuihua.organizations.navigation import organizations_entry

        register_area_entry("organizations", organizations_entry)
        from kuihua.core.sheets import SheetKind, register_sheet_kind
        from kuihua.organizations.exporting import organizations_export
        from kuihua.organizations.importing import organizations_import_file

        register_sheet_kind(
            SheetKind(
                key="organizations",
                label=_("社会组织"),
                imported_as=_("社会组织导入"),
                counted_as=_("个社会组织"),
                import_file=organizations_import_file,
                export_file=organizations_export,
            )
        )
        from kuihua.organizations.selectors import members_of_led_organizations
        from kuihua.registry.selectors import extend_resident_reach

        extend_resident_reach(members_of_led_organizations)
        from kuihua.organizations.personal_data import organizations_erase, organizations_export
        from kuihua.registry.personal_data import register_personal_data

        register_personal_data(
            section="organizations", export=organizations_export, erase=organizations_erase
        )
