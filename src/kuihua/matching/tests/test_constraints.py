"""One definition of the hard constraints: the solver and the coordinator's choice agree.

A run proposes a provider only where `solver.feasible_arcs` has the arc; a
coordinator's own choice is refused by `services.hard_constraint_problem`. Both
read `solver.HARD_CONSTRAINTS`; this test holds them to each other on pairs that
break each constraint in turn, so a change to one side alone fails here.
"""

import itertools

import numpy as np
import pytest

from kuihua.matching import runs, services, solver
from kuihua.matching.models import ALL_DAYS, WEEKDAYS, Need, ProviderType, ServiceOffer
from kuihua.matching.tests.factories import category, need, organization_offer, resident_at
from kuihua.registry.models import Consent
from kuihua.registry.services import consent_record
from kuihua.registry.tests.factories import BuildingFactory, CompoundFactory

pytestmark = pytest.mark.django_db

MORNING, EVENING = 0b001, 0b100
WEEKEND = ALL_DAYS & ~WEEKDAYS


@pytest.fixture
def world(in_community):
    """Needs and offers that meet and break each hard constraint, in several combinations."""
    here = BuildingFactory(compound=CompoundFactory(community=in_community))
    there = BuildingFactory(compound=CompoundFactory(community=in_community))
    volunteer = resident_at(there)
    offers = [
        organization_offer(in_community, compounds=[here.compound], days=WEEKDAYS, slots=MORNING),
        organization_offer(in_community, code="companionship", serves_all=True, days=WEEKEND),
        services.offer_create(
            actor=None,
            provider_type=ProviderType.VOLUNTEER,
            volunteer=volunteer,
            name="陪伴",
            main_category=category("companionship"),
            categories=[category("meal_delivery")],
            compounds=[there.compound],
            slots=EVENING,
        ),
        services.offer_create(
            actor=None,
            provider_type=ProviderType.VOLUNTEER,
            volunteer=volunteer,
            name="理发",
            main_category=category("haircut"),
            serves_all=True,
        ),
    ]
    needs = []
    for building, code, days, slots, consent in itertools.product(
        (here, there),
        ("meal_delivery", "companionship", "haircut"),
        (WEEKDAYS, WEEKEND, ALL_DAYS),
        (MORNING, EVENING),
        (True, False),
    ):
        needs.append(
            need(
                resident_at(building),
                code=code,
                days=days,
                slots=slots,
                consent_to_share=consent,
            )
        )
    # Where the resident lives is unknown for one; another took their consent back.
    Need.objects.filter(pk=needs[0].pk).update(compound=None, building=None)
    consent_record(
        actor=None,
        resident=needs[2].resident,
        purpose=Consent.Purpose.SHARE_WITH_PROVIDER,
        granted=False,
        method=Consent.Method.PAPER,
    )
    return offers


def test_a_coordinator_may_choose_exactly_the_providers_a_run_could_propose(world):
    need_ids, offer_ids, needs, providers = runs.load_problem()
    arcs = solver.feasible_arcs(needs, providers, solver.Weights())
    proposable = set(
        zip(need_ids[arcs.need].tolist(), offer_ids[arcs.provider].tolist(), strict=True)
    )

    refused = {}
    for one in Need.objects.select_related("category"):
        for offer in ServiceOffer.objects.all():
            problem = services.hard_constraint_problem(one, offer)
            assert (problem is None) == ((one.pk, offer.pk) in proposable), (one.pk, offer.pk)
            refused.setdefault(problem, 0)
            refused[problem] = refused[problem] + 1

    # Every constraint was broken by some pair, and some pairs broke none.
    reasons = {text for text in refused if text}
    assert None in refused
    assert {"该服务方不覆盖居民所在小区", "该服务方在居民希望的日期和时段没空"} <= reasons
    assert "居民未同意提供联系方式，只能由组织或机构服务" in reasons
    assert any(text.startswith("该服务方不提供") for text in reasons)


def test_an_offer_that_stopped_taking_orders_is_neither_proposed_nor_chosen(world):
    paused = world[0]
    ServiceOffer.objects.filter(pk=paused.pk).update(active=False)
    paused.refresh_from_db()

    _need_ids, offer_ids, _needs, _providers = runs.load_problem()

    assert paused.pk not in offer_ids.tolist()
    for one in Need.objects.select_related("category"):
        assert services.hard_constraint_problem(one, paused) == "该服务方已暂停接单"


def test_every_constraint_of_the_solver_has_a_message_for_the_coordinator():
    reasons = [constraint.reason for constraint in solver.HARD_CONSTRAINTS]

    assert set(reasons) == set(services.CONSTRAINT_PROBLEMS)
    # A need's reason follows the table's order, which puts the per-group ones first.
    assert solver.HARD_CONSTRAINTS == solver.PER_GROUP + solver.PER_PAIR
    assert reasons == [solver.NO_CATEGORY, solver.NO_AREA, solver.NO_TIME, solver.NO_CONSENT]


def test_a_constraint_holds_alike_for_one_pair_and_for_arrays():
    needs = solver.Needs(
        category=np.array([0, 1, 0]),
        compound=np.array([0, -1, 1]),
        building=np.array([0, -1, 2]),
        days=np.array([1, 2, 3]),
        slots=np.array([1, 2, 4]),
        urgency=np.array([2, 2, 2]),
        waited_days=np.array([0, 0, 0]),
        consent=np.array([True, False, True]),
        last_provider=np.array([-1, -1, -1]),
    )
    providers = solver.Providers(
        main_category=np.array([0, 1]),
        categories=np.array([[True, False], [True, True]]),
        serves_all=np.array([False, True]),
        compounds=np.array([[True, False], [False, False]]),
        compound=np.array([0, 1]),
        building=np.array([0, 2]),
        days=np.array([1, 6]),
        slots=np.array([7, 4]),
        capacity=np.array([1, 1]),
        institutional=np.array([False, True]),
    )
    rows, cols = np.arange(3)[:, None], np.arange(2)[None, :]
    for constraint in solver.HARD_CONSTRAINTS:
        table = constraint.holds(needs, providers, rows, cols)
        for i, j in itertools.product(range(3), range(2)):
            one = constraint.holds(needs, providers, np.array([i]), np.array([j]))
            assert bool(one.all()) == bool(table[i, j]), (constraint.reason, i, j)
        if constraint.per_group:
            for i in range(3):
                every = constraint.holds(needs, providers, i, solver.EVERY)
                assert every.tolist() == table[i].tolist(), (constraint.reason, i)
