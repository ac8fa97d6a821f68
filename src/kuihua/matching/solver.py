"""The optimal match of needs to providers, as a min-cost flow (OR-Tools).

Pure arrays in, arrays out: no Django here, so the tests can compare it with
brute force and the benchmark can time it alone.

The network: source → need (capacity 1) → provider (capacity 1, where every
hard constraint holds) → provider's k-th place this week (capacity 1, cost
k × load weight: filling one provider's last place costs more than another's
first, which spreads the load) → sink. `solve_max_flow_with_min_cost` serves
as many needs as possible, then finds the cheapest such assignment.

Hard constraints of a need–provider arc: the provider offers the need's
category; serves the need's compound (or the whole community); is available on
one of the asked days in one of the asked parts of the day; and, when the
resident has not consented to share details, is an organization, government
department or institution (bound by the committee's confidentiality terms), not
an individual volunteer or an enterprise. Capacity is the provider's places left
this week. Each is written once, in `HARD_CONSTRAINTS`: the solver, the reasons
given for an unmatched need and the check of a coordinator's own choice
(`services.hard_constraint_problem`, on arrays of one) all read that table.

Cost terms of an arc (all non-negative integers, weights in `Weights`):
distance (same building 0 < same compound < same community), fit (the
provider's main category or a secondary one), priority (less urgent and more
recently raised needs cost more to serve, so when places are short the urgent
and the long-waiting are served first), continuity (not the provider who
served this resident last time in this category), and load (above).
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable

import numpy as np

# Provider types that may receive a need whose resident has not consented to share details.
INSTITUTIONAL = frozenset({"organization", "government", "institution"})
URGENCY_MAX = 4
WAIT_CAP_DAYS = 30

# Why a need was not matched, checked in this order (the first that applies).
NO_CATEGORY = "no_category"
NO_AREA = "no_area"
NO_TIME = "no_time"
NO_CONSENT = "no_consent"
CAPACITY = "capacity"


@dataclasses.dataclass(frozen=True)
class Weights:
    """The coordinator's cost model; each is the cost of one unit of its term."""

    same_compound: int = 10  # provider in the same compound, another building
    same_community: int = 30  # provider elsewhere in the community
    secondary_category: int = 5  # the category is not the provider's main one
    urgency: int = 8  # per step below "urgent"
    waiting: int = 1  # per day under WAIT_CAP_DAYS since the need was raised
    continuity: int = 15  # not last time's provider, when there was one
    load: int = 4  # per place already given to the same provider in this run

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Needs:
    """Open needs, one entry per need (row i of every array)."""

    category: np.ndarray  # int: category index
    compound: np.ndarray  # int: compound index, -1 if unknown
    building: np.ndarray  # int: building index, -1 if unknown
    days: np.ndarray  # int: bit d = weekday d (Monday 0) asked
    slots: np.ndarray  # int: bit s = part of the day s asked (morning, afternoon, evening)
    urgency: np.ndarray  # int: 1 (low) … 4 (urgent)
    waited_days: np.ndarray  # int: days since raised
    consent: np.ndarray  # bool: may details be shared with any provider
    last_provider: np.ndarray  # int: provider index that served last time, -1 if none

    def __len__(self) -> int:
        return len(self.category)


@dataclasses.dataclass
class Providers:
    """Providers with places left, one entry per provider (row j of every array)."""

    main_category: np.ndarray  # int
    categories: np.ndarray  # bool [providers × categories]: offered
    serves_all: np.ndarray  # bool: serves every compound of the community
    compounds: np.ndarray  # bool [providers × compounds]: served (when not serves_all)
    compound: np.ndarray  # int: where the provider is based, -1 if outside
    building: np.ndarray  # int: building where based, -1 if none
    days: np.ndarray  # int bit mask
    slots: np.ndarray  # int bit mask
    capacity: np.ndarray  # int: places left this week
    institutional: np.ndarray  # bool: organization, government or institution

    def __len__(self) -> int:
        return len(self.main_category)


