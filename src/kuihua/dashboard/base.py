"""What a dashboard figure is, and how one is added.

A figure is computed from *additive parts*: for each community, a small dict of
numbers that can be summed across communities (counts, hours, fen, numerators and
denominators). The value shown is derived from the parts (a ratio of two summed
parts, never an average of ratios), so a district's figure is computed from the sum
of its communities' parts and its total always equals the sum of its communities.

A module of `dashboard/figures/` defines its figures and calls `register()` at import
(`figures.load_figures()` imports every module of that package). Each `parts` function
runs with the communities in force (`across_communities`) and returns
`{community_id: {part: number}}` from a fixed number of grouped queries, however many
rows and communities there are.

Naming of parts: plain names for scalars (`"hours"`, `"volunteers"`); `"<group>:<key>"`
for a breakdown that becomes a chart's categories (`"stage:filed"`, `"month:03"`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

Number = int | Decimal
Parts = dict[str, Number]


class Format:
    """How a value is written (dashboard/templatetags and the exports read this)."""

    COUNT = "count"  # 1,234
    DECIMAL = "decimal"  # 1,234.5
    PERCENT = "percent"  # a ratio 0..1 shown as 81.2%
    YUAN = "yuan"  # parts hold fen; shown as ¥1,234.00


class ChartKind:
    BAR = "bar"  # vertical bars, one per category
    HBAR = "hbar"  # horizontal bars (long labels: compounds, domains)
    LINE = "line"  # months of the year
    PIE = "pie"  # shares of a whole
    FUNNEL = "funnel"  # ordered stages, each a bar narrower than the one before


@dataclass(frozen=True)
class FigureDef:
    """One figure of the model (see the module docstring).

    - `parts(year)`: with the communities in force, `{community_id: Parts}`; a community
      with no rows may be missing (it counts as all zeros);
    - `value(parts)`: the headline number from (summed) parts, None when undefined
      (a ratio with nothing under it);
    - `series(parts)`: `[(label, number)]` for the chart and its table, or None;
    - `rows_url(year)`: the page listing the rows behind the figure, in the community
      in force (None when there is no such page).
    """

    key: str
    section: str
    title: str
    definition: str
    parts: Callable[[int], Mapping[int, Parts]]
    value: Callable[[Parts], Number | None]
    format: str = Format.COUNT
    unit: str = ""
    chart: str | None = None
    series: Callable[[Parts], list[tuple[str, Number]]] | None = None
    rows_url: Callable[[int], str | None] | None = None
    order: int = 100


FIGURES: dict[str, FigureDef] = {}


def register(*figures: FigureDef) -> None:
    for figure in figures:
        if figure.key in FIGURES:
            raise ValueError(f"figure {figure.key!r} registered twice")
        FIGURES[figure.key] = figure


def add_parts(many: Iterable[Parts]) -> Parts:
    """The component-wise sum of several communities' parts."""
    total: Parts = {}
    for parts in many:
        for name, number in parts.items():
            total[name] = total.get(name, 0) + number
    return total


def ratio(numerator: Number, denominator: Number) -> Decimal | None:
    """numerator / denominator as an exact Decimal, None when the denominator is 0."""
    if not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


def part(parts: Parts, name: str) -> Number:
    return parts.get(name, 0)


def series_of(parts: Parts, group: str, labels: Mapping[str, str]) -> list[tuple[str, Number]]:
    """The `group:key` parts in the order of `labels` (every label, zeros included)."""
    return [(str(label), parts.get(f"{group}:{key}", 0)) for key, label in labels.items()]


def scalars(rows: Iterable[Mapping], **names: str) -> dict[int, Parts]:
    """Fold `.values("community_id").annotate(…)` rows into `{community_id: Parts}`;
    `names` maps each part's name to the row's column holding it."""
    result: dict[int, Parts] = {}
    for row in rows:
        parts = result.setdefault(row["community_id"], {})
        for name, column in names.items():
            parts[name] = parts.get(name, 0) + (row[column] or 0)
    return result


def breakdown(rows: Iterable[Mapping], *, group: str, by: str, column: str) -> dict[int, Parts]:
    """Fold `.values("community_id", by).annotate(column=…)` rows into
    `{community_id: {"<group>:<row[by]>": number}}`."""
    result: dict[int, Parts] = {}
    for row in rows:
        parts = result.setdefault(row["community_id"], {})
        name = f"{group}:{row[by]}"
        parts[name] = parts.get(name, 0) + (row[column] or 0)
    return result


def merge(*many: Mapping[int, Parts]) -> dict[int, Parts]:
    """Several queries' `{community_id: Parts}` as one (part names must not clash)."""
    result: dict[int, Parts] = {}
    for per_community in many:
        for community_id, parts in per_community.items():
            result.setdefault(community_id, {}).update(parts)
    return result
