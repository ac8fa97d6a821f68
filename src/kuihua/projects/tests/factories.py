"""Projects for tests: a domain, a project led by an organization with its ledger opened
(the project chart: cash, bank, opening balance, one income account per funding kind)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from kuihua.core.tenancy import use_community
from kuihua.ledger.models import Ledger
from kuihua.ledger.services import PROJECT_CHART, ledger_open
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.projects.models import Project, ProjectDomain
from kuihua.registry.tests.factories import CommunityFactory


class ProjectDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectDomain

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"关爱独居老人{n}")
    position = factory.Sequence(lambda n: n)


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project in planning, running from today for a year, its ledger opened.

    Pass `community=` (or `domain=`/`lead_organization=` of one community); the
    domain and the lead organization are made in the project's community."""

    class Meta:
        model = Project

    community = factory.SubFactory(CommunityFactory)
    domain = factory.SubFactory(
        ProjectDomainFactory, community=factory.SelfAttribute("..community")
    )
    lead_organization = factory.SubFactory(
        OrganizationFactory, community=factory.SelfAttribute("..community")
    )
    name = factory.Sequence(lambda n: f"银龄守护计划{n}")
    summary = "为社区独居老人提供每日问候和定期上门探访。"
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + dt.timedelta(days=365))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        project = super()._create(model_class, *args, **kwargs)
        if project.ledger_id is None:
            with use_community(project.community_id):
                project.ledger = ledger_open(
                    name=f"{project.name}项目账", kind=Ledger.Kind.PROJECT, chart=PROJECT_CHART
                )
            Project.objects.with_scopes_disabled().filter(pk=project.pk).update(
                ledger=project.ledger
            )
        return project
