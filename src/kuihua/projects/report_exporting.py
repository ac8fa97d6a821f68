"""The project report to .xlsx: one sheet per section of the page, in the same order.

Laid out as the stewards' export lays out the books (stewards/exporting.py): a merged
title row, the Chinese headers, amounts as numbers in yuan with two places, shares as
per-cent numbers, dates as real Excel dates, text that looks like a formula kept as
text. The figures are those of `report.project_report`; nothing is computed here. The
sheet names no person: the beneficiaries are a count.
"""

from __future__ import annotations

from decimal import Decimal
from typing import IO

from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from kuihua.core.money import fen_to_decimal
from kuihua.projects.report import ProjectReport
from kuihua.registry.exporting import DATE, append_row, format_columns, new_sheet

YUAN = "#,##0.00"
PERCENT = "0.0%"

SUMMARY_HEADERS = ["项目", "内容"]
PLAN_HEADERS = ["计划事项", "计划完成日期", "实际完成日期", "进度", "延期天数", "说明"]
BUDGET_HEADERS = [
    "科目代码",
    "支出科目",
    "预算（元）",
    "实际支出（元）",
    "结余（元）",
    "执行率",
    "超支",
]
FUNDING_HEADERS = ["资金类型", "资金来源", "使用条件", "金额（元）", "到账日期"]
OUTPUT_HEADERS = ["产出", "单位", "计划", "实际", "完成率"]
OUTCOME_HEADERS = [
    "指标",
    "单位",
    "数据来源",
    "基线值",
    "目标值",
    "实测值",
    "测量日期",
    "方向",
    "是否达标",
    "测量方法",
]
SHEETS = ["概况", "计划进度", "预算执行", "资金来源", "服务产出", "成效指标"]

_WIDTHS = {
    "项目": 16,
    "内容": 50,
    "计划事项": 30,
    "计划完成日期": 14,
    "实际完成日期": 14,
    "说明": 24,
    "支出科目": 20,
    "预算（元）": 14,
    "实际支出（元）": 14,
    "结余（元）": 14,
    "资金类型": 16,
    "资金来源": 26,
    "使用条件": 36,
    "金额（元）": 14,
    "到账日期": 12,
    "产出": 16,
    "指标": 24,
    "数据来源": 24,
    "测量日期": 12,
    "测量方法": 24,
}
_PLAN_FORMATS = {"计划完成日期": DATE, "实际完成日期": DATE}
_BUDGET_FORMATS = {
    "预算（元）": YUAN,
    "实际支出（元）": YUAN,
    "结余（元）": YUAN,
    "执行率": PERCENT,
}
_FUNDING_FORMATS = {"金额（元）": YUAN, "到账日期": DATE}
_OUTPUT_FORMATS = {"完成率": PERCENT}
_OUTCOME_FORMATS = {"测量日期": DATE}


def _add_sheet(workbook, title: str, headers: list[str]):
    """Another sheet laid out as `new_sheet` lays out the first."""
    sheet = workbook.create_sheet(title[:31])
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for i, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(header, 12)
    sheet.freeze_panes = "A3"
    return sheet


def _money(fen: int | None):
    return None if fen is None else fen_to_decimal(fen)


