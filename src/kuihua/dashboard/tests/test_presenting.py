"""How a figure's numbers are written and tabled, whatever its Format (the organizations'
figures are counts; the shares and amounts of other areas must read as well)."""

from decimal import Decimal

from kuihua.dashboard.base import ChartKind, FigureDef, Format, ratio
from kuihua.dashboard.presenting import figure_view, sections_of
from kuihua.dashboard.selectors import shown
from kuihua.dashboard.templatetags.dashboard import format_number


def test_numbers_are_written_by_their_format():
    assert format_number(1234) == "1,234"
    assert format_number(Decimal("1234.54"), Format.DECIMAL) == "1,234.5"
    assert format_number(Decimal("12.0"), Format.DECIMAL) == "12"
    assert format_number(Decimal("0.8125"), Format.PERCENT) == "81.3%"
    assert format_number(123456, Format.YUAN) == "¥1,234.56"
    assert format_number(None, Format.PERCENT) == "—"


def _figure(fmt: str, section: str = "fees", **extra) -> FigureDef:
    return FigureDef(
        key=f"test_{fmt}",
        section=section,
        title="测试",
        definition="测试口径",
        parts=lambda year: {},
        value=lambda p: ratio(p.get("paid", 0), p.get("due", 0)) if fmt == Format.PERCENT else 0,
        format=fmt,
        chart=ChartKind.LINE,
        series=lambda p: [("1月", Decimal("0.5")), ("2月", Decimal("1"))],
        **extra,
    )


def test_a_shares_table_ends_with_the_overall_share_not_a_sum_of_shares():
    view = figure_view(shown(_figure(Format.PERCENT), {"paid": 3, "due": 4}), 2026)

    assert view.total == Decimal("0.75") and view.total_label == "总体"
    assert view.chart.startswith("<svg") and ">100</text>" in view.chart  # drawn as 50 and 100
    assert 'fill="None"' not in view.chart  # "None" is no colour: a line would be filled black


def test_amounts_are_charted_in_yuan_and_tabled_with_their_sum():
    figure = FigureDef(
        key="test_yuan",
        section="market",
        title="集市收入",
        definition="口径",
        parts=lambda year: {},
        value=lambda p: 300,
        format=Format.YUAN,
        unit="元",
        chart=ChartKind.BAR,
        series=lambda p: [("现金", 100), ("积分", 200)],
    )

    view = figure_view(shown(figure, {}), 2026)

    assert view.total == 300 and view.total_label == "合计" and view.unit == ""


def test_sections_keep_the_pages_order_and_an_unknown_one_comes_last():
    items = [
        shown(_figure(Format.COUNT, section="something_new"), {}),
        shown(_figure(Format.DECIMAL, section="market"), {}),
        shown(_figure(Format.PERCENT, section="organizations"), {}),
    ]

    sections = sections_of(items, 2026)

    assert [s.title for s in sections] == ["社会组织", "爱心集市", "其他统计"]
