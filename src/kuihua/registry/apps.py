from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "kuihua.registry"
    label = "registry"
    verbose_name = _("基础信息")

    def ready(self):
        from kuihua.core.navigation import register_area_entry
        from kuihua.registry.navigation import registry_entry

        register_area_entry("registry", registry_entry)
        from kuihua.core.sheets import SheetKind, register_sheet_kind
        from kuihua.registry.exporting import residents_export
        from kuihua.registry.importing import residents_import_file
        from kuihua.registry.owners_exporting import owners_export
        from kuihua.registry.owners_importing import owners_import_file

        register_sheet_kind(
            SheetKind(
                key="residents",
                label=_("居民信息"),
                imported_as=_("居民导入"),
                counted_as=_("位居民"),
                import_file=residents_import_file,
                export_file=residents_export,
            )
        )
        register_sheet_kind(
            SheetKind(
                key="owners",
                label=_("业主与面积"),
                imported_as=_("业主导入"),
                counted_as=_("条业主与面积记录"),
                import_file=owners_import_file,
                export_file=owners_export,
            )
        )
