"""The annual report (年度报告) as a PDF: of the community in force, and of a district
viewer's communities.

Both read the dashboard's figures through `selectors.dashboard_for` (the district's
with ONE call over all its communities, which puts them in force together; the
community in force of the request is never switched), arrange them with
`report.annual_report` and print them with `report_pdf`. A district viewer names the
community with `?community=` as on the dashboard page. The year comes from `?year=`
(this year when absent); a year that is not a number, or is outside the years the
platform can report on, is refused with a message, not a 500.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from kuihua.core.dates import EARLIEST
from kuihua.core.errors import ApplicationError
from kuihua.core.tenancy import Community
from kuihua.dashboard.report import annual_report as arrange
from kuihua.dashboard.report import area_name
from kuihua.dashboard.selectors import dashboard_for
from kuihua.dashboard.views import community_of

FIRST_YEAR = EARLIEST.year


def report_year(raw: str | None, *, today) -> int:
    """The year asked for: this year when none; refused unless FIRST_YEAR..this year."""
    if raw is None or not raw.strip():
        return today.year
    try:
        year = int(raw.strip())
    except ValueError:
        year = None
    if year is None or not FIRST_YEAR <= year <= today.year:
        raise ApplicationError(
            _("年份“%(year)s”不对：年度报告只能按 %(first)s 年到 %(last)s 年之间的年份生成。")
            % {"year": raw.strip()[:10], "first": FIRST_YEAR, "last": today.year},
            field="year",
        )
    return year


def _pdf(made) -> HttpResponse:
    from kuihua.dashboard.report_pdf import render_annual_report_pdf

    response = HttpResponse(render_annual_report_pdf(made), content_type="application/pdf")
    # RFC 5987 (filename*=utf-8''…) for the Chinese name, as FileResponse does.
    response["Content-Disposition"] = content_disposition_header(False, made.filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def annual_report(request):
    """The community's annual report, the figures of `?year=` (this year when absent)."""
    if not request.user.has_perm("dashboard.view"):
        raise PermissionDenied(_("只有社区工作者可以生成社区的年度报告。"))
    today = timezone.localdate()
    community = community_of(request)
    year = report_year(request.GET.get("year"), today=today)
    board = dashboard_for([community.pk], year)
    made = arrange(board, names={community.pk: community.name}, generated_on=today)
    return _pdf(made)


@login_required
def district_annual_report(request):
    """The annual report of every community the district viewer may read, side by side
    with their total."""
    if not request.user.has_perm("dashboard.view_district"):
        raise PermissionDenied(_("只有街道或区的查看账户可以生成辖区的年度报告。"))
    today = timezone.localdate()
    year = report_year(request.GET.get("year"), today=today)
    communities = list(Community.objects.filter(pk__in=request.community_ids).order_by("pk"))
    if not communities:
        raise PermissionDenied(_("您的账户还没有可以查看的社区。"))
    board = dashboard_for([c.pk for c in communities], year)
    made = arrange(
        board,
        names={c.pk: c.name for c in communities},
        generated_on=today,
        district=area_name(communities),
        streets={c.pk: c.street for c in communities},
    )
    return _pdf(made)
