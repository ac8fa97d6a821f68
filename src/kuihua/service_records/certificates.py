"""The certificate of service (志愿服务证明) as a PDF, in Chinese.

What it carries follows the national guidance (志愿服务记录与证明出具办法):
the volunteer's name, ID type and number (masked) and volunteer number; the
hours and content of the service; the issuing organization, its person in
charge, the handler and a contact; the certificate number and date; and a
verification code with a QR code linking to the public verification page.

Fonts: ReportLab embeds TrueType outlines only. Debian's fonts-noto-cjk ships
CFF (PostScript) outlines, which ReportLab refuses ("postscript outlines are
not supported"), so a TrueType CJK font is used when one is configured
(KUIHUA_CJK_FONT) or installed (WenQuanYi, AR PL), and otherwise ReportLab's
built-in CID font STSong-Light: not embedded, it is one of the standard Adobe
Chinese fonts every PDF reader substitutes (poppler with Noto CJK, Acrobat with
its own), and its text layer is plain Unicode. Either way the PDF is valid and
its text can be searched and extracted.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import segno
from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kuihua.core.masking import mask_id_number
from kuihua.service_records.models import Certificate

FALLBACK_CID_FONT = "STSong-Light"
TRUETYPE_CANDIDATES = [
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
]


@cache
def cjk_font_name() -> str:
    """Register and name the CJK font the certificate uses (see the module docstring)."""
    configured = getattr(settings, "KUIHUA_CJK_FONT", "")
    candidates = ([(configured, 0)] if configured else []) + TRUETYPE_CANDIDATES
    for path, index in candidates:
        if not Path(path).is_file():
            continue
        try:
            pdfmetrics.registerFont(TTFont("KuihuaCJK", path, subfontIndex=index))
        except (TTFError, OSError):
            continue
        return "KuihuaCJK"
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID_FONT))
    return FALLBACK_CID_FONT


class QRCode(Flowable):
    """A QR code drawn as vector squares: sharp at any zoom, no image library involved."""

    def __init__(self, data: str, size: float):
        super().__init__()
        self.qr = segno.make(data, error="m")
        self.size = size

    def wrap(self, available_width, available_height):
        return self.size, self.size

    def draw(self):
        rows = [list(row) for row in self.qr.matrix]
        border = 2
        cells = len(rows) + 2 * border
        cell = self.size / cells
        canvas = self.canv
        canvas.setFillColor(colors.white)
        canvas.rect(0, 0, self.size, self.size, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        for y, row in enumerate(rows):
            for x, dark in enumerate(row):
                if dark:
                    top = self.size - (y + border + 1) * cell
                    canvas.rect((x + border) * cell, top, cell, cell, stroke=0, fill=1)


def _date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _grouped(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def render_certificate_pdf(certificate: Certificate, *, verify_url: str) -> bytes:
    """The certificate as PDF bytes (A4, one page)."""
    font = cjk_font_name()
    issued_on = timezone.localdate(certificate.issued_at)
    # Paragraphs read a little markup: every value from the database is escaped.
    name = escape(certificate.resident.name)
    org_name = escape(certificate.organization.name)
    masked_id = certificate.holder_masked_id or mask_id_number(certificate.resident.id_number)
    url = escape(verify_url)

    title = ParagraphStyle("title", fontName=font, fontSize=26, leading=34, alignment=TA_CENTER)
    body = ParagraphStyle("body", fontName=font, fontSize=12.5, leading=22, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName=font, fontSize=11, leading=16, wordWrap="CJK")
    small = ParagraphStyle("small", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
    number_style = ParagraphStyle("number", parent=small, alignment=2)

    story = [
        Paragraph(f"证明编号：{certificate.number}", number_style),
        Spacer(1, 6 * mm),
        Paragraph("志愿服务证明", title),
        Spacer(1, 8 * mm),
        Paragraph(
            f"兹证明 <b>{name}</b>（居民身份证号码：{masked_id}，"
            f"志愿者编号：{certificate.volunteer_number or '—'}）"
            f"于 {_date(certificate.period_start)} 至 {_date(certificate.period_end)} 期间，"
            f"在{org_name}组织的志愿服务中累计服务 <b>{certificate.hours}</b> 小时"
            f"（共 {certificate.record_count} 次），特此证明。",
            body,
        ),
        Spacer(1, 6 * mm),
    ]
    rows = [
        ("姓名", name),
        ("证件类型", "居民身份证"),
        ("证件号码", masked_id or "—"),
        ("志愿者编号", certificate.volunteer_number or "—"),
        (
            "服务时段",
            f"{_date(certificate.period_start)} 至 {_date(certificate.period_end)}",
        ),
        ("服务时长", f"{certificate.hours} 小时（{certificate.record_count} 次）"),
        ("服务内容", escape(certificate.content_summary) or "—"),
        ("出具组织", org_name),
        ("负责人", escape(certificate.person_in_charge) or "—"),
        ("经办人", escape(certificate.handler) or "—"),
        ("联系方式", escape(certificate.contact) or "—"),
        ("出具日期", _date(issued_on)),
    ]
    table = Table(
        [[Paragraph(k, cell), Paragraph(str(v), cell)] for k, v in rows],
        colWidths=[32 * mm, 128 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.HexColor("#888888")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#fff4d6")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    story += [table, Spacer(1, 8 * mm)]
    verify = Table(
        [
            [
                QRCode(verify_url, 30 * mm),
                [
                    Paragraph(f"验证码：{_grouped(certificate.code or '')}", cell),
                    Spacer(1, 2 * mm),
                    Paragraph(f"扫描二维码或访问以下网址核验本证明真伪：{url}", small),
                    Spacer(1, 2 * mm),
                    Paragraph(
                        "本证明依据《志愿服务记录与证明出具办法（试行）》出具，"
                        "服务时长以记录组织审核通过的志愿服务记录为准。",
                        small,
                    ),
                ],
            ]
        ],
        colWidths=[36 * mm, 124 * mm],
    )
    verify.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(verify)
    story += [
        Spacer(1, 10 * mm),
        Paragraph(f"{org_name}（盖章）", ParagraphStyle("seal", parent=body, alignment=2)),
        Paragraph(_date(issued_on), ParagraphStyle("sealdate", parent=body, alignment=2)),
    ]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"志愿服务证明 {certificate.number}",
        author=certificate.organization.name,
        subject="志愿服务证明",
    )
    document.build(story)
    return buffer.getvalue()
