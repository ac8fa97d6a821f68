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


def projects_isolation_world(*, community, coordinator, organization, resident) -> dict:
    """One of each projects object in `community`, for the isolation walk: a project led
    by `organization` serving `resident`, a milestone, a funding, a budget line with an
    expense on it, and an indicator."""
    from kuihua.projects import services

    domain = services.domain_create(actor=coordinator, name=f"{coordinator.username}关爱独居老人")
    project = services.project_create(
        actor=coordinator,
        domain=domain,
        name=f"{coordinator.username}银龄守护计划",
        lead_organization=organization,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=365),
        beneficiaries=[resident],
    )
    milestone = services.milestone_add(
        actor=coordinator, project=project, title="招募志愿者", due_on=timezone.localdate()
    )
    funding = services.funding_record(
        actor=coordinator,
        project=project,
        kind="donation",
        source="爱心企业",
        amount_fen=100000,
        received_on=timezone.localdate(),
    )
    line = services.budget_line_set(
        actor=coordinator, project=project, name="活动物料", amount_fen=50000
    )
    expense = services.expense_record(
        actor=coordinator,
        project=project,
        budget_line=line,
        amount_fen=1000,
        spent_on=timezone.localdate(),
        memo="横幅",
    )
    indicator = services.indicator_add(
        actor=coordinator, project=project, name="老人满意度", baseline="70", target="90"
    )
    return {
        "project": project,
        "milestone": milestone,
        "funding": funding,
        "expense": expense,
        "indicator": indicator,
    }
