"""Members, volunteers and their hours (DESIGN parts 1, 2 and 5).

Hours count only verified service records (the service_records app's rule: a pending or
rejected record is in no total). A record's day is its service date, a local day, so a
year is the records dated 1 January to 31 December of that year.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kuihua.dashboard.base import (
    ChartKind,
    FigureDef,
    Format,
    Parts,
    breakdown,
    merge,
    part,
    ratio,
    register,
    scalars,
    series_of,
)
from kuihua.dashboard.figures.periods import month_labels
from kuihua.organizations.models import Category, Membership, Organization
from kuihua.registry.models import Resident
from kuihua.service_records.models import ServiceRecord
from kuihua.service_records.selectors import star_thresholds, year_bounds

SECTION = "people"
VERIFIED = ServiceRecord.Status.VERIFIED
PARTY = (Resident.Political.PARTY_MEMBER, Resident.Political.PROBATIONARY)
# Lifetime hours a volunteer may reach (the model: some over 20,000 h). A top-N list
# of names cannot be added up across communities; the number above a line can.
LIFETIME_LINES = (1000, 5000, 20000)


def _rows_url(year: int) -> str:
    return f"{reverse('service_records:overview')}?year={year}"


def _organizations_url(year: int) -> str:
    return reverse("organizations:list")


def _verified_in(year: int):
    start, end = year_bounds(year)
    return ServiceRecord.objects.filter(status=VERIFIED, date__gte=start, date__lte=end)


# --- members ---------------------------------------------------------------------------


def _members(year: int):
    # Memberships that exist now (a state): a resident in two organizations is one member
    # and two memberships; residents belong to one community, so the counts add up.
    people = Membership.objects.values("community_id").annotate(
        n=Count("resident_id", distinct=True)
    )
    by_category = Membership.objects.values("community_id", "organization__category").annotate(
        n=Count("id")
    )
    return merge(
        scalars(people, members="n"),
        breakdown(by_category, group="category", by="organization__category", column="n"),
    )


# --- volunteers and hours -----------------------------------------------------------------


def _hours(year: int):
    by_month = (
        _verified_in(year)
        .annotate(month=ExtractMonth("date"))
        .values("community_id", "month")
        .annotate(h=Sum("hours"))
        .order_by()
    )
    result: dict[int, Parts] = {}
    for row in by_month:
        parts = result.setdefault(row["community_id"], {})
        hours = Decimal(row["h"] or 0)
        parts[f"month:{row['month']:02d}"] = parts.get(f"month:{row['month']:02d}", 0) + hours
        parts["hours"] = parts.get("hours", 0) + hours
    return result


def _volunteers(year: int):
    # Records of an erased volunteer stay in the hours but are by nobody: they count in
    # neither part of the ratio.
    rows = (
        _verified_in(year)
        .filter(volunteer__isnull=False)
        .values("community_id")
        .annotate(v=Count("volunteer_id", distinct=True), h=Sum("hours"))
        .order_by()
    )
    return {
        cid: {"volunteers": p.get("volunteers", 0), "hours": Decimal(p.get("hours", 0))}
        for cid, p in scalars(rows, volunteers="v", hours="h").items()
    }


def reaching(year: int, lines) -> dict[int, dict[Decimal, int]]:
    """`{community_id: {line: volunteers}}`: how many volunteers had, by the end of `year`,
    at least `line` verified hours in all (each line counted on its own).

    One query: each volunteer's lifetime sum is grouped in a subquery the scoped manager
    builds (so it carries the communities in force), and the outer query counts the sums
    over each line by community. The ORM cannot group an aggregate of an aggregate.
    """
    _, end = year_bounds(year)
    lines = [Decimal(str(line)) for line in lines]
    inner = (
        ServiceRecord.objects.filter(status=VERIFIED, volunteer__isnull=False, date__lte=end)
        .values("community_id", "volunteer_id")
        .annotate(lifetime=Sum("hours"))
        .order_by()
    )
    sql, params = inner.query.sql_with_params()
    counts = ", ".join(
        # CAST: SQLite would compare a number with a text parameter as text.
        "SUM(CASE WHEN per_volunteer.lifetime >= CAST(%s AS NUMERIC) THEN 1 ELSE 0 END)"
        for _ in lines
    )
    query = (
        f"SELECT per_volunteer.community_id, {counts} "  # noqa: S608 (placeholders only)
        f"FROM ({sql}) per_volunteer GROUP BY per_volunteer.community_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [*(str(line) for line in lines), *params])
        rows = cursor.fetchall()
    return {
        row[0]: {line: int(n or 0) for line, n in zip(lines, row[1:], strict=True)} for row in rows
    }


def _lifetime(year: int):
    return {
        cid: {f"at_least:{int(line)}": n for line, n in counts.items()}
        for cid, counts in reaching(year, LIFETIME_LINES).items()
    }


def _stars(year: int):
    lines = star_thresholds()
    result: dict[int, Parts] = {}
    for cid, counts in reaching(year, lines).items():
        # A volunteer has k stars when they reached the k-th line and not the next.
        reached = [counts[line] for line in lines] + [0]
        result[cid] = {f"stars:{k}": reached[k - 1] - reached[k] for k in range(1, len(lines) + 1)}
    return result


def _star_labels() -> dict[str, str]:
    return {
        str(k): _("%(stars)d星（满%(hours)s小时）") % {"stars": k, "hours": f"{line:,.0f}"}
        for k, line in enumerate(star_thresholds(), start=1)
    }


# --- leaders -------------------------------------------------------------------------------


def _leaders(year: int):
    # Organizations now (a state); a resident leading two organizations is one leader.
    rows = (
        Organization.objects.filter(leader__isnull=False)
        .values("community_id")
        .annotate(
            leaders=Count("leader_id", distinct=True),
            party=Count("leader_id", distinct=True, filter=Q(leader__political_status__in=PARTY)),
        )
        .order_by()
    )
    return scalars(rows, leaders="leaders", party="party")


register(
    FigureDef(
        key="organization_members",
        section=SECTION,
        title=_("社会组织成员"),
        definition=_(
            "目前加入了社会组织的居民人数（一人加入几个组织只算一人；模范社区约2,000人）。"
            "图表按组织类别统计成员人次：一人加入两个组织，在两个组织的类别里各算一次。"
        ),
        parts=_members,
        value=lambda parts: part(parts, "members"),
        unit=_("人"),
        chart=ChartKind.BAR,
        series=lambda parts: series_of(parts, "category", dict(Category.choices)),
        rows_url=_organizations_url,
        order=20,
    ),
    FigureDef(
        key="active_volunteers",
        section=SECTION,
        title=_("活跃志愿者"),
        definition=_(
            "当年（1月1日至12月31日，北京时间）至少有一条已审核志愿服务记录的居民人数，"
            "一人只算一次。待审核、已驳回的记录不算。"
        ),
        parts=_volunteers,
        value=lambda parts: part(parts, "volunteers"),
        unit=_("人"),
        rows_url=_rows_url,
        order=21,
    ),
    FigureDef(
        key="leaders_party_share",
        section=SECTION,
        title=_("社会组织负责人中的党员比例"),
        definition=_(
            "目前有负责人的社会组织，其负责人中政治面貌为中共党员或预备党员的人所占比例"
            "（一人负责几个组织只算一人；政治面貌以居民档案为准）。"
        ),
        parts=_leaders,
        value=lambda parts: ratio(part(parts, "party"), part(parts, "leaders")),
        format=Format.PERCENT,
        chart=ChartKind.PIE,
        series=lambda parts: [
            (str(_("党员")), part(parts, "party")),
            (str(_("非党员")), part(parts, "leaders") - part(parts, "party")),
        ],
        rows_url=_organizations_url,
        order=22,
    ),
    FigureDef(
        key="volunteer_hours",
        section=SECTION,
        title=_("志愿服务时长"),
        definition=_(
            "当年所有已审核志愿服务记录的时长之和，按服务日期所在月份画线"
            "（包括已注销个人信息的志愿者留下的记录）。"
        ),
        parts=_hours,
        value=lambda parts: part(parts, "hours"),
        format=Format.DECIMAL,
        unit=_("小时"),
        chart=ChartKind.LINE,
        series=lambda parts: series_of(parts, "month", month_labels()),
        rows_url=_rows_url,
        order=23,
    ),
    FigureDef(
        key="hours_per_volunteer",
        section=SECTION,
        title=_("人均志愿服务时长"),
        definition=_(
            "当年已审核的志愿服务时长，除以当年有时长的志愿者人数（即活跃志愿者）。"
            "模范社区的参考值是每人每年约200小时。"
        ),
        parts=_volunteers,
        value=lambda parts: ratio(part(parts, "hours"), part(parts, "volunteers")),
        format=Format.DECIMAL,
        unit=_("小时/人"),
        rows_url=_rows_url,
        order=24,
    ),
    FigureDef(
        key="lifetime_hours_reached",
        section=SECTION,
        title=_("累计服务时长达标的志愿者"),
        definition=_(
            "截至当年年底，累计已审核服务时长达到1,000小时、5,000小时、20,000小时的志愿者人数"
            "（模范社区有人超过20,000小时）。每条线单独计数，达到5,000小时的人也算在1,000小时里；"
            "主数字是达到1,000小时的人数。只数人数不列名单，所以各社区的人数可以直接相加。"
        ),
        parts=_lifetime,
        value=lambda parts: part(parts, "at_least:1000"),
        unit=_("人"),
        chart=ChartKind.BAR,
        series=lambda parts: series_of(
            parts,
            "at_least",
            {str(line): _("%(hours)s小时以上") % {"hours": f"{line:,}"} for line in LIFETIME_LINES},
        ),
        rows_url=_rows_url,
        order=25,
    ),
    FigureDef(
        key="star_volunteers",
        section=SECTION,
        title=_("星级志愿者"),
        definition=_(
            "截至当年年底，按累计已审核服务时长评定的星级志愿者人数：每达到一条时长线加一星"
            "（默认100、300、600、1,000、1,500小时，与志愿者本人页面上的星级相同），"
            "每人只算在自己的星级里。"
        ),
        parts=_stars,
        value=lambda parts: sum(v for k, v in parts.items() if k.startswith("stars:")),
        unit=_("人"),
        chart=ChartKind.BAR,
        series=lambda parts: series_of(parts, "stars", _star_labels()),
        rows_url=_rows_url,
        order=26,
    ),
)
