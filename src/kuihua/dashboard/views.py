"""数据看板's pages: a community's dashboard, the district's side by side, their Excel files.

Every page computes through `selectors.dashboard_for` once: one community's ids for the
community page, all of a district viewer's for the district page (it crosses
communities through the tenancy's one door itself). A community other than the one in
force is read only when it is one of `request.community_ids` (a district viewer's
column link); any other id is a 404, as an object of another community is.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kuihua.core.dates import EARLIEST
from kuihua.core.errors import ApplicationError
from kuihua.core.models import Community
from kuihua.core.throttling import hit, parse_rate
from kuihua.dashboard.presenting import comparison, sections_of
from kuihua.dashboard.selectors import dashboard_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Recomputing reads every table of the communities asked for: a few times in ten
# minutes is plenty for someone checking a number they have just entered.
REFRESH_RATE = "6/10m"
YEARS_OFFERED = 6


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("您没有查看数据看板的权限"))


def year_of(request) -> int:
    """`?year=`, this year (Asia/Shanghai) when absent; a year out of reach is refused."""
    text = (request.GET.get("year") or request.POST.get("year") or "").strip()
    this_year = timezone.localdate().year
    if not text:
        return this_year
    if text.isdigit() and EARLIEST.year <= int(text) <= this_year:
        return int(text)
    raise ApplicationError(
        _("年份“%(year)s”不对：请选择 %(first)s 年到 %(last)s 年之间的年份。")
        % {"year": text[:12], "first": EARLIEST.year, "last": this_year}
    )


def _years(year: int) -> list[int]:
    this_year = timezone.localdate().year
    years = list(range(this_year, max(EARLIEST.year, this_year - YEARS_OFFERED) - 1, -1))
    return years if year in years else [*years, year]


def community_of(request) -> Community:
    """The community in force, or `?community=` when it is one of the user's."""
    raw = request.GET.get("community") or request.POST.get("community")
    if raw:
        try:
            community_id = int(raw)
        except ValueError:
            raise Http404 from None
        if community_id not in getattr(request, "community_ids", []):
            raise Http404
    else:
        community_id = request.community_id
    if community_id is None:
        raise PermissionDenied(_("您的账户不属于任何社区"))
    return Community.objects.get(pk=community_id)


def _link(name: str, **query) -> str | None:
    """A page's URL with its query, or None while the page does not exist yet."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return None
    query = {k: v for k, v in query.items() if v is not None}
    return f"{url}?{urlencode(query)}" if query else url


def _refresh(request, community_ids: list[int], year: int) -> None:
    """重新计算: the figures again from the rows, at most REFRESH_RATE times per person."""
    limit, period = parse_rate(getattr(settings, "KUIHUA_DASHBOARD_REFRESH_RATE", REFRESH_RATE))
    count, wait = hit(f"dashboard-refresh:{request.user.pk}", period)
    if count > limit:
        messages.warning(
            request,
            _("刚刚已经重新计算过几次了，请 %(minutes)s 分钟后再试。")
            % {"minutes": max(1, -(-wait // 60))},
        )
        return
    dashboard_for(community_ids, year, fresh=True)
    messages.success(request, _("已按最新数据重新计算。"))


@login_required
@require_http_methods(["GET", "POST"])
def home(request):
    """社区数据看板: every figure of one community for one year, with charts and tables."""
    _require(request, "dashboard.view")
    year = year_of(request)
    community = community_of(request)
    own = community.pk == request.community_id
    query = {"year": year, "community": None if own else community.pk}
    if request.method == "POST":
        _refresh(request, [community.pk], year)
        return redirect(_link("dashboard:home", **query))
    board = dashboard_for([community.pk], year)
    context = {
        "community": community,
        "year": year,
        "years": _years(year),
        "board": board,
        # The rows behind a figure are listed in the community in force only.
        "sections": sections_of(board.total, year, rows_links=own),
        "own": own,
        "export_url": _link("dashboard:export_xlsx", **query),
        "report_url": _link("dashboard:annual_report", **query),
        "district_url": _link("dashboard:district", year=year)
        if request.user.has_perm("dashboard.view_district")
        else None,
    }
    return render(request, "dashboard/home.html", context)


@login_required
@require_GET
def export_xlsx(request):
    """The community's dashboard as an Excel file: each figure's headline and breakdown."""
    from kuihua.dashboard.exporting import dashboard_export

    _require(request, "dashboard.view")
    year = year_of(request)
    community = community_of(request)
    board = dashboard_for([community.pk], year)
    buffer = io.BytesIO()
    dashboard_export(
        buffer,
        title=_("%(community)s数据看板（%(year)s年，%(date)s导出）")
        % {"community": community.name, "year": year, "date": timezone.localdate().isoformat()},
        sections=sections_of(board.total, year, rows_links=False),
    )
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=_("%(community)s数据看板-%(year)s年.xlsx")
        % {"community": community.name, "year": year},
        content_type=XLSX,
    )


def _district(request, year: int):
    ids = list(getattr(request, "community_ids", []))
    board = dashboard_for(ids, year)
    communities = list(Community.objects.filter(pk__in=ids))
    return board, comparison(board, communities), communities


@login_required
@require_http_methods(["GET", "POST"])
def district(request):
    """街道/区数据看板: every community of a district viewer side by side, by street, with
    subtotals and the district's total (the sum of its communities), and the total's charts."""
    _require(request, "dashboard.view_district")
    year = year_of(request)
    if request.method == "POST":
        _refresh(request, list(request.community_ids), year)
        return redirect(_link("dashboard:district", year=year))
    board, table, communities = _district(request, year)
    context = {
        "year": year,
        "years": _years(year),
        "board": board,
        "table": table,
        "communities": communities,
        "sections": sections_of(board.total, year, rows_links=False),
        "export_url": _link("dashboard:district_export_xlsx", year=year),
        "report_url": _link("dashboard:district_annual_report", year=year),
    }
    return render(request, "dashboard/district.html", context)


@login_required
@require_GET
def district_export_xlsx(request):
    """The district's total, figure by figure, and the communities side by side."""
    from kuihua.dashboard.exporting import district_export

    _require(request, "dashboard.view_district")
    year = year_of(request)
    board, table, _communities = _district(request, year)
    buffer = io.BytesIO()
    district_export(
        buffer,
        title=_("所辖社区数据看板（%(year)s年，%(date)s导出）")
        % {"year": year, "date": timezone.localdate().isoformat()},
        sections=sections_of(board.total, year, rows_links=False),
        table=table,
    )
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=_("所辖社区数据看板-%(year)s年.xlsx") % {"year": year},
        content_type=XLSX,
    )