def _bold_last_row(sheet) -> None:
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def report_export(file: str | IO[bytes], *, report: ProjectReport) -> None:
    """Write the report's six sheets: 概况, 计划进度, 预算执行, 资金来源, 服务产出, 成效指标."""
    head = report.header
    day = report.generated_on.isoformat()

    def title(section: str) -> str:
        return _("%(project)s %(section)s（%(date)s生成）") % {
            "project": head.name,
            "section": section,
            "date": day,
        }

    workbook, sheet = new_sheet(title(_("项目概况")), SUMMARY_HEADERS, widths=_WIDTHS)
    sheet.title = SHEETS[0]
    plan, budget, funding = report.plan, report.budget, report.funding
    for label, value in [
        (_("项目名称"), head.name),
        (_("项目领域"), head.domain),
        (_("项目状态"), head.status),
        (_("实施周期"), f"{head.starts_on.isoformat()} — {head.ends_on.isoformat()}"),
        (_("牵头组织"), head.lead),
        (_("合作方"), "、".join(head.partners) or _("无")),
        (_("服务人群"), "、".join(head.beneficiary_groups) or _("未指定")),
        (_("登记服务对象（人）"), head.beneficiaries),
        (_("项目简介"), head.summary),
        (
            _("计划节点"),
            _(
                "共 %(total)s 项：按期完成 %(on_time)s，延期完成 %(late)s，"
                "逾期未完成 %(overdue)s，未到期 %(pending)s"
            )
            % {
                "total": plan.total,
                "on_time": plan.on_time,
                "late": plan.late,
                "overdue": plan.overdue,
                "pending": plan.pending,
            },
        ),
        (_("预算合计（元）"), _money(budget.budget_fen)),
        (_("实际支出（元）"), _money(budget.actual_fen)),
        (_("资金到账合计（元）"), _money(funding.total_fen)),
        (_("账面结余（元）"), _money(funding.balance_fen)),
        (_("报告生成日期"), report.generated_on),
    ]:
        append_row(sheet, [label, value])
        if isinstance(value, Decimal):
            sheet.cell(sheet.max_row, 2).number_format = YUAN
            sheet.cell(sheet.max_row, 2).alignment = Alignment(horizontal="left")
        elif label == _("报告生成日期"):
            sheet.cell(sheet.max_row, 2).number_format = DATE
            sheet.cell(sheet.max_row, 2).alignment = Alignment(horizontal="left")
        else:
            sheet.cell(sheet.max_row, 2).alignment = Alignment(wrap_text=True)

    sheet = _add_sheet(workbook, title(_("计划与完成")), PLAN_HEADERS)
    sheet.title = SHEETS[1]
    for row in plan.rows:
        append_row(
            sheet,
            [row.title, row.due_on, row.done_on, row.state_label, row.days_late or None, row.note],
        )
    format_columns(sheet, PLAN_HEADERS, _PLAN_FORMATS)

    sheet = _add_sheet(workbook, title(_("预算执行")), BUDGET_HEADERS)
    sheet.title = SHEETS[2]
    for row in budget.rows:
        append_row(
            sheet,
            [
                row.code,
                row.name
                if row.budget_fen is not None
                else _("%(name)s（预算外）") % {"name": row.name},
                _money(row.budget_fen),
                _money(row.actual_fen),
                _money(row.remaining_fen),
                row.spent_share,
                _("超支") if row.overspent else "",
            ],
        )
    append_row(
        sheet,
        [
            "",
            _("合计"),
            _money(budget.budget_fen),
            _money(budget.actual_fen),
            _money(budget.remaining_fen),
            budget.spent_share,
            _("超支") if budget.remaining_fen < 0 else "",
        ],
    )
    _bold_last_row(sheet)
    format_columns(sheet, BUDGET_HEADERS, _BUDGET_FORMATS)

    sheet = _add_sheet(workbook, title(_("资金来源")), FUNDING_HEADERS)
    sheet.title = SHEETS[3]
    for row in funding.rows:
        append_row(
            sheet,
            [row.kind_label, row.source, row.conditions, _money(row.amount_fen), row.received_on],
        )
    for kind in funding.kinds:
        append_row(
            sheet,
            [
                kind.label,
                _("小计（%(n)s 笔）") % {"n": kind.count},
                "",
                _money(kind.amount_fen),
                None,
            ],
        )
    append_row(sheet, [_("合计"), "", "", _money(funding.total_fen), None])
    _bold_last_row(sheet)
    append_row(
        sheet, [_("账面结余"), _("项目账本的现金与银行存款"), "", _money(funding.balance_fen), None]
    )
    format_columns(sheet, FUNDING_HEADERS, _FUNDING_FORMATS)

    outputs = report.outputs
    sheet = _add_sheet(
        workbook,
        title(
            _("服务产出 %(start)s 至 %(end)s")
            % {"start": outputs.start.isoformat(), "end": outputs.end.isoformat()}
        ),
        OUTPUT_HEADERS,
    )
    sheet.title = SHEETS[4]
    for row in outputs.rows:
        append_row(sheet, [row.label, row.unit, row.planned, row.actual, row.reached_share])
    format_columns(sheet, OUTPUT_HEADERS, _OUTPUT_FORMATS)

    sheet = _add_sheet(workbook, title(_("成效指标")), OUTCOME_HEADERS)
    sheet.title = SHEETS[5]
    for row in report.outcomes:
        append_row(
            sheet,
            [
                row.name,
                row.unit,
                row.source_label,
                row.baseline,
                row.target,
                row.measured,
                row.measured_on,
                row.direction_label,
                row.state_label,
                row.method,
            ],
        )
    format_columns(sheet, OUTCOME_HEADERS, _OUTCOME_FORMATS)
    workbook.save(file)
