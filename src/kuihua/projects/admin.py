"""Projects in the back office: read-only. Projects, their plan, budget lines, funding
and indicators change only through the services (kuihua.projects.services), which keep
the project's ledger, its checks and the audit log together; money rows never change."""

from django.contrib import admin

from kuihua.core.admin import ReadOnlyAdmin
from kuihua.projects.models import (
    BudgetLine,
    Funding,
    Milestone,
    OutcomeIndicator,
    Project,
    ProjectDomain,
)


@admin.register(ProjectDomain)
class ProjectDomainAdmin(ReadOnlyAdmin):
    list_display = ["name", "position", "community"]


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["name", "domain", "status", "lead_organization", "starts_on", "ends_on"]
    list_filter = ["status"]
    list_select_related = ["domain", "lead_organization"]


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ["project", "title", "due_on", "done_on"]
    list_select_related = ["project"]


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyAdmin):
    list_display = ["project", "account", "amount_fen"]
    list_select_related = ["project", "account"]


@admin.register(Funding)
class FundingAdmin(ReadOnlyAdmin):
    list_display = ["project", "kind", "source", "amount_fen", "received_on", "entry"]
    list_filter = ["kind"]
    list_select_related = ["project", "entry"]


@admin.register(OutcomeIndicator)
class OutcomeIndicatorAdmin(ReadOnlyAdmin):
    list_display = ["project", "name", "source", "baseline", "target", "measured"]
    list_select_related = ["project"]
