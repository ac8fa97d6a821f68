"""The charity market for tests: the monthly market series, a market day on its next
occurrence, an organization's stall with goods and a service, a leader who sells,
and a resident holding points.

Factories make rows directly (for states the services would refuse to make);
`market_world` goes through the services as a coordinator would.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

import factory
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.activities.models import Activity, Series
from kuihua.activities.tests.factories import ActivityFactory
from kuihua.market import services
from kuihua.market.models import MarketDay, Stall, StallItem
from kuihua.organizations.models import Membership, Organization
from kuihua.organizations.tests.factories import MembershipFactory, OrganizationFactory
from kuihua.registry.models import Resident
from kuihua.registry.tests.factories import CommunityFactory, ResidentFactory
from kuihua.service_records.models import PointsEntry
from kuihua.service_records.services import volunteer_profile_ensure

_keys = itertools.count(1)


def new_key() -> str:
    """A fresh idempotency key, as the stall's phone makes one per sale form."""
    return f"sale-key-{next(_keys):08d}"


def _next_saturday_9am() -> dt.datetime:
    now = timezone.localtime()
    days = (5 - now.weekday()) % 7 or 7
    day = (now + dt.timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)
    return day


def market_series(organization: Organization) -> Series:
    """The community's monthly market series (first Saturday of the month)."""
    return Series.objects.create(
        community_id=organization.community_id,
        organization=organization,
        title="爱心集市",
        rule="FREQ=MONTHLY;BYDAY=1SA",
        template={"title": "爱心集市", "address": "社区广场"},
    )


class MarketDayFactory(factory.django.DjangoModelFactory):
    """A market day on a published occurrence of the monthly market series, a Saturday ahead."""

    class Meta:
        model = MarketDay

    community = factory.SubFactory(CommunityFactory)
    activity = factory.LazyAttribute(
        lambda o: ActivityFactory(
            community=o.community,
            organization=(org := OrganizationFactory(community=o.community)),
            series=market_series(org),
            title="爱心集市",
            address="社区广场",
            starts_at=_next_saturday_9am(),
        )
    )
    date = factory.LazyAttribute(lambda o: timezone.localtime(o.activity.starts_at).date())


class StallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stall

    market_day = factory.SubFactory(MarketDayFactory)
    community = factory.SelfAttribute("market_day.community")
    organization = factory.LazyAttribute(lambda o: OrganizationFactory(community=o.community))
    name = factory.LazyAttribute(lambda o: f"{o.organization.name}摊位")
    number = factory.Sequence(lambda n: n + 1)


class StallItemFactory(factory.django.DjangoModelFactory):
    """手工拖鞋: ¥15 or 10 points, 20 in stock."""

    class Meta:
        model = StallItem

    stall = factory.SubFactory(StallFactory)
    community = factory.SelfAttribute("stall.community")
    name = factory.Sequence(lambda n: f"手工拖鞋{n}")
    kind = StallItem.Kind.GOODS
    price_fen = 1500
    price_points = Decimal("10.00")
    stock = 20


def points_give(resident: Resident, points, *, note: str = "服务获得") -> PointsEntry:
    """Credit `points` to `resident` (as verified service would), with their volunteer profile."""
    volunteer_profile_ensure(resident=resident)
    return PointsEntry.objects.create(
        community_id=resident.community_id,
        resident=resident,
        kind=PointsEntry.Kind.EARN,
        points=Decimal(str(points)),
        note=note,
    )


def leader_of(organization: Organization, *, username: str | None = None):
    """A leader of `organization` with an account (role org_leader): a stall holder."""
    membership = MembershipFactory(organization=organization, role=Membership.Role.LEADER)
    extra = {"username": username} if username else {}
    return UserFactory(
        role=Role.ORG_LEADER,
        community=organization.community,
        resident=membership.resident,
        display_name="摊主老王",
        **extra,
    )


def resident_with_account(community, *, username: str | None = None, **fields):
    resident = ResidentFactory(household__building__compound__community=community, **fields)
    extra = {"username": username} if username else {}
    user = UserFactory(role=Role.VOLUNTEER, community=community, resident=resident, **extra)
    return resident, user


@dataclass
class MarketWorld:
    organization: Organization
    activity: Activity
    market_day: MarketDay
    stall: Stall
    goods: StallItem  # ¥15 or 10 points, 20 in stock
    service: StallItem  # 磨剪刀: ¥5, no stock kept, not for points
    by_points: StallItem  # 爱心兑换券: 1 point, no stock kept
    leader: object
    buyer: Resident
    buyer_user: object


def market_world(
    community,
    coordinator,
    *,
    points=Decimal("50"),
    prefix: str = "mkt",
    organization: Organization | None = None,
) -> MarketWorld:
    """The monthly market's next occurrence opened as a market day by `coordinator`, an
    organization's stall with three items, its leader, and a buyer holding `points`."""
    organization = organization or OrganizationFactory(community=community, name=f"{prefix}手工坊")
    activity = ActivityFactory(
        community=community,
        organization=organization,
        series=market_series(organization),
        title="爱心集市",
        address="社区广场",
        starts_at=_next_saturday_9am(),
    )
    day = services.market_day_open(actor=coordinator, activity=activity)
    stall = services.stall_add(
        actor=coordinator, market_day=day, organization=organization, name="手工坊", number=1
    )
    goods = services.item_add(
        actor=coordinator,
        stall=stall,
        name="手工拖鞋",
        price_fen=1500,
        price_points=Decimal("10"),
        stock=20,
    )
    service = services.item_add(
        actor=coordinator, stall=stall, name="磨剪刀", kind="service", price_fen=500
    )
    by_points = services.item_add(
        actor=coordinator, stall=stall, name="爱心兑换券", price_points=Decimal("1")
    )
    leader = leader_of(organization, username=f"{prefix}-leader")
    buyer, buyer_user = resident_with_account(community, username=f"{prefix}-buyer")
    if points:
        points_give(buyer, points)
    return MarketWorld(
        organization, activity, day, stall, goods, service, by_points, leader, buyer, buyer_user
    )


def market_isolation_world(*, community, coordinator) -> dict:
    """One of each market object in `community`, for the isolation walk: a market day,
    a stall, an item and a sale (paid in points by a resident, so the points and the
    proceeds paths both have something to show)."""
    world = market_world(community, coordinator, prefix=f"{coordinator.username}-mkt")
    sale, _created = services.sale_record(
        actor=coordinator,
        item=world.goods,
        quantity=1,
        method="cash",
        idempotency_key=new_key(),
    )
    services.sale_record(
        actor=coordinator,
        item=world.by_points,
        quantity=2,
        method="points",
        idempotency_key=new_key(),
        buyer=world.buyer,
    )
    return {
        "market_day": world.market_day,
        "stall": world.stall,
        "stall_item": world.goods,
        "sale": sale,
    }
