"""What every printable PDF of the platform shares: "第 n 页，共 m 页" on each page.

The page count is known only once the whole story is laid out, so the canvas keeps
each page's state and writes the footers when it saves (ReportLab's two-pass
numbered-canvas recipe). The project report and the annual report use it; the font
is the caller's (`service_records.certificates.cjk_font_name` for Chinese).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas


def numbered_canvas(font: str, footer: str, *, pagesize=A4):
    """A canvas class that writes `footer` and "第 n 页，共 m 页" at the foot of every page."""

    class NumberedCanvas(pdf_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(font, 8)
                self.setFillColor(colors.grey)
                self.drawString(20 * mm, 10 * mm, footer)
                self.drawRightString(
                    pagesize[0] - 20 * mm,
                    10 * mm,
                    _("第 %(page)s 页，共 %(pages)s 页")
                    % {"page": self._pageNumber, "pages": total},
                )
                super().showPage()
            super().save()

    return NumberedCanvas
