"""The project report (项目报告): the page, its Excel file and its PDF.

Each opens the project through `selectors.access_project(user, id, action="view")`
(another community's project, or one the user may not see, is a 404) and renders
the one `report.project_report` as of today, so the three never disagree.
"""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kuihua.projects.report import percent, project_report
from kuihua.projects.selectors import access_project

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(request, project_id: int):
    project = access_project(request.user, project_id, action="view")
    return project, project_report(project, today=timezone.localdate())


@login_required
def report(request, project_id: int):
    """项目报告: plan against done, budget against actual, funding, outputs and outcomes,
    readable on a phone and printable as it is."""
    project, made = _report(request, project_id)
    context = {
        "project": project,
        "report": made,
        "head": made.header,
        "plan": made.plan,
        "budget": made.budget,
        "funding": made.funding,
        "outputs": made.outputs,
        "budget_share": percent(made.budget.spent_share),
        "budget_rows": [(row, percent(row.spent_share)) for row in made.budget.rows],
        "output_rows": [(row, percent(row.reached_share)) for row in made.outputs.rows],
    }
    return render(request, "projects/report.html", context)


@login_required
def report_xlsx(request, project_id: int):
    """The report as an Excel file, one sheet per section."""
    from kuihua.projects.report_exporting import report_export

    project, made = _report(request, project_id)
    buffer = io.BytesIO()
    report_export(buffer, report=made)
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=f"project-report-{project.pk}-{made.generated_on:%Y%m%d}.xlsx",
        content_type=XLSX,
    )


@login_required
def report_pdf(request, project_id: int):
    """The report as a printable PDF in Chinese, for the funder."""
    from kuihua.projects.report_pdf import render_report_pdf

    project, made = _report(request, project_id)
    response = HttpResponse(render_report_pdf(made), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="project-report-{project.pk}-{made.generated_on:%Y%m%d}.pdf"'
    )
    return response
