"""The month's published statement (收支公示) as a printable A4 PDF, in Chinese.

The figures are those of the statement page (`books_selectors.published_statement`);
the font is the one the service certificates use (`service_records.certificates.
cjk_font_name`: an installed TrueType CJK font, else ReportLab's STSong-Light), so the
text prints and can be searched and copied.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kuihua.core.money import yuan
from kuihua.service_records.certificates import cjk_font_name
from kuihua.stewards.books_selectors import PublishedStatement
from kuihua.stewards.models import CompoundBooks


def _month(day) -> str:
    return _("%(year)s年%(month)s月") % {"year": day.year, "month": day.month}


def render_statement_pdf(books: CompoundBooks, published: PublishedStatement) -> bytes:
    """The statement as PDF bytes (A4)."""
    font = cjk_font_name()
    stmt, coll = published.statement, published.collection
    compound = escape(books.compound.name)
    title = ParagraphStyle("title", fontName=font, fontSize=20, leading=28, alignment=TA_CENTER)
    heading = ParagraphStyle("heading", fontName=font, fontSize=13, leading=20, spaceBefore=6)
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=16, wordWrap="CJK")
    small = ParagraphStyle("small", fontName=font, fontSize=9, leading=13, wordWrap="CJK")

    def table(rows, widths):
        made = Table(
            [[Paragraph(str(cell), body) for cell in row] for row in rows], colWidths=widths
        )
        made.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f4f1")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        return made

    widths = [110 * mm, 50 * mm]
    story = [
        Paragraph(
            escape(_("%(compound)s %(month)s收支公示"))
            % {"compound": compound, "month": _month(stmt.month)},
            title,
        ),
        Spacer(1, 4 * mm),
        Paragraph(
            escape(_("单位：元。本月尚未结账，数字以结账后为准。"))
            if not stmt.closed
            else escape(_("单位：元。本月已结账。")),
            small,
        ),
        Spacer(1, 3 * mm),
        Paragraph(escape(_("本月收支")), heading),
        table(
            [
                [pgettext("table column", "项目"), _("金额（元）")],
                [_("月初结余"), yuan(stmt.opening_fen)],
                [_("本月收入"), yuan(stmt.income_fen)],
                [_("本月支出"), yuan(stmt.expense_fen)],
                *(
                    [[_("业主预存款增减"), yuan(stmt.prepaid_change_fen, sign=True)]]
                    if stmt.prepaid_change_fen
                    else []
                ),
                *(
                    [[_("其他"), yuan(stmt.other_change_fen, sign=True)]]
                    if stmt.other_change_fen
                    else []
                ),
                [_("月末结余"), yuan(stmt.closing_fen)],
            ],
            widths,
        ),
        Paragraph(escape(_("收入明细")), heading),
        table(
            [[pgettext("table column", "项目"), _("金额（元）")]]
            + [[escape(line.account.name), yuan(line.amount_fen)] for line in stmt.income]
            + ([] if stmt.income else [[_("本月没有收入。"), ""]]),
            widths,
        ),
        Paragraph(escape(_("支出明细")), heading),
        table(
            [[pgettext("table column", "项目"), _("金额（元）")]]
            + [[escape(line.account.name), yuan(line.amount_fen)] for line in stmt.expenses]
            + ([] if stmt.expenses else [[_("本月没有支出。"), ""]]),
            widths,
        ),
        Paragraph(escape(_("%(year)s 年物业费收缴率") % {"year": coll.year}), heading),
        table(
            [
                [_("口径"), _("收缴率")],
                [
                    _("按户次（到期 %(due)s 张账单，缴清 %(paid)s 张）")
                    % {"due": coll.bills_due, "paid": coll.bills_paid},
                    published.bills_rate,
                ],
                [
                    _("按金额（应收 %(due)s 元，实收 %(paid)s 元）")
                    % {"due": yuan(coll.due_fen), "paid": yuan(coll.paid_fen)},
                    published.amount_rate,
                ],
            ],
            widths,
        ),
        Spacer(1, 8 * mm),
        Paragraph(
            escape(
                _("义管家公示，打印于 %(day)s。对账目有疑问，请找义管家或社区查看凭据。")
                % {"day": timezone.localdate().isoformat()}
            ),
            small,
        ),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{books.compound.name} {stmt.month:%Y-%m}",
        author="Kuihua",
    )
    doc.build(story)
    return buffer.getvalue()