@dataclasses.dataclass
class Arcs:
    """Every feasible need–provider pair with its cost terms."""

    need: np.ndarray
    provider: np.ndarray
    distance: np.ndarray
    fit: np.ndarray
    priority: np.ndarray
    continuity: np.ndarray

    @functools.cached_property
    def cost(self) -> np.ndarray:
        return self.distance + self.fit + self.priority + self.continuity

    def __len__(self) -> int:
        return len(self.need)


@dataclasses.dataclass
class Result:
    provider_of: np.ndarray  # int per need: the provider index, -1 if unmatched
    arc_of: np.ndarray  # int per need: index into arcs, -1 if unmatched
    total_cost: int  # arc costs + load costs
    seconds_solver: float
    arcs: Arcs

    @property
    def matched(self) -> int:
        return int((self.provider_of >= 0).sum())


def priority_cost(needs: Needs, weights: Weights) -> np.ndarray:
    waited = np.minimum(needs.waited_days, WAIT_CAP_DAYS)
    return (URGENCY_MAX - needs.urgency) * weights.urgency + (WAIT_CAP_DAYS - waited) * (
        weights.waiting
    )


@dataclasses.dataclass(frozen=True)
class HardConstraint:
    """One hard constraint of a need–provider arc, the one definition of it.

    `holds(needs, providers, i, j)` is True where need i may go to provider j; `i`
    and `j` are indices that broadcast against each other: one need against every
    provider (`j` = `EVERY`), a column of needs against a row of providers, or one
    pair (the coordinator's own choice, `services.hard_constraint_problem`). `per_group`: the
    constraint reads of a need only its category and compound, so the solver decides
    it once for all the needs that share them. `reason`: why a need is unmatched
    when this is the first constraint, in the order of `HARD_CONSTRAINTS`, that
    leaves it no provider.
    """

    reason: str
    per_group: bool
    holds: Callable[[Needs, Providers, np.ndarray, np.ndarray], np.ndarray]


def _offers_category(needs: Needs, providers: Providers, i, j) -> np.ndarray:
    category = needs.category[i]
    n_categories = providers.categories.shape[1]
    if not n_categories:
        return np.zeros(np.broadcast(category, providers.serves_all[j]).shape, bool)
    known = (category >= 0) & (category < n_categories)
    return known & providers.categories[j, np.where(known, category, 0)]


def _covers_compound(needs: Needs, providers: Providers, i, j) -> np.ndarray:
    compound = needs.compound[i]
    if not providers.compounds.shape[1]:
        return providers.serves_all[j] & np.ones(np.shape(compound), bool)
    known = compound >= 0
    return providers.serves_all[j] | (known & providers.compounds[j, np.where(known, compound, 0)])


def _available(needs: Needs, providers: Providers, i, j) -> np.ndarray:
    return ((needs.days[i] & providers.days[j]) != 0) & ((needs.slots[i] & providers.slots[j]) != 0)


def _may_share(needs: Needs, providers: Providers, i, j) -> np.ndarray:
    return needs.consent[i] | providers.institutional[j]


HARD_CONSTRAINTS: tuple[HardConstraint, ...] = (
    HardConstraint(NO_CATEGORY, True, _offers_category),
    HardConstraint(NO_AREA, True, _covers_compound),
    HardConstraint(NO_TIME, False, _available),
    HardConstraint(NO_CONSENT, False, _may_share),
)
# Every provider, as `j` of a per-group constraint (a slice: no copy of the columns).
EVERY = slice(None)
PER_GROUP = tuple(c for c in HARD_CONSTRAINTS if c.per_group)
PER_PAIR = tuple(c for c in HARD_CONSTRAINTS if not c.per_group)
# The table lists the per-group ones first: a need's reason follows the table's order.


