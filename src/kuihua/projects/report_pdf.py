"""The project report as a printable A4 PDF in Chinese, for the funder's file.

The figures are those of the report page (`report.project_report`): title, period,
lead and partners, then each section as a table (plan against done, budget against
actual, funding, outputs, outcomes against target), the day it was generated and
"第 n 页，共 m 页" on every page (`core.pdf.numbered_canvas`). The font is the one
the service certificates and the stewards' statement use
(`service_records.certificates.cjk_font_name`: an installed TrueType CJK font, else
ReportLab's STSong-Light), so the text prints and can be searched and copied.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kuihua.core.money import yuan
from kuihua.core.pdf import numbered_canvas
from kuihua.projects.report import ProjectReport, number, percent
from kuihua.service_records.certificates import cjk_font_name

BEHIND = colors.HexColor("#fdecea")  # a late milestone, an overspent line, a missed target
HEAD = colors.HexColor("#f3f4f1")


def render_report_pdf(report: ProjectReport) -> bytes:
    """The report as PDF bytes (A4, portrait)."""
    font = cjk_font_name()
    head = report.header
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=TA_CENTER)
    subtitle = ParagraphStyle(
        "subtitle", fontName=font, fontSize=11, leading=16, alignment=TA_CENTER
    )
    heading = ParagraphStyle("heading", fontName=font, fontSize=13, leading=20, spaceBefore=8)
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    small = ParagraphStyle("small", fontName=font, fontSize=8.5, leading=12, wordWrap="CJK")

    def cell(value) -> Paragraph:
        return Paragraph(escape(str(value)), body)

    def table(rows, widths, *, shaded=(), bold_last=False):
        made = Table(
            [[cell(v) for v in row] for row in rows],
            colWidths=[w * mm for w in widths],
            repeatRows=1,
        )
        style = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), HEAD),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
        style += [("BACKGROUND", (0, i), (-1, i), BEHIND) for i in shaded]
        if bold_last:
            style.append(("LINEABOVE", (0, -1), (-1, -1), 1.2, colors.black))
        made.setStyle(TableStyle(style))
        return made

    def section(words: str):
        return Paragraph(escape(words), heading)

    def note(words: str):
        return Paragraph(escape(words), small)

    story = [
        Paragraph(escape(_("%(project)s 项目报告") % {"project": head.name}), title),
        Paragraph(
            escape(
                _("实施周期：%(start)s 至 %(end)s　报告截至：%(today)s")
                % {
                    "start": head.starts_on.isoformat(),
                    "end": head.ends_on.isoformat(),
                    "today": report.generated_on.isoformat(),
                }
            ),
            subtitle,
        ),
        Spacer(1, 4 * mm),
        section(_("一、项目概况")),
        table(
            [
                [pgettext("table column", "项目"), _("内容")],
                [_("项目领域"), head.domain],
                [_("项目状态"), head.status],
                [_("牵头组织"), head.lead],
                [_("合作方"), "、".join(head.partners) or _("无")],
                [_("服务人群"), "、".join(head.beneficiary_groups) or _("未指定")],
                [_("登记服务对象"), _("%(n)s 人") % {"n": head.beneficiaries}],
                *([[_("项目简介"), head.summary]] if head.summary else []),
            ],
            [35, 135],
        ),
    ]

    plan = report.plan
    story += [
        section(_("二、计划与完成")),
        note(
            _(
                "共 %(total)s 个计划节点：按期完成 %(on_time)s 个，延期完成 %(late)s 个，"
                "逾期未完成 %(overdue)s 个，未到期 %(pending)s 个。"
            )
            % {
                "total": plan.total,
                "on_time": plan.on_time,
                "late": plan.late,
                "overdue": plan.overdue,
                "pending": plan.pending,
            }
        ),
        table(
            [[_("计划事项"), _("计划完成"), _("实际完成"), _("进度"), _("说明")]]
            + [
                [
                    row.title,
                    row.due_on.isoformat(),
                    row.done_on.isoformat() if row.done_on else "—",
                    row.state_label
                    + (_("（%(n)s 天）") % {"n": row.days_late} if row.behind else ""),
                    row.note,
                ]
                for row in plan.rows
            ]
            + ([] if plan.rows else [[_("还没有计划节点。"), "", "", "", ""]]),
            [58, 25, 25, 30, 32],
            shaded=[i + 1 for i, row in enumerate(plan.rows) if row.behind],
        ),
    ]

    budget = report.budget
    story += [
        section(_("三、预算执行")),
        note(_("单位：元。实际支出为项目账本中该支出科目已过账的金额。")),
        table(
            [[_("支出科目"), _("预算"), _("实际支出"), _("结余"), _("执行率"), _("说明")]]
            + [
                [
                    row.name,
                    yuan(row.budget_fen) if row.budget_fen is not None else "—",
                    yuan(row.actual_fen),
                    yuan(row.remaining_fen),
                    percent(row.spent_share),
                    (_("超支") if row.budget_fen is not None else _("预算外支出"))
                    if row.overspent
                    else "",
                ]
                for row in budget.rows
            ]
            + [
                [
                    _("合计"),
                    yuan(budget.budget_fen),
                    yuan(budget.actual_fen),
                    yuan(budget.remaining_fen),
                    percent(budget.spent_share),
                    _("超支") if budget.remaining_fen < 0 else "",
                ]
            ],
            [46, 26, 26, 26, 20, 26],
            shaded=[i + 1 for i, row in enumerate(budget.rows) if row.overspent],
            bold_last=True,
        ),
    ]

    funding = report.funding
    story += [
        section(_("四、资金来源")),
        note(_("单位：元。每笔资金都已记入项目账本。")),
        table(
            [[_("资金类型"), _("资金来源"), _("使用条件"), _("金额"), _("到账日期")]]
            + [
                [
                    row.kind_label,
                    row.source,
                    row.conditions or "—",
                    yuan(row.amount_fen),
                    row.received_on.isoformat(),
                ]
                for row in funding.rows
            ]
            + ([] if funding.rows else [[_("还没有到账的资金。"), "", "", "", ""]]),
            [28, 40, 50, 27, 25],
        ),
        Spacer(1, 2 * mm),
        table(
            [[_("资金类型"), _("笔数"), _("金额")]]
            + [[kind.label, kind.count, yuan(kind.amount_fen)] for kind in funding.kinds]
            + [
                [_("资金到账合计"), len(funding.rows), yuan(funding.total_fen)],
                [_("账面结余（现金与银行存款）"), "", yuan(funding.balance_fen)],
            ],
            [70, 30, 70],
        ),
    ]

    outputs = report.outputs
    story += [
        section(_("五、服务产出")),
        note(
            _("项目还没有开始，还没有产出。")
            if outputs.end < outputs.start
            else _(
                "统计期间：%(start)s 至 %(end)s。"
                "数字来自记在本项目名下的活动签到、服务记录和关爱探访。"
            )
            % {"start": outputs.start.isoformat(), "end": outputs.end.isoformat()}
        ),
        table(
            [[_("产出"), _("计划"), _("实际"), _("完成率")]]
            + [
                [
                    f"{row.label}（{row.unit}）",
                    number(row.planned),
                    number(row.actual),
                    percent(row.reached_share),
                ]
                for row in outputs.rows
            ],
            [60, 35, 40, 35],
        ),
    ]

    story += [
        section(_("六、成效指标")),
        table(
            [
                [
                    _("指标"),
                    _("基线值"),
                    _("目标值"),
                    _("实测值"),
                    _("方向"),
                    _("结果"),
                    _("数据来源"),
                ]
            ]
            + [
                [
                    row.name + (f"（{row.unit}）" if row.unit else ""),
                    number(row.baseline),
                    number(row.target),
                    number(row.measured),
                    row.direction_label,
                    row.state_label,
                    row.source_label,
                ]
                for row in report.outcomes
            ]
            + ([] if report.outcomes else [[_("还没有成效指标。"), "", "", "", "", "", ""]]),
            [38, 18, 18, 18, 20, 22, 36],
            shaded=[i + 1 for i, row in enumerate(report.outcomes) if row.reached is False],
        ),
        Spacer(1, 8 * mm),
        note(
            _("本报告由葵花平台根据项目的计划、账本和服务记录自动生成，生成日期 %(day)s。")
            % {"day": report.generated_on.isoformat()}
        ),
        Spacer(1, 10 * mm),
        # Where the lead organization signs and stamps the copy it hands in.
        Table(
            [
                [
                    Paragraph(escape(_("牵头组织（盖章）：")), body),
                    Paragraph(escape(_("项目负责人（签字）：")), body),
                    Paragraph(escape(_("日期：")), body),
                ]
            ],
            colWidths=[70 * mm, 60 * mm, 40 * mm],
            rowHeights=[18 * mm],
            style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]),
        ),
    ]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=_("%(project)s 项目报告") % {"project": head.name},
        author="Kuihua",
    )
    footer = _("%(project)s 项目报告 · 生成于 %(day)s") % {
        "project": head.name,
        "day": report.generated_on.isoformat(),
    }
    doc.build(story, canvasmaker=numbered_canvas(font, footer))
    return buffer.getvalue()
