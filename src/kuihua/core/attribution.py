"""Naming the public-welfare project a piece of work belongs to (项目归属).

Activities, series, drives, needs, service offers, care enrolments and service
records each may name a project (their `project` field). The project app sits
above them all (pyproject's floors), so they reach its model here, by name, and
resolve what a form or the API sent through one rule: a project of the
community in force, planning or running (or the one the thing already names,
so editing an old activity of a finished project keeps it). A project of
another community is invisible through the scoped manager and refused.

How attribution counts is kuihua.projects.outputs and docs/person-time.md.
"""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kuihua.core.errors import ApplicationError

OPEN_STATUSES = ("planning", "running")


def project_model():
    return apps.get_model("projects", "Project")


def attributable_projects():
    """The community's projects work may be attributed to now: planning or running."""
    return project_model().objects.filter(status__in=OPEN_STATUSES).order_by("name", "id")


def resolve_project(
    value,
    *,
    community_id: int | None = None,
    current=None,
    open_only: bool = True,
    error: type[ApplicationError] = ApplicationError,
    field: str = "project_id",
):
    """The project `value` (a Project, its id, or None/"" for none), checked.

    Refused with `error` on `field`: a project that is not of the community in
    force (or of `community_id`, the owner's), and, with `open_only`, one that is
    finished or cancelled, unless it is `current` (what the thing names already).
    """
    if value in (None, "", 0):
        return None
    pk = getattr(value, "pk", value)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise error(_("请选择本社区的公益项目"), field=field) from None
    project = project_model().objects.filter(pk=pk).first()
    if project is None or (community_id is not None and project.community_id != community_id):
        raise error(_("找不到这个公益项目：只能选择本社区的项目"), field=field)
    current_pk = getattr(current, "pk", current)
    if open_only and project.status not in OPEN_STATUSES and project.pk != current_pk:
        raise error(_("“%(name)s”已结项或已终止，不能再记入") % {"name": project.name}, field=field)
    return project


def project_choices(current=None) -> list[tuple[str, str]]:
    """A project chooser's options: none, then the open projects (and `current`, if closed)."""
    options = [("", _("不属于公益项目"))]
    projects = list(attributable_projects())
    current_pk = getattr(current, "pk", current)
    if current_pk and all(p.pk != current_pk for p in projects):
        closed = project_model().objects.filter(pk=current_pk).first()
        if closed is not None:
            projects.append(closed)
    options += [(str(p.pk), p.name) for p in projects]
    return options


def project_field(**kwargs):
    """The form field of a project chooser; its choices are set per form by `project_choices`."""
    return forms.TypedChoiceField(
        label=kwargs.pop("label", gettext_lazy("所属公益项目")),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=kwargs.pop(
            "help_text", gettext_lazy("这项工作计入哪个公益项目的服务人次和志愿服务时长")
        ),
        **kwargs,
    )


class AttributionForm(forms.Form):
    """Change the project a thing counts in, on its own page."""

    project = project_field()

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = project_choices(current)
        if not self.is_bound:
            self.initial.setdefault("project", getattr(current, "pk", current))
