"""Public-welfare projects by domain, with the money raised and spent (DESIGN part 7).

Each community keeps its own list of domains (`ProjectDomain`), so the parts carry the
domain's name ("raised:关爱独居老人"): a district's sum groups domains by name. Money is
in fen, read as the projects' pages read it (`projects.selectors.project_money`):
raised is the project's `Funding`, spent the posted legs on the expense accounts of the
project's ledger (a reversal is a posted leg of the opposite sign, so it nets out).
"""

from __future__ import annotations

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kuihua.dashboard.base import ChartKind, FigureDef, Format, Parts, breakdown, register
from kuihua.ledger.models import Account, Leg
from kuihua.projects.models import Funding, Project
from kuihua.service_records.selectors import year_bounds

SECTION = "projects"


def _projects(year: int):
    # The projects whose planned period meets the year, unless they were called off.
    start, end = year_bounds(year)
    rows = (
        Project.objects.filter(starts_on__lte=end, ends_on__gte=start)
        .exclude(status=Project.Status.CANCELLED)
        .values("community_id", "domain__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    return breakdown(rows, group="projects", by="domain__name", column="n")


def _raised(year: int):
    start, end = year_bounds(year)
    rows = (
        Funding.objects.filter(received_on__gte=start, received_on__lte=end)
        .values("community_id", "project__domain__name")
        .annotate(fen=Sum("amount_fen"))
        .order_by()
    )
    return breakdown(rows, group="raised", by="project__domain__name", column="fen")


def _spent(year: int):
    start, end = year_bounds(year)
    rows = (
        Leg.objects.filter(
            account__ledger__project__isnull=False,
            account__kind=Account.Kind.EXPENSE,
            entry__posted=True,
            entry__date__gte=start,
            entry__date__lte=end,
        )
        .values("community_id", "account__ledger__project__domain__name")
        .annotate(fen=Sum("amount_fen"))
        .order_by()
    )
    return breakdown(rows, group="spent", by="account__ledger__project__domain__name", column="fen")


def by_domain(parts: Parts, group: str) -> list[tuple[str, int]]:
    """The `group:<domain name>` parts, the largest first (then by name)."""
    prefix = f"{group}:"
    rows = [
        (name.removeprefix(prefix), int(n)) for name, n in parts.items() if name.startswith(prefix)
    ]
    return sorted(rows, key=lambda row: (-row[1], row[0]))


def _sum(group: str):
    return lambda parts: sum(n for name, n in by_domain(parts, group))


def _list_url(year: int) -> str:
    return reverse("projects:list")


register(
    FigureDef(
        key="projects_by_domain",
        section=SECTION,
        title=_("公益项目（按领域）"),
        definition=_(
            "计划起止日期与当年有重叠、没有终止的公益项目个数，按项目领域统计；"
            "各社区的领域名称相同的合在一起。模范社区有7个领域的27个项目。"
        ),
        parts=_projects,
        value=_sum("projects"),
        unit=_("个"),
        chart=ChartKind.HBAR,
        series=lambda parts: by_domain(parts, "projects"),
        rows_url=_list_url,
        order=50,
    ),
    FigureDef(
        key="project_funds_raised",
        section=SECTION,
        title=_("公益项目筹集资金"),
        definition=_(
            "当年到账的公益项目资金（政府补贴/资助、社会捐赠、集市义卖收入和其他收入），"
            "按到账日期算在当年，按项目领域统计。模范社区的项目补贴共76万元。"
        ),
        parts=_raised,
        value=_sum("raised"),
        format=Format.YUAN,
        chart=ChartKind.HBAR,
        series=lambda parts: by_domain(parts, "raised"),
        rows_url=_list_url,
        order=51,
    ),
    FigureDef(
        key="project_funds_spent",
        section=SECTION,
        title=_("公益项目支出"),
        definition=_(
            "当年记入公益项目账本的支出（按凭证日期算在当年，冲销的支出相抵），按项目领域统计。"
        ),
        parts=_spent,
        value=_sum("spent"),
        format=Format.YUAN,
        chart=ChartKind.HBAR,
        series=lambda parts: by_domain(parts, "spent"),
        rows_url=_list_url,
        order=52,
    ),
)