def _groups(needs: Needs) -> list[np.ndarray]:
    """The needs' indices, a category and a compound at a time."""
    order = np.lexsort((needs.compound, needs.category))
    keys = np.stack([needs.category[order], needs.compound[order]], axis=1)
    starts = np.flatnonzero(np.any(np.diff(keys, axis=0) != 0, axis=1)) + 1
    return np.split(order, starts)


def feasible_arcs(needs: Needs, providers: Providers, weights: Weights) -> Arcs:
    """All need–provider pairs that break no hard constraint, with their cost terms.

    Needs are taken a category and a compound at a time, against the providers
    offering that category in that compound, so the work follows the arcs that
    exist rather than needs × providers.
    """
    priority = priority_cost(needs, weights)
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    if len(needs) and len(providers):
        for group in _groups(needs):
            offers = providers.capacity > 0
            for constraint in PER_GROUP:
                offers &= constraint.holds(needs, providers, group[0], EVERY)
            candidates = np.flatnonzero(offers)
            if not len(candidates):
                continue
            column, row = group[:, None], candidates[None, :]
            ok = PER_PAIR[0].holds(needs, providers, column, row)
            for constraint in PER_PAIR[1:]:
                ok &= constraint.holds(needs, providers, column, row)
            rows, cols = np.nonzero(ok)
            parts.append((group[rows], candidates[cols]))
    if parts:
        need = np.concatenate([p[0] for p in parts]).astype(np.int64)
        provider = np.concatenate([p[1] for p in parts]).astype(np.int64)
    else:
        need = provider = np.zeros(0, dtype=np.int64)
    same_building = (needs.building[need] >= 0) & (
        needs.building[need] == providers.building[provider]
    )
    same_compound = (needs.compound[need] >= 0) & (
        needs.compound[need] == providers.compound[provider]
    )
    distance = np.where(
        same_building, 0, np.where(same_compound, weights.same_compound, weights.same_community)
    )
    fit = np.where(
        providers.main_category[provider] == needs.category[need], 0, weights.secondary_category
    )
    last = needs.last_provider[need]
    continuity = np.where((last >= 0) & (last != provider), weights.continuity, 0)
    return Arcs(
        need=need,
        provider=provider,
        distance=distance.astype(np.int64),
        fit=fit.astype(np.int64),
        priority=priority[need].astype(np.int64),
        continuity=continuity.astype(np.int64),
    )


def load_costs(capacity: np.ndarray, weights: Weights) -> tuple[np.ndarray, np.ndarray]:
    """(provider index, cost) of each place: a provider's k-th place costs k × load."""
    providers = np.repeat(np.arange(len(capacity)), capacity)
    starts = np.repeat(np.cumsum(capacity) - capacity, capacity)
    k = np.arange(len(providers)) - starts
    return providers.astype(np.int64), (k * weights.load).astype(np.int64)


def solve(needs: Needs, providers: Providers, weights: Weights | None = None) -> Result:
    """The assignment serving the most needs at the least cost among those."""
    from ortools.graph.python import min_cost_flow

    weights = weights or Weights()
    arcs = feasible_arcs(needs, providers, weights)
    n, m = len(needs), len(providers)
    place_provider, place_cost = load_costs(np.maximum(providers.capacity, 0), weights)
    p = len(place_provider)
    # Nodes: source 0, needs 1..n, providers n+1..n+m, places n+m+1..n+m+p, sink n+m+p+1.
    source, sink = 0, n + m + p + 1
    need_node = 1 + np.arange(n)
    provider_node = 1 + n + np.arange(m)
    place_node = 1 + n + m + np.arange(p)
    tails = np.concatenate(
        [
            np.full(n, source),
            need_node[arcs.need],
            provider_node[place_provider],
            place_node,
        ]
    )
    heads = np.concatenate([need_node, provider_node[arcs.provider], place_node, np.full(p, sink)])
    costs = np.concatenate([np.zeros(n), arcs.cost, place_cost, np.zeros(p)])
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32),
        heads.astype(np.int32),
        np.ones(len(tails), dtype=np.int64),
        costs.astype(np.int64),
    )
    # As much as can flow from the source to the sink: every need, at most.
    flow.set_node_supply(source, n)
    flow.set_node_supply(sink, -n)
    started = time.perf_counter()
    status = flow.solve_max_flow_with_min_cost()
    seconds = time.perf_counter() - started
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow ended with status {status}")
    # Arcs were added in order: n from the source, then the need–provider arcs.
    used = flow.flows(np.arange(n, n + len(arcs), dtype=np.int32)) if len(arcs) else np.zeros(0)
    chosen = np.flatnonzero(used)
    provider_of = np.full(n, -1, dtype=np.int64)
    arc_of = np.full(n, -1, dtype=np.int64)
    provider_of[arcs.need[chosen]] = arcs.provider[chosen]
    arc_of[arcs.need[chosen]] = chosen
    return Result(
        provider_of=provider_of,
        arc_of=arc_of,
        total_cost=int(flow.optimal_cost()),
        seconds_solver=seconds,
        arcs=arcs,
    )


