"""The matcher is optimal and never breaks a hard constraint.

Optimality: on small instances, against brute force over every assignment.
Hard constraints: on random instances (hypothesis), every proposed pair meets
them and no provider gets more needs than its places.
"""

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kuihua.matching import solver as S

W = S.Weights()


def _instance(draw_or_rng, n, m, *, categories=3, compounds=3, buildings_per=2):
    rng = draw_or_rng
    nb = compounds * buildings_per
    need_building = rng.integers(0, nb, n)
    provider_building = rng.integers(0, nb, m)
    offered = rng.random((m, categories)) < 0.5
    main = rng.integers(0, categories, m)
    offered[np.arange(m), main] = True
    served = rng.random((m, compounds)) < 0.5
    served[np.arange(m), provider_building // buildings_per] = True
    needs = S.Needs(
        category=rng.integers(0, categories, n),
        compound=need_building // buildings_per,
        building=need_building,
        days=rng.integers(1, 128, n),
        slots=rng.integers(1, 8, n),
        urgency=rng.integers(1, 5, n),
        waited_days=rng.integers(0, 40, n),
        consent=rng.random(n) < 0.7,
        last_provider=np.where(rng.random(n) < 0.3, rng.integers(0, max(m, 1), n), -1),
    )
    providers = S.Providers(
        main_category=main,
        categories=offered,
        serves_all=rng.random(m) < 0.15,
        compounds=served,
        compound=provider_building // buildings_per,
        building=provider_building,
        days=rng.integers(1, 128, m),
        slots=rng.integers(1, 8, m),
        capacity=rng.integers(0, 3, m),
        institutional=rng.random(m) < 0.4,
    )
    return needs, providers


def _feasible(needs, providers, i, j) -> bool:
    c, k = needs.category[i], needs.compound[i]
    return bool(
        providers.categories[j, c]
        and (providers.serves_all[j] or (k >= 0 and providers.compounds[j, k]))
        and needs.days[i] & providers.days[j]
        and needs.slots[i] & providers.slots[j]
        and (needs.consent[i] or providers.institutional[j])
        and providers.capacity[j] > 0
    )


def _brute_force(needs, providers):
    """(most needs served, least cost among those) over every assignment."""
    n, m = len(needs), len(providers)
    arcs = S.feasible_arcs(needs, providers, W)
    options = [[-1] + [j for j in range(m) if _feasible(needs, providers, i, j)] for i in range(n)]
    best = (-1, 0)
    for choice in itertools.product(*options):
        counts = np.bincount([j for j in choice if j >= 0], minlength=m)
        if (counts > providers.capacity).any():
            continue
        served = sum(j >= 0 for j in choice)
        cost = S.assignment_cost(np.array(choice), arcs, providers, W)
        if served > best[0] or (served == best[0] and cost < best[1]):
            best = (served, cost)
    return best


@pytest.mark.parametrize("seed", range(12))
def test_the_match_is_optimal_against_brute_force_on_small_instances(seed):
    needs, providers = _instance(np.random.default_rng(seed), n=6, m=3)

    result = S.solve(needs, providers, W)

    assert (result.matched, result.total_cost) == _brute_force(needs, providers)
    assert result.total_cost == S.assignment_cost(result.provider_of, result.arcs, providers, W)


@pytest.mark.parametrize("seed", range(3))
def test_the_match_agrees_with_an_independent_linear_programme(seed):
    needs, providers = _instance(np.random.default_rng(100 + seed), n=300, m=60)

    result = S.solve(needs, providers, W)

    assert (result.matched, result.total_cost) == S.reference(needs, providers, W)
    assert result.matched >= (S.greedy(needs, providers, W) >= 0).sum()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 40),
    m=st.integers(0, 12),
    compounds=st.integers(1, 4),
)
def test_no_proposal_ever_breaks_a_hard_constraint(seed, n, m, compounds):
    needs, providers = _instance(np.random.default_rng(seed), n=n, m=m, compounds=compounds)

    result = S.solve(needs, providers, W)

    for i, j in enumerate(result.provider_of):
        if j >= 0:
            assert _feasible(needs, providers, i, int(j)), (i, j)
    given_out = np.bincount(result.provider_of[result.provider_of >= 0], minlength=m)
    assert (given_out <= providers.capacity).all()
    # serving as many as possible: no unmatched need has a feasible provider with a place left
    left = providers.capacity - given_out
    for i in np.flatnonzero(result.provider_of < 0):
        assert not any(_feasible(needs, providers, i, j) and left[j] > 0 for j in range(m))


