"""Every figure of the model (DESIGN part 12), computed from the rows.

`dashboard/base.py` says what a figure is; each module of `dashboard/figures/` defines
and registers the figures of one area. `community_parts()` computes them for a set of
communities in one pass (the same fixed number of queries for one community or a
hundred) and keeps each community's parts in the cache for `DASHBOARD_CACHE_SECONDS`;
`dashboard_for()` turns parts into what a page, an export and the annual report show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from kuihua.core.tenancy import across_communities
from kuihua.dashboard.base import FIGURES, FigureDef, Number, Parts, add_parts
from kuihua.dashboard.figures import load_figures

# Bump when a figure's parts change meaning, so that cached parts of the old shape
# are not read.
PARTS_VERSION = 1


def figures() -> list[FigureDef]:
    """Every registered figure, in the order of the page."""
    load_figures()
    return sorted(FIGURES.values(), key=lambda f: (f.order, f.key))


def _cache_key(community_id: int, year: int) -> str:
    return f"dashboard:parts:v{PARTS_VERSION}:{community_id}:{year}"


def compute_parts(community_ids: list[int], year: int) -> dict[int, dict[str, Parts]]:
    """`{community_id: {figure_key: Parts}}` straight from the database, for every id."""
    result: dict[int, dict[str, Parts]] = {cid: {} for cid in community_ids}
    if not community_ids:
        return result
    # Several figures share one parts function (a rate and its amounts): run each once.
    computed: dict[object, dict] = {}
    with across_communities(community_ids):
        for figure in figures():
            if figure.parts not in computed:
                computed[figure.parts] = figure.parts(year)
            for community_id, parts in computed[figure.parts].items():
                if community_id in result:
                    result[community_id][figure.key] = dict(parts)
    return result


@dataclass
class CachedParts:
    figures: dict[str, Parts]
    computed_at: object  # an aware datetime


def community_parts(
    community_ids: list[int], year: int, *, fresh: bool = False
) -> dict[int, CachedParts]:
    """Each community's parts, from the cache where they are, computed together where not."""
    keys = {cid: _cache_key(cid, year) for cid in community_ids}
    cached = {} if fresh else cache.get_many(list(keys.values()))
    found = {cid: cached[key] for cid, key in keys.items() if key in cached}
    missing = [cid for cid in community_ids if cid not in found]
    if missing:
        now = timezone.now()
        computed = {
            cid: CachedParts(parts, now) for cid, parts in compute_parts(missing, year).items()
        }
        cache.set_many(
            {keys[cid]: value for cid, value in computed.items()},
            timeout=getattr(settings, "DASHBOARD_CACHE_SECONDS", 300),
        )
        found.update(computed)
    return found


@dataclass
class Shown:
    """One figure as shown: its definition, the (summed) parts and what comes of them."""

    figure: FigureDef
    parts: Parts
    value: Number | None
    series: list[tuple[str, Number]] = field(default_factory=list)


def shown(figure: FigureDef, parts: Parts) -> Shown:
    series = figure.series(parts) if figure.series is not None else []
    return Shown(figure, parts, figure.value(parts), series)


@dataclass
class Dashboard:
    """The figures of one year for a set of communities, each community's and the total."""

    year: int
    community_ids: list[int]
    per_community: dict[int, list[Shown]]
    total: list[Shown]
    computed_at: object  # the oldest computation among the communities' parts


def dashboard_for(community_ids: list[int], year: int, *, fresh: bool = False) -> Dashboard:
    """The dashboard of `community_ids` (one community, or a district's communities).

    The total of each figure is computed from the sum of the communities' parts, so a
    district's total is the sum of its communities by construction.
    """
    parts = community_parts(community_ids, year, fresh=fresh)
    every = figures()
    per_community = {
        cid: [shown(f, parts[cid].figures.get(f.key, {})) for f in every] for cid in community_ids
    }
    total = [
        shown(f, add_parts(parts[cid].figures.get(f.key, {}) for cid in community_ids))
        for f in every
    ]
    computed_at = min((p.computed_at for p in parts.values()), default=timezone.now())
    return Dashboard(year, list(community_ids), per_community, total, computed_at)