def assignment_cost(
    provider_of: np.ndarray, arcs: Arcs, providers: Providers, weights: Weights
) -> int:
    """The cost of any assignment under the same model (arcs + load), for comparisons."""
    lookup = {
        (int(a), int(b)): int(c)
        for a, b, c in zip(arcs.need, arcs.provider, arcs.cost, strict=True)
    }
    total = 0
    counts = np.zeros(len(providers), dtype=np.int64)
    for need, provider in enumerate(provider_of):
        if provider >= 0:
            total += lookup[(need, int(provider))]
            counts[provider] += 1
    # The k-th place of a provider costs k × load: 0 + 1 + … + (c − 1).
    total += int((counts * (counts - 1) // 2 * weights.load).sum())
    return total


def greedy(needs: Needs, providers: Providers, weights: Weights | None = None) -> np.ndarray:
    """One request at a time, as the CiviCRM mutual-aid extension does: provider per need.

    Needs in the order raised (longest waiting first); each takes the cheapest
    provider with a place left, including the load of what it was given so far.
    """
    weights = weights or Weights()
    arcs = feasible_arcs(needs, providers, weights)
    order = np.argsort(arcs.need, kind="stable")
    need_sorted = arcs.need[order]
    bounds = np.searchsorted(need_sorted, np.arange(len(needs) + 1))
    left = providers.capacity.copy()
    given = np.zeros(len(providers), dtype=np.int64)
    provider_of = np.full(len(needs), -1, dtype=np.int64)
    for need in np.argsort(-needs.waited_days, kind="stable"):
        mine = order[bounds[need] : bounds[need + 1]]
        if not len(mine):
            continue
        candidates = arcs.provider[mine]
        cost = arcs.cost[mine] + given[candidates] * weights.load
        cost = np.where(left[candidates] > 0, cost, np.iinfo(np.int64).max)
        best = int(np.argmin(cost))
        if left[candidates[best]] <= 0:
            continue
        chosen = candidates[best]
        provider_of[need] = chosen
        left[chosen] -= 1
        given[chosen] += 1
    return provider_of


def reference(
    needs: Needs, providers: Providers, weights: Weights | None = None
) -> tuple[int, int]:
    """(matched, cost) by an independent exact method: linear programming (SciPy HiGHS).

    First the largest number of needs that can be served (SciPy's maximum
    flow), then the cheapest assignment serving that many, as a linear
    programme over the same network (network matrices are totally unimodular,
    so the optimum is whole). For checks on instances up to ~10,000 needs.
    """
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix, csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    weights = weights or Weights()
    arcs = feasible_arcs(needs, providers, weights)
    n, m = len(needs), len(providers)
    place_provider, place_cost = load_costs(np.maximum(providers.capacity, 0), weights)
    p = len(place_provider)
    if not len(arcs):
        return 0, 0
    # Maximum flow: source → needs → providers → sink (provider capacity).
    source, sink = n + m, n + m + 1
    rows = np.concatenate([np.full(n, source), arcs.need, n + np.arange(m)])
    cols = np.concatenate([np.arange(n), n + arcs.provider, np.full(m, sink)])
    caps = np.concatenate([np.ones(n), np.ones(len(arcs)), np.maximum(providers.capacity, 0)])
    graph = csr_matrix((caps.astype(np.int32), (rows, cols)), shape=(n + m + 2, n + m + 2))
    most = int(maximum_flow(graph, source, sink).flow_value)
    # Variables: x (need–provider arcs), y (provider places). Minimise cost.
    a, variables = len(arcs), len(arcs) + p
    c = np.concatenate([arcs.cost, place_cost]).astype(float)
    # Each need served at most once.
    need_rows = coo_matrix((np.ones(a), (arcs.need, np.arange(a))), shape=(n, variables))
    # Flow conservation at providers: Σ x into provider − Σ y of its places = 0.
    conservation = coo_matrix(
        (
            np.concatenate([np.ones(a), -np.ones(p)]),
            (np.concatenate([arcs.provider, place_provider]), np.arange(variables)),
        ),
        shape=(m, variables),
    )
    total = coo_matrix((np.ones(a), (np.zeros(a), np.arange(a))), shape=(1, variables))
    from scipy.sparse import vstack

    result = linprog(
        c,
        A_ub=need_rows.tocsr(),
        b_ub=np.ones(n),
        A_eq=vstack([conservation, total]).tocsr(),
        b_eq=np.concatenate([np.zeros(m), [most]]),
        bounds=(0, 1),
        method="highs",
    )
    if result.status != 0:
        raise RuntimeError(f"reference LP failed: {result.message}")
    return most, round(result.fun)


def explain(needs: Needs, providers: Providers, result: Result) -> tuple[np.ndarray, np.ndarray]:
    """(reason, candidates) per need: why an unmatched need was not served, and for
    every need how many providers meet its hard constraints (places left or not).

    The reason is the first that applies: no provider of the category at all;
    none covering the compound; none free on the asked days and hours; none the
    resident consented to (individuals and enterprises); else the capacity of
    those that fit went to other needs. Matched needs get "".
    """
    n = len(needs)
    reason = np.full(n, "", dtype=object)
    candidates = np.zeros(n, dtype=np.int64)
    if not n:
        return reason, candidates
    for group in _groups(needs):
        offers = np.ones(len(providers), bool)
        for constraint in PER_GROUP:
            offers &= constraint.holds(needs, providers, group[0], EVERY)
            if not offers.any():
                reason[group] = constraint.reason
                break
        else:
            chosen = np.flatnonzero(offers)
            allowed = np.ones((len(group), len(chosen)), bool)
            why = np.full(len(group), CAPACITY, dtype=object)
            undecided = np.ones(len(group), bool)
            for constraint in PER_PAIR:
                allowed &= constraint.holds(needs, providers, group[:, None], chosen[None, :])
                emptied = undecided & ~allowed.any(axis=1)
                why[emptied] = constraint.reason
                undecided &= ~emptied
            candidates[group] = allowed.sum(axis=1)
            reason[group] = why
    reason[result.provider_of >= 0] = ""
    return reason, candidates


def load_terms(result: Result, weights: Weights) -> np.ndarray:
    """Per need, the load cost of the place it was given (0 for a provider's first)."""
    load = np.zeros(len(result.provider_of), dtype=np.int64)
    matched = np.flatnonzero(result.provider_of >= 0)
    if not len(matched):
        return load
    by_provider = matched[np.argsort(result.provider_of[matched], kind="stable")]
    providers = result.provider_of[by_provider]
    first = np.searchsorted(providers, providers)  # index of each provider's first need
    load[by_provider] = (np.arange(len(by_provider)) - first) * weights.load
    return load
