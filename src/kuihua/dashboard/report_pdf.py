"""The annual report (年度报告) as a printable A4 PDF in Chinese.

It prints `report.AnnualReport` as it is: the title, the summary paragraph, for a
district a table of every figure in each community beside the total, then each
section with its figures: title and value, definition, the chart and the table. The
chart is the very ReportLab Drawing the dashboard page shows as SVG
(`charts.drawing`), drawn in the CJK font of the certificates
(`service_records.certificates.cjk_font_name`) so that its labels print and the text
can be searched and copied. Every page ends with "第 n 页，共 m 页" (`core.pdf`).
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from kuihua.core.pdf import numbered_canvas
from kuihua.dashboard.charts import drawing
from kuihua.dashboard.report import AnnualReport, FigureBlock, Grid
from kuihua.service_records.certificates import cjk_font_name

HEAD = colors.HexColor("#f3f4f1")
TOTAL = colors.HexColor("#fdf4e3")
SUBTOTAL = colors.HexColor("#f8f8f4")
WIDTH = A4[0] - 40 * mm  # the text's width between the margins
CHART_SCALE = 0.8  # two charts and their tables fit on a page


def _chart(kind: str, series, font: str):
    """The page's chart, scaled to the report's column."""
    made = drawing(kind, series, font=font)
    made.scale(CHART_SCALE, CHART_SCALE)
    made.width, made.height = made.width * CHART_SCALE, made.height * CHART_SCALE
    made.hAlign = "CENTER"
    return made


def render_annual_report_pdf(report: AnnualReport) -> bytes:
    """The report as PDF bytes (A4, portrait)."""
    font = cjk_font_name()
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=TA_CENTER)
    subtitle = ParagraphStyle(
        "subtitle", fontName=font, fontSize=10, leading=15, alignment=TA_CENTER
    )
    heading = ParagraphStyle(
        "heading", fontName=font, fontSize=14, leading=20, spaceBefore=10, spaceAfter=4
    )
    figure_heading = ParagraphStyle(
        "figure", fontName=font, fontSize=11.5, leading=17, spaceBefore=8, spaceAfter=2
    )
    body = ParagraphStyle(
        "body", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK", firstLineIndent=21
    )
    cell_style = ParagraphStyle("cell", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    number_style = ParagraphStyle("number", parent=cell_style, alignment=TA_RIGHT)
    small = ParagraphStyle(
        "small", fontName=font, fontSize=8.5, leading=12, wordWrap="CJK", textColor=colors.grey
    )

    def para(words: str, style) -> Paragraph:
        return Paragraph(escape(words).replace("\n", "<br/>"), style)

    def table(grid: Grid):
        columns = len(grid.header)
        if columns <= 2:  # a label and its number: no need to span the page
            widths = [70 * mm, 40 * mm][:columns]
        else:
            first = 40 * mm
            widths = [first] + [(WIDTH - first) / (columns - 1)] * (columns - 1)
        made = Table(
            [[para(v, cell_style) for v in grid.header]]
            + [
                [para(v, cell_style if i == 0 else number_style) for i, v in enumerate(row)]
                for row in grid.rows
            ],
            colWidths=widths,
            repeatRows=1,
            hAlign="LEFT",
        )
        style = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), HEAD),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
        for row in grid.marked_rows:
            style.append(("BACKGROUND", (0, row + 1), (-1, row + 1), SUBTOTAL))
        for column in grid.marked_columns:
            style.append(("BACKGROUND", (column, 1), (column, -1), SUBTOTAL))
        if grid.total_column:
            style += [
                ("LINEBEFORE", (-1, 0), (-1, -1), 1.2, colors.black),
                ("BACKGROUND", (-1, 1), (-1, -1), TOTAL),
            ]
        if grid.total_last:
            style += [
                ("LINEABOVE", (0, -1), (-1, -1), 1.2, colors.black),
                ("BACKGROUND", (0, -1), (-1, -1), TOTAL),
            ]
        made.setStyle(TableStyle(style))
        return made

    def figure(n: int, block: FigureBlock) -> list:
        head = [
            para(f"（{n}）{block.title}：{block.value}", figure_heading),
            para(_("口径：%(definition)s") % {"definition": block.definition}, small),
        ]
        if block.chart:
            head += [Spacer(1, 2 * mm), _chart(block.chart, block.series, font)]
        # The heading never stays at the foot of a page without its chart and first
        # table; a short table moves whole to the next page rather than leave its total.
        tables = [(table(grid), len(grid.rows) <= 20) for grid in block.tables]
        if tables and tables[0][1]:
            head += [Spacer(1, 2 * mm), tables.pop(0)[0]]
        parts: list = [KeepTogether(head)]
        for made, short in tables:
            parts += [Spacer(1, 2 * mm), KeepTogether([made]) if short else made]
        return parts

    story: list = [
        para(report.title, title),
        Spacer(1, 2 * mm),
        para(report.subtitle, subtitle),
        Spacer(1, 6 * mm),
        para(report.summary, body),
    ]
    if report.overview:
        story += [para(_("各社区主要数字"), heading)]
        for grid in report.overview:
            story += [table(grid), Spacer(1, 3 * mm)]  # long: its header repeats on each page
    if not report.sections:
        story += [Spacer(1, 4 * mm), para(_("还没有可以统计的数字。"), body)]
    for section in report.sections:
        story += [CondPageBreak(60 * mm), para(section.heading, heading)]
        for n, block in enumerate(section.figures, start=1):
            story += figure(n, block)
    story += [
        Spacer(1, 8 * mm),
        para(
            _(
                "本报告由葵花平台根据平台上的登记、签到、服务和账本记录自动生成，"
                "数字与数据看板一致；生成日期 %(day)s。"
            )
            % {"day": report.generated_on.isoformat()},
            small,
        ),
        Spacer(1, 10 * mm),
        # Where the office signs and stamps the copy it hands to the street.
        Table(
            [
                [
                    para(
                        _("街道（盖章）：") if report.is_district else _("社区（盖章）："),
                        cell_style,
                    ),
                    para(_("负责人（签字）："), cell_style),
                    para(_("日期："), cell_style),
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
        title=report.title,
        author="Kuihua",
    )
    doc.build(story, canvasmaker=numbered_canvas(font, report.footer))
    return buffer.getvalue()
