from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    """项目化运作: public-welfare projects, what is attributed to them, their funds and reports."""

    name = "kuihua.projects"
    label = "projects"
    verbose_name = _("公益项目")

    def ready(self):
        from kuihua.core.navigation import register_area_entry
        from kuihua.projects.navigation import projects_entry

        register_area_entry("projects", projects_entry)
        from kuihua.projects.personal_data import projects_export
        from kuihua.registry.personal_data import register_personal_data

        register_personal_data(section="projects", export=projects_export)
