"""Reads of public-welfare projects: which projects a user sees, one project by id for
an action (`access_project`), and a project's money and plan in figures.

Who sees what (one door, `access_project`):
- "view": everyone signed in with the community (a district viewer too, read only);
- "run": a coordinator, or the leader of the project's lead organization;
- "manage": a coordinator.
An id of another community, or none at all, is a 404; a project the user may read
but not act on this way is a 403 (PermissionDenied), as the page says why.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from kuihua.projects.models import Project

VIEW, RUN, MANAGE = "view", "run", "manage"
PERMS = {VIEW: "projects.view", RUN: "projects.run", MANAGE: "projects.manage"}


def projects_for(user) -> QuerySet[Project]:
    """The projects `user` may read (the community's, for anyone signed in with it)."""
    if not user.is_authenticated or not user.has_perm("projects.view"):
        return Project.objects.none()
    return Project.objects.select_related("domain", "lead_organization", "ledger")


def may_act_on_project(user, project: Project, *, action: str = VIEW) -> bool:
    """Whether `access_project(user, project.pk, action=action)` would open."""
    perm = PERMS[action]
    return user.has_perm(perm, None if action == MANAGE else project) and user.has_perm(
        "projects.view"
    )


def access_project(user, project_id: int, *, action: str = VIEW) -> Project:
    """The project if `user` may `action` it; 404 for an unknown id or another
    community's, 403 for an action not theirs on a project they can read."""
    if action not in PERMS:
        raise ValueError(action)
    project = projects_for(user).filter(pk=project_id).first()
    if project is None:
        raise Http404
    if action != VIEW and not may_act_on_project(user, project, action=action):
        raise PermissionDenied
    return project
