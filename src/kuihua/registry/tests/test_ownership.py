"""Homes, their floor area and their owners; how owners count in a compound's vote."""

from decimal import Decimal

import pytest

from kuihua.core.models import AuditLog
from kuihua.registry import services
from kuihua.registry.models import Household, Ownership
from kuihua.registry.selectors import compound_electorate
from kuihua.registry.services import RegistryError
from kuihua.registry.tests.factories import BuildingFactory, HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def homes(in_community, compound):
    """Four homes in one building, 202's area not known yet."""
    building = BuildingFactory(compound=compound, name="1幢")
    made = []
    for room, area in (("101", "89.50"), ("102", "120.00"), ("201", "60.25"), ("202", None)):
        home = HouseholdFactory(building=building, room=room)
        if area:
            Household.objects.filter(pk=home.pk).update(exclusive_area=Decimal(area))
            home.refresh_from_db()
        made.append(home)
    return made


def test_an_area_is_set_exactly_and_audited(coordinator, homes):
    home = homes[3]

    services.home_area_set(actor=coordinator, household=home, area="75.3㎡")

    home.refresh_from_db()
    assert home.exclusive_area == Decimal("75.30")
    assert AuditLog.objects.filter(action="household.area", object_id=home.pk).exists()


@pytest.mark.parametrize(
    "typed, message",
    [
        ("八十", "不是数字"),
        ("0", "须大于 0"),
        ("-5", "须大于 0"),
        ("12.345", "两位小数"),
        ("NaN", "须大于 0"),
    ],
)
def test_a_wrong_area_is_refused_and_changes_nothing(coordinator, homes, typed, message):
    home = homes[0]

    with pytest.raises(RegistryError) as refused:
        services.home_area_set(actor=coordinator, household=home, area=typed)

    home.refresh_from_db()
    assert message in str(refused.value)
    assert home.exclusive_area == Decimal("89.50")


def test_an_owner_is_a_resident_or_a_named_person_and_never_twice(coordinator, homes):
    resident = ResidentFactory(household=homes[0], name="张建国")

    services.owner_add(actor=coordinator, household=homes[0], resident=resident)
    services.owner_add(actor=coordinator, household=homes[0], name="李梅", phone="13900001111")
    with pytest.raises(RegistryError, match="已登记为这套房屋的业主"):
        services.owner_add(actor=coordinator, household=homes[0], resident=resident)
    with pytest.raises(RegistryError, match="已登记为这套房屋的业主"):
        services.owner_add(
            actor=coordinator, household=homes[0], name="李梅", phone="139 0000 1111"
        )
    with pytest.raises(RegistryError, match="姓名"):
        services.owner_add(actor=coordinator, household=homes[0], name="", phone="13900001111")

    assert sorted(Ownership.objects.values_list("name", flat=True)) == ["张建国", "李梅"]


def test_co_owners_count_once_and_an_owner_of_three_homes_once(coordinator, homes, compound):
    for name in ("王强", "赵丽"):  # a couple, co-owners of 101
        person = ResidentFactory(household=homes[0], name=name)
        services.owner_add(actor=coordinator, household=homes[0], resident=person)
    for home in homes[1:4]:  # someone who lives elsewhere owns 102, 201 and 202
        services.owner_add(actor=coordinator, household=home, name="陈志远", phone="13700002222")
    HouseholdFactory(building=homes[0].building, room="301")  # nobody recorded as owner

    electorate = compound_electorate(compound)

    by_name = {tuple(sorted(v.names)): v for v in electorate.voters}
    assert electorate.heads == 2
    assert by_name[("王强", "赵丽")].area == Decimal("89.50")
    assert len(by_name[("陈志远",)].homes) == 3
    assert by_name[("陈志远",)].area is None  # 202's area is not known yet
    assert [h.room for h in electorate.homes_without_area] == ["202"]
    assert [h.room for h in electorate.homes_without_owner] == ["301"]

    services.home_area_set(actor=coordinator, household=homes[3], area="40")
    after = compound_electorate(compound)
    assert {tuple(v.names): v.area for v in after.voters}[("陈志远",)] == Decimal("220.25")
    assert after.total_area == Decimal("309.75")


def test_a_shared_home_joins_an_owners_other_home_into_one_head(coordinator, homes, compound):
    father = ResidentFactory(household=homes[0], name="周国华")
    son = ResidentFactory(household=homes[1], name="周明")
    services.owner_add(actor=coordinator, household=homes[0], resident=father)
    services.owner_add(actor=coordinator, household=homes[1], resident=father)
    services.owner_add(actor=coordinator, household=homes[1], resident=son)

    electorate = compound_electorate(compound)

    assert electorate.heads == 1
    assert sorted(electorate.voters[0].names) == ["周国华", "周明"]
    assert electorate.voters[0].area == Decimal("209.50")


def test_erasing_an_owner_keeps_the_home_and_its_other_owner(coordinator, homes):
    home = homes[0]
    owner = ResidentFactory(household=home, name="刘芳")
    services.owner_add(actor=coordinator, household=home, resident=owner)
    services.owner_add(actor=coordinator, household=home, name="刘伟", phone="13600003333")

    services.resident_erase(actor=coordinator, resident=owner, reason="本人申请删除")

    assert Household.objects.filter(pk=home.pk).exists()
    assert list(Ownership.objects.values_list("name", flat=True)) == ["刘伟"]
