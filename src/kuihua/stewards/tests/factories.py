"""A self-managed compound with homes, books, a steward and a fee schedule."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.registry.models import Compound, Household
from kuihua.registry.tests.factories import BuildingFactory, CompoundFactory, HouseholdFactory
from kuihua.stewards import services
from kuihua.stewards.models import CompoundBooks, FeeSchedule, StewardAssignment

_keys = itertools.count(1)


def new_key() -> str:
    """A fresh idempotency key, as a page or a client makes one per payment form."""
    return f"test-key-{next(_keys):08d}"


@dataclass
class StewardWorld:
    compound: Compound
    homes: list[Household]
    books: CompoundBooks
    steward: object
    assignment: StewardAssignment
    schedule: FeeSchedule | None


def steward_world(
    community,
    coordinator,
    *,
    homes: int = 4,
    name: str = "红旗新村",
    basis: str = FeeSchedule.Basis.PER_HOME,
    monthly_rate_fen: int = 3000,
    frequency: str = FeeSchedule.Frequency.MONTHLY,
    schedule_from=None,
    steward_username: str | None = None,
    compound: Compound | None = None,
) -> StewardWorld:
    """A compound without a property company, `homes` homes of 80 m², its books opened,
    a steward assigned, and a fee schedule from the start of last year (so this
    year's and last year's periods can be billed). Given a `compound`, that one
    becomes self-managed and keeps its own homes."""
    if compound is None:
        compound = CompoundFactory(community=community, name=name, has_property_company=False)
        building = BuildingFactory(compound=compound, name="1幢")
        made = [
            HouseholdFactory(building=building, room=f"{101 + i}", exclusive_area=Decimal("80.00"))
            for i in range(homes)
        ]
    else:
        Compound.objects.filter(pk=compound.pk).update(has_property_company=False)
        compound.has_property_company = False
        made = list(Household.objects.filter(building__compound=compound).order_by("pk"))
    books = services.books_open(compound=compound, actor=coordinator)
    steward = UserFactory(
        username=steward_username or f"steward-{compound.pk}",
        role=Role.STEWARD,
        community=community,
        display_name="义管家老周",
    )
    assignment = services.steward_assign(compound=compound, steward=steward, actor=coordinator)
    start = schedule_from or dt.date(timezone.localdate().year - 1, 1, 1)
    schedule = services.schedule_set(
        compound=compound,
        actor=coordinator,
        basis=basis,
        monthly_rate_fen=monthly_rate_fen,
        frequency=frequency,
        starts_on=start,
        hardship_reduction_percent=50,
    )
    return StewardWorld(compound, made, books, steward, assignment, schedule)


def stewards_isolation_world(*, community, coordinator) -> dict:
    """One of each stewards object in `community`, for the isolation walk: a steward's
    assignment, a bill, a payment on it, and an expense entry of the books.

    The walk names a compound and a home by its resident's (`compound_id`,
    `household_id`): the books are kept in the compound of the home that has an owner
    on record (the walk's resident's), so its GETs of our own ids reach them."""
    from kuihua.ledger.services import account
    from kuihua.registry.models import Ownership
    from kuihua.stewards.models import Bill

    owned = (
        Ownership.objects.filter(household__building__compound__community=community)
        .select_related("household__building__compound")
        .order_by("pk")
        .first()
    )
    world = steward_world(
        community,
        coordinator,
        homes=1,
        name=f"{coordinator.username}义管小区",
        steward_username=f"{coordinator.username}-steward",
        compound=owned.household.building.compound if owned else None,
    )
    home = owned.household if owned else world.homes[0]
    services.billing_run(
        compound=world.compound, period_start=timezone.localdate().replace(day=1), actor=coordinator
    )
    bill = Bill.objects.get(household=home)
    payment, _created = services.payment_record(
        compound=world.compound,
        household=home,
        amount_fen=1000,
        method="cash",
        idempotency_key=new_key(),
        actor=world.steward,
    )
    entry = services.cash_entry_post(
        compound=world.compound,
        account=account(world.books.ledger, "5001"),
        amount_fen=500,
        method="cash",
        date=timezone.localdate(),
        memo="楼道保洁",
        actor=world.steward,
    )
    return {
        "assignment": world.assignment,
        "bill": bill,
        "payment": payment,
        "entry": entry,
        "steward": world.steward,
    }
