"""The matching run: read every open need and free place, solve, explain, write.

Reading and solving happen outside the write transaction (solver.py is pure NumPy
and OR-Tools, no Django); the write takes the community's row lock, so two runs at
once never interleave their proposals. See docs/adr/0006-matching.md.
"""

from __future__ import annotations

import itertools
import time

import numpy as np
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from kuihua.core.audit import audit
from kuihua.core.models import Community
from kuihua.core.tenancy import current_community_ids
from kuihua.matching import solver
from kuihua.matching.models import (
    MatchRun,
    Need,
    Proposal,
    ProviderType,
    ServiceCategory,
    ServiceDelivery,
    ServiceOffer,
)
from kuihua.matching.services import HOLDING, UPDATE_CHUNK
from kuihua.registry.models import Consent
from kuihua.registry.selectors import consent_in_force


def _index(ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Positions of `values` in the sorted `ids` (-1 where absent or None)."""
    values = np.asarray([-1 if v is None else v for v in values], dtype=np.int64)
    if not len(ids):
        return np.full(len(values), -1, dtype=np.int64)
    where = np.searchsorted(ids, values)
    where = np.minimum(where, len(ids) - 1)
    return np.where(ids[where] == values, where, -1)


def _links(through, other: str, offers, offer_ids: np.ndarray, others: np.ndarray) -> np.ndarray:
    """offer × other boolean matrix from a many-to-many table of `offers`.

    The table itself is not community-owned, so it is read through the scoped
    offers; a pair naming an id outside the arrays is dropped, never wrapped
    round to the last row by a -1 index.
    """
    links = np.zeros((len(offer_ids), len(others)), bool)
    rows = through.objects.filter(serviceoffer__in=offers).values_list("serviceoffer_id", other)
    pairs = np.array(list(rows), np.int64)
    if len(pairs):
        i, j = _index(offer_ids, pairs[:, 0]), _index(others, pairs[:, 1])
        keep = (i >= 0) & (j >= 0)
        links[i[keep], j[keep]] = True
    return links


def load_problem(*, now=None):
    """Read every open need and all free capacity into the solver's arrays.

    Returns (need ids, offer ids, Needs, Providers). Proposed needs not yet
    accepted are matched again; an offer's places are its weekly capacity less
    the needs it holds matched or in service.
    """
    from kuihua.registry.models import Building, Compound

    now = now or timezone.now()
    categories = np.array(sorted(ServiceCategory.objects.values_list("pk", flat=True)), np.int64)
    compounds = np.array(sorted(Compound.objects.values_list("pk", flat=True)), np.int64)
    buildings = np.array(sorted(Building.objects.values_list("pk", flat=True)), np.int64)

    offer_rows = list(
        ServiceOffer.objects.filter(active=True)
        .order_by("pk")
        .values_list(
            "pk",
            "main_category_id",
            "serves_all",
            "base_compound_id",
            "base_building_id",
            "days",
            "slots",
            "capacity_per_week",
            "provider_type",
        )
    )
    offer_ids = np.array([r[0] for r in offer_rows], np.int64)
    active = ServiceOffer.objects.filter(active=True)
    offered = _links(
        ServiceOffer.categories.through, "servicecategory_id", active, offer_ids, categories
    )
    served = _links(ServiceOffer.compounds.through, "compound_id", active, offer_ids, compounds)
    holding = dict(
        Need.objects.filter(status__in=HOLDING, provider__isnull=False)
        .values_list("provider_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    capacity = np.array([r[7] - holding.get(r[0], 0) for r in offer_rows], np.int64).clip(min=0)
    institutional = {ProviderType.ORGANIZATION, ProviderType.GOVERNMENT, ProviderType.INSTITUTION}
    providers = solver.Providers(
        main_category=_index(categories, [r[1] for r in offer_rows]),
        categories=offered,
        serves_all=np.array([r[2] for r in offer_rows], bool),
        compounds=served,
        compound=_index(compounds, [r[3] for r in offer_rows]),
        building=_index(buildings, [r[4] for r in offer_rows]),
        days=np.array([r[5] for r in offer_rows], np.int64),
        slots=np.array([r[6] for r in offer_rows], np.int64),
        capacity=capacity,
        institutional=np.array([r[8] in institutional for r in offer_rows], bool),
    )

    need_rows = list(
        Need.objects.filter(status__in=(Need.Status.OPEN, Need.Status.PROPOSED))
        .annotate(share_now=consent_in_force(Consent.Purpose.SHARE_WITH_PROVIDER))
        .order_by("pk")
        .values_list(
            "pk",
            "category_id",
            "compound_id",
            "building_id",
            "days",
            "slots",
            "urgency",
            "created_at",
            "consent_to_share",
            "resident_id",
            "share_now",
        )
    )
    # Last time's provider per resident and category (the latest delivery wins).
    last = {
        (resident, category): offer
        for resident, category, offer in ServiceDelivery.objects.filter(offer__isnull=False)
        .order_by("delivered_at", "id")
        .values_list("resident_id", "category_id", "offer_id")
    }
    need_ids = np.array([r[0] for r in need_rows], np.int64)
    needs = solver.Needs(
        category=_index(categories, [r[1] for r in need_rows]),
        compound=_index(compounds, [r[2] for r in need_rows]),
        building=_index(buildings, [r[3] for r in need_rows]),
        days=np.array([r[4] for r in need_rows], np.int64),
        slots=np.array([r[5] for r in need_rows], np.int64),
        urgency=np.array([r[6] for r in need_rows], np.int64),
        waited_days=np.array([(now - r[7]).days for r in need_rows], np.int64),
        consent=np.array([r[8] and r[10] is not False for r in need_rows], bool),
        last_provider=_index(offer_ids, [last.get((r[9], r[1])) for r in need_rows]),
    )
    return need_ids, offer_ids, needs, providers


PROPOSAL_COLUMNS = (
    "community_id",
    "run_id",
    "status",
    "need_id",
    "offer_id",
    "cost",
    "cost_distance",
    "cost_fit",
    "cost_priority",
    "cost_continuity",
    "cost_load",
    "reason",
    "candidates",
)


def _proposals_write(rows) -> None:
    """Insert a run's proposals (tuples in PROPOSAL_COLUMNS order) with executemany.

    A run writes one row per open need, 100,000 in the benchmark: model instances
    and bulk_create's per-field preparation cost more than the solve. The values
    are plain integers and strings computed above, the community the one in force.
    """
    table = connection.ops.quote_name(Proposal._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in PROPOSAL_COLUMNS)
    marks = ", ".join(["%s"] * len(PROPOSAL_COLUMNS))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - names from _meta
    rows = list(rows)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def match_run(*, actor, weights: solver.Weights | None = None) -> MatchRun:
    """Match every open need to the free capacity, optimally; store the proposals.

    Reading and solving happen outside the write transaction (on SQLite it would
    hold every writer back); the write replaces the proposals still pending and
    marks as proposed only needs that are still open or proposed. Acceptance
    re-checks every constraint under locks, so a proposal that went stale
    meanwhile is refused, never applied.
    """
    weights = weights or solver.Weights()
    started = time.perf_counter()
    need_ids, offer_ids, needs, providers = load_problem()
    result = solver.solve(needs, providers, weights)
    reasons, candidates = solver.explain(needs, providers, result)
    load = solver.load_terms(result, weights)
    arcs, arc_of = result.arcs, result.arc_of
    matched = arc_of >= 0
    picked = np.where(matched, arc_of, 0)

    def term(values: np.ndarray) -> np.ndarray:
        return np.where(matched, values[picked] if len(values) else 0, 0)

    distance, fit = term(arcs.distance), term(arcs.fit)
    priority, continuity = term(arcs.priority), term(arcs.continuity)
    offer_of = np.where(
        matched, offer_ids[np.maximum(result.provider_of, 0)] if len(offer_ids) else 0, 0
    )
    [community_id] = current_community_ids()
    with transaction.atomic():
        # One run at a time per community: the second waits for the first to commit.
        Community.objects.select_for_update().filter(pk=community_id).exists()
        run = MatchRun.objects.create(
            by=actor if getattr(actor, "pk", None) else None,
            weights=weights.as_dict(),
            needs=len(need_ids),
            providers=int((providers.capacity > 0).sum()),
            matched=result.matched,
            total_cost=result.total_cost,
            seconds_solver=result.seconds_solver,
        )
        Proposal.objects.filter(status=Proposal.Status.PROPOSED).update(
            status=Proposal.Status.SUPERSEDED
        )
        Need.objects.filter(status=Need.Status.PROPOSED).update(status=Need.Status.OPEN)
        total = distance + fit + priority + continuity + load
        _proposals_write(
            zip(
                itertools.repeat(community_id),
                itertools.repeat(run.pk),
                itertools.repeat(Proposal.Status.PROPOSED),
                need_ids.tolist(),
                [int(o) if m else None for o, m in zip(offer_of, matched, strict=True)],
                total.tolist(),
                distance.tolist(),
                fit.tolist(),
                priority.tolist(),
                continuity.tolist(),
                load.tolist(),
                reasons.tolist(),
                candidates.tolist(),
                strict=False,
            )
        )
        # By the ids at hand, in chunks: a subquery on the proposals just written
        # would be planned without statistics (PostgreSQL chose a nested loop).
        proposed_ids = need_ids[matched].tolist()
        stamp = timezone.now()
        for start in range(0, len(proposed_ids), UPDATE_CHUNK):
            Need.objects.filter(
                status=Need.Status.OPEN, pk__in=proposed_ids[start : start + UPDATE_CHUNK]
            ).update(status=Need.Status.PROPOSED, updated_at=stamp)
        run.seconds_total = time.perf_counter() - started
        run.save(update_fields=["seconds_total"])
        audit(
            actor=actor,
            community_id=community_id,
            action="match.run",
            obj=run,
            new={"needs": run.needs, "matched": run.matched, "cost": run.total_cost},
        )
    return run
