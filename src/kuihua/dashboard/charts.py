"""One chart definition for the page and the PDF: a ReportLab `Drawing`.

`drawing()` builds the chart of a figure with ReportLab's chart library; the annual
report places that Drawing in the PDF as it is, and `svg()` renders the same Drawing
to SVG for the page. The page's Content-Security-Policy refuses inline `style`
attributes, so the SVG's styles are rewritten as presentation attributes (fill,
stroke, font-size), which CSP does not govern; no script is involved at all.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from decimal import Decimal
from xml.etree import ElementTree as ET

from django.conf import settings
from django.core.cache import cache
from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors

from kuihua.dashboard.base import ChartKind

# The sunflower's palette, dark enough for white text and readable in grey print.
PALETTE = [
    colors.HexColor(c)
    for c in ("#c77c02", "#2f6f8f", "#5b8c3a", "#a6423a", "#6d5a9e", "#3d8c86", "#8c6d3a")
]
WIDTH, HEIGHT = 480, 240
SVG_NS = "http://www.w3.org/2000/svg"


def _numbers(series: Sequence[tuple[str, object]]) -> list[float]:
    return [float(v) if isinstance(v, int | Decimal | float) else 0.0 for _, v in series]


def drawing(kind: str, series: Sequence[tuple[str, object]], *, font: str = "Helvetica") -> Drawing:
    """The chart of `series` ([(label, number)]) as a ReportLab Drawing."""
    labels = [str(label) for label, _ in series]
    values = _numbers(series)
    d = Drawing(WIDTH, HEIGHT)
    top = max(values, default=0) or 1
    if kind == ChartKind.PIE:
        pie = Pie()
        # Room above and below for the labels of the top and bottom slices.
        pie.x, pie.y, pie.width, pie.height = 160, 35, 170, 170
        pie.data = values if any(values) else [1]
        # An empty slice's label would sit on its neighbour's; the table names it.
        pie.labels = [
            f"{lbl} {int(v) if v == int(v) else v}" if v else ""
            for lbl, v in zip(labels, values, strict=True)
        ]
        pie.checkLabelOverlap = 1  # small neighbouring slices: labels pushed apart
        pie.slices.strokeColor = colors.white
        pie.slices.fontName = font
        pie.slices.fontSize = 10
        for i in range(len(pie.data)):
            pie.slices[i].fillColor = PALETTE[i % len(PALETTE)] if any(values) else colors.lightgrey
        d.add(pie)
    elif kind == ChartKind.FUNNEL:
        # Ordered stages as centred bars, widest for the largest.
        rows = max(len(values), 1)
        band = (HEIGHT - 20) / rows
        for i, (label, value) in enumerate(zip(labels, values, strict=True)):
            width = (WIDTH - 160) * value / top
            y = HEIGHT - 10 - (i + 1) * band
            d.add(
                Rect(
                    150 + (WIDTH - 160 - width) / 2,
                    y + 3,
                    width,
                    band - 6,
                    fillColor=PALETTE[i % len(PALETTE)],
                    strokeColor=None,
                )
            )
            d.add(
                String(
                    4,
                    y + band / 2 - 4,
                    f"{label}  {int(value) if value == int(value) else value}",
                    fontName=font,
                    fontSize=11,
                )
            )
    elif kind == ChartKind.LINE:
        chart = HorizontalLineChart()
        chart.x, chart.y, chart.width, chart.height = 45, 30, WIDTH - 60, HEIGHT - 50
        chart.data = [values]
        chart.categoryAxis.categoryNames = labels
        chart.categoryAxis.labels.fontName = font
        chart.valueAxis.valueMin = 0
        chart.valueAxis.labels.fontName = font
        chart.lines[0].strokeColor = PALETTE[0]
        chart.lines[0].strokeWidth = 2
        d.add(chart)
    else:
        chart = HorizontalBarChart() if kind == ChartKind.HBAR else VerticalBarChart()
        if kind == ChartKind.HBAR:
            chart.x, chart.y, chart.width, chart.height = 120, 20, WIDTH - 140, HEIGHT - 30
            chart.categoryAxis.reverseDirection = True
        else:
            chart.x, chart.y, chart.width, chart.height = 45, 30, WIDTH - 60, HEIGHT - 50
        chart.data = [values]
        chart.categoryAxis.categoryNames = labels
        chart.categoryAxis.labels.fontName = font
        chart.valueAxis.valueMin = 0
        chart.valueAxis.labels.fontName = font
        chart.bars[0].fillColor = PALETTE[0]
        chart.bars.strokeColor = None
        d.add(chart)
    return d


_STYLE_ITEM = re.compile(r"\s*([a-z-]+)\s*:\s*([^;]+)")


def svg(kind: str, series: Sequence[tuple[str, object]], *, title: str = "") -> str:
    """The chart as an inline <svg> element (no XML prolog), styles as attributes.

    Drawing is most of a warm dashboard's time (a district's compounds make charts of
    a thousand bars), so each drawn chart is kept in the cache, keyed by what it shows,
    as long as the figures behind it.
    """
    shows = repr((SVG_VERSION, kind, [(str(label), str(n)) for label, n in series], str(title)))
    key = "dashboard:svg:" + hashlib.sha256(shows.encode()).hexdigest()
    drawn = cache.get(key)
    if drawn is None:
        drawn = _svg(kind, series, title=title)
        cache.set(key, drawn, timeout=getattr(settings, "DASHBOARD_CACHE_SECONDS", 300))
    return drawn


# Bump when the drawing changes, so that charts drawn the old way are not served.
SVG_VERSION = 1


def _svg(kind: str, series: Sequence[tuple[str, object]], *, title: str = "") -> str:
    text = renderSVG.drawToString(drawing(kind, series))
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ET.fromstring(text.split("?>", 1)[-1].split("]>", 1)[-1].split("svg10.dtd'>", 1)[-1])  # noqa: S314 - ReportLab's own output
    for element in root.iter():
        style = element.attrib.pop("style", None)
        if style:
            for name, value in _STYLE_ITEM.findall(style):
                if name == "clip-path":
                    continue
                value = value.strip()
                # ReportLab writes a missing colour as "None", which SVG reads as black.
                element.set(name, "none" if value == "None" else value)
    # Size from CSS (full width on a phone); the viewBox keeps the proportions.
    root.attrib.pop("width", None)
    root.attrib.pop("height", None)
    root.set("class", "chart")
    root.set("role", "img")
    if title:
        root.set("aria-label", title)
    for child in list(root):
        if child.tag in (f"{{{SVG_NS}}}title", f"{{{SVG_NS}}}desc"):
            child.text = title
        elif child.tag == f"{{{SVG_NS}}}clipPath":
            root.remove(child)  # no longer referred to; its id would repeat on the page
    for element in root.iter():
        element.attrib.pop("id", None)  # "group", once per chart: ids must be unique
    return ET.tostring(root, encoding="unicode")