def _one(**overrides):
    values = dict(
        category=[0],
        compound=[0],
        building=[0],
        days=[0b1],
        slots=[0b1],
        urgency=[2],
        waited_days=[0],
        consent=[True],
        last_provider=[-1],
    )
    values.update(overrides)
    return S.Needs(**{k: np.array(v) for k, v in values.items()})


def _providers(**overrides):
    values = dict(
        main_category=[0],
        categories=[[True, False]],
        serves_all=[False],
        compounds=[[True, False]],
        compound=[0],
        building=[1],
        days=[0b1],
        slots=[0b1],
        capacity=[1],
        institutional=[False],
    )
    values.update(overrides)
    return S.Providers(**{k: np.array(v) for k, v in values.items()})


@pytest.mark.parametrize(
    ("needs", "providers", "reason"),
    [
        (_one(category=[1]), _providers(), S.NO_CATEGORY),
        (_one(compound=[1], building=[3]), _providers(), S.NO_AREA),
        (_one(days=[0b10]), _providers(), S.NO_TIME),
        (_one(slots=[0b100]), _providers(), S.NO_TIME),
        (_one(consent=[False]), _providers(), S.NO_CONSENT),
        (_one(), _providers(capacity=[0]), S.CAPACITY),
        (
            S.Needs(**{k: np.concatenate([v, v]) for k, v in vars(_one()).items()}),
            _providers(),
            S.CAPACITY,
        ),
    ],
    ids=["category", "area", "day", "hour", "consent", "full", "taken-by-another"],
)
def test_an_unmatched_need_is_explained_by_the_first_reason_that_applies(needs, providers, reason):
    result = S.solve(needs, providers, W)

    reasons, _candidates = S.explain(needs, providers, result)

    [unmatched] = np.flatnonzero(result.provider_of < 0)
    assert reasons[unmatched] == reason


def test_a_need_without_consent_goes_to_an_institution_not_an_individual():
    providers = _providers(
        main_category=[0, 0],
        categories=[[True, False]] * 2,
        serves_all=[False, False],
        compounds=[[True, False]] * 2,
        compound=[0, 0],
        building=[0, 1],
        days=[1, 1],
        slots=[1, 1],
        capacity=[1, 1],
        institutional=[False, True],
    )

    result = S.solve(_one(consent=[False]), providers, W)

    assert result.provider_of.tolist() == [1]  # not the individual next door (building 0)


def test_the_cost_terms_prefer_the_same_building_then_last_times_provider():
    providers = _providers(
        main_category=[0, 0, 0],
        categories=[[True, False]] * 3,
        serves_all=[True, True, True],
        compounds=[[True, False]] * 3,
        compound=[0, 0, 1],
        building=[1, 0, 2],
        days=[1, 1, 1],
        slots=[1, 1, 1],
        capacity=[1, 1, 1],
        institutional=[True, True, True],
    )

    assert S.solve(_one(), providers, W).provider_of.tolist() == [1]  # same building
    # last time's provider (another compound) wins only when continuity outweighs distance
    strong = S.Weights(continuity=100)
    assert S.solve(_one(last_provider=[2]), providers, strong).provider_of.tolist() == [2]


def test_when_places_are_short_the_urgent_and_long_waiting_are_served_first():
    needs = _one(
        category=[0, 0, 0],
        compound=[0, 0, 0],
        building=[0, 0, 0],
        days=[1, 1, 1],
        slots=[1, 1, 1],
        urgency=[1, 4, 2],
        waited_days=[0, 0, 20],
        consent=[True, True, True],
        last_provider=[-1, -1, -1],
    )
    providers = _providers(capacity=[2])

    result = S.solve(needs, providers, W)

    assert result.provider_of.tolist() == [-1, 0, 0]


def test_load_is_spread_across_providers():
    needs = _one(**{k: [v[0]] * 2 for k, v in vars(_one()).items()})
    providers = _providers(
        main_category=[0, 0],
        categories=[[True, False]] * 2,
        serves_all=[True, True],
        compounds=[[True, False]] * 2,
        compound=[0, 0],
        building=[0, 0],
        days=[1, 1],
        slots=[1, 1],
        capacity=[2, 2],
        institutional=[True, True],
    )

    result = S.solve(needs, providers, W)

    assert sorted(result.provider_of.tolist()) == [0, 1]
    assert S.load_terms(result, W).tolist() == [0, 0]
