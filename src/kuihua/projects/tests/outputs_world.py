"""A tiny maker of projects for the outputs tests (projects/tests/factories.py is the
projects app's own; this one only needs a project to attribute work to)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.projects.models import Project, ProjectDomain


def make_project(
    community, name: str, *, status: str = Project.Status.RUNNING, **fields
) -> Project:
    """A project of `community` led by a new organization, running this year around today."""
    domain, _created = ProjectDomain.objects.get_or_create(community=community, name="关爱独居老人")
    today = timezone.localdate()
    return Project.objects.create(
        community=community,
        domain=domain,
        name=name,
        status=status,
        lead_organization=fields.pop("lead_organization", None)
        or OrganizationFactory(community=community),
        starts_on=fields.pop("starts_on", today - dt.timedelta(days=365)),
        ends_on=fields.pop("ends_on", today + dt.timedelta(days=365)),
        **fields,
    )
