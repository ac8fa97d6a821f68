"""Homes' floor areas, their owners (业主) and a compound's electorate, through the API."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.masking import mask_phone
from kuihua.core.tenancy import use_community
from kuihua.registry import services
from kuihua.registry.models import Household, Ownership
from kuihua.registry.tests.factories import BuildingFactory, HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db

URL = "/api/registry"


@pytest.fixture(autouse=True)
def _in_community(in_community):
    return in_community


@pytest.fixture
def as_coordinator(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def building(compound):
    return BuildingFactory(compound=compound, name="1幢")


@pytest.fixture
def home(building):
    """101, 89.50 m²."""
    home = HouseholdFactory(building=building, unit="", room="101")
    Household.objects.filter(pk=home.pk).update(exclusive_area=Decimal("89.50"))
    home.refresh_from_db()
    return home


def _post_owner(client, home, body):
    return client.post(f"{URL}/households/{home.pk}/owners", body, content_type="application/json")


def _refusal(response) -> tuple[str, str]:
    assert response.status_code == 400, response.content
    error = response.json()["errors"][0]
    return error["field"], error["message"]


# --- reading a home's owners --------------------------------------------------------------


def test_a_homes_area_and_owners_with_phones_masked(as_coordinator, coordinator, home):
    resident = ResidentFactory(household=home, name="张建国", phone="13812345678")
    services.owner_add(actor=coordinator, household=home, resident=resident)
    services.owner_add(actor=coordinator, household=home, name="李梅", phone="13900001111")

    response = as_coordinator.get(f"{URL}/households/{home.pk}/owners")

    assert response.status_code == 200
    body = response.json()
    assert body["household_id"] == home.pk
    assert body["address"] == home.address
    assert body["exclusive_area"] == "89.50"
    assert [(o["name"], o["resident_id"], o["phone"]) for o in body["owners"]] == [
        ("张建国", resident.pk, mask_phone("13812345678")),
        ("李梅", None, mask_phone("13900001111")),
    ]
    text = response.content.decode()
    assert "13812345678" not in text and "13900001111" not in text


def test_a_home_of_unknown_area_says_null(as_coordinator, building):
    home = HouseholdFactory(building=building, room="102")

    body = as_coordinator.get(f"{URL}/households/{home.pk}/owners").json()

    assert body["exclusive_area"] is None
    assert body["owners"] == []


# --- the floor area -----------------------------------------------------------------------


def test_the_area_is_set_and_cleared(as_coordinator, home):
    url = f"{URL}/households/{home.pk}/area"

    changed = as_coordinator.put(url, {"exclusive_area": "120.5"}, content_type="application/json")

    assert changed.status_code == 200
    assert changed.json()["exclusive_area"] == "120.50"
    home.refresh_from_db()
    assert home.exclusive_area == Decimal("120.50")

    cleared = as_coordinator.put(url, {"exclusive_area": None}, content_type="application/json")

    assert cleared.status_code == 200
    assert cleared.json()["exclusive_area"] is None
    home.refresh_from_db()
    assert home.exclusive_area is None


@pytest.mark.parametrize(
    "typed, message",
    [("八十", "不是数字"), ("0", "须大于 0"), ("12.345", "两位小数"), ("10000", "小于 10000")],
)
def test_a_wrong_area_is_refused_in_chinese_and_changes_nothing(
    as_coordinator, home, typed, message
):
    response = as_coordinator.put(
        f"{URL}/households/{home.pk}/area",
        {"exclusive_area": typed},
        content_type="application/json",
    )

    field, text = _refusal(response)
    assert field == "exclusive_area"
    assert message in text
    home.refresh_from_db()
    assert home.exclusive_area == Decimal("89.50")


# --- adding and removing owners -----------------------------------------------------------


def test_a_registered_resident_is_recorded_as_owner(as_coordinator, home, building):
    lives_next_door = ResidentFactory(
        household=HouseholdFactory(building=building, room="102"), name="王强"
    )

    response = _post_owner(as_coordinator, home, {"resident_id": lives_next_door.pk})

    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["resident_id"]) == ("王强", lives_next_door.pk)
    assert Ownership.objects.get(pk=body["id"]).household == home


def test_an_owner_who_lives_elsewhere_is_recorded_by_name_and_phone(as_coordinator, home):
    response = _post_owner(as_coordinator, home, {"name": "陈志远", "phone": "13700002222"})

    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["resident_id"]) == ("陈志远", None)
    assert body["phone"] == mask_phone("13700002222")
    assert "13700002222" not in response.content.decode()


def test_the_same_owner_twice_is_refused_and_recorded_once(as_coordinator, home):
    _post_owner(as_coordinator, home, {"name": "陈志远", "phone": "13700002222"})

    again = _post_owner(as_coordinator, home, {"name": "陈志远", "phone": "137 0000 2222"})

    field, text = _refusal(again)
    assert field == "name"
    assert "已登记为这套房屋的业主" in text
    assert Ownership.objects.filter(household=home).count() == 1


def test_a_resident_already_owner_is_refused(as_coordinator, coordinator, home):
    resident = ResidentFactory(household=home, name="张建国")
    services.owner_add(actor=coordinator, household=home, resident=resident)

    again = _post_owner(as_coordinator, home, {"resident_id": resident.pk})

    assert "已登记为这套房屋的业主" in _refusal(again)[1]
    assert Ownership.objects.filter(household=home).count() == 1


def test_an_outside_owner_without_a_name_is_refused(as_coordinator, home):
    response = _post_owner(as_coordinator, home, {"phone": "13700002222"})

    field, text = _refusal(response)
    assert field == "name"
    assert "姓名不能为空" in text
    assert not Ownership.objects.exists()


def test_a_resident_with_a_name_as_well_is_refused(as_coordinator, home):
    resident = ResidentFactory(household=home, name="张建国")

    response = _post_owner(as_coordinator, home, {"resident_id": resident.pk, "name": "张三"})

    field, text = _refusal(response)
    assert field == "name"
    assert "按居民档案" in text
    assert not Ownership.objects.exists()


def test_a_resident_of_another_community_is_a_field_error(as_coordinator, home, other_community):
    with use_community(other_community):
        theirs = ResidentFactory(household__building__compound__community=other_community)

    response = _post_owner(as_coordinator, home, {"resident_id": theirs.pk})

    assert _refusal(response) == ("resident_id", "找不到该居民")
    assert not Ownership.objects.exists()


def test_an_owner_is_removed(as_coordinator, coordinator, home):
    kept = services.owner_add(actor=coordinator, household=home, name="刘伟", phone="13600003333")
    gone = services.owner_add(actor=coordinator, household=home, name="刘芳", phone="")

    response = as_coordinator.delete(f"{URL}/households/{home.pk}/owners/{gone.pk}")

    assert response.status_code == 204
    assert list(Ownership.objects.values_list("pk", flat=True)) == [kept.pk]


def test_an_owner_of_another_home_is_404_there(as_coordinator, coordinator, home, building):
    elsewhere = HouseholdFactory(building=building, room="102")
    ownership = services.owner_add(actor=coordinator, household=elsewhere, name="刘伟")

    response = as_coordinator.delete(f"{URL}/households/{home.pk}/owners/{ownership.pk}")

    assert response.status_code == 404
    assert Ownership.objects.filter(pk=ownership.pk).exists()


# --- the electorate -----------------------------------------------------------------------


def test_the_electorate_counts_heads_and_areas_as_decimal_strings(
    as_coordinator, coordinator, compound, building, home
):
    for name in ("王强", "赵丽"):  # a couple, co-owners of 101
        services.owner_add(
            actor=coordinator, household=home, resident=ResidentFactory(household=home, name=name)
        )
    unknown = HouseholdFactory(building=building, room="202")  # area not known yet
    services.owner_add(actor=coordinator, household=unknown, name="陈志远", phone="13700002222")
    empty = HouseholdFactory(building=building, room="301")  # nobody recorded as owner

    response = as_coordinator.get(f"{URL}/compounds/{compound.pk}/electorate")

    assert response.status_code == 200
    body = response.json()
    assert body["compound"] == {"id": compound.pk, "name": compound.name}
    assert body["heads"] == 2
    assert body["total_area"] == "89.50"
    voters = {tuple(sorted(v["names"])): v for v in body["voters"]}
    assert voters[("王强", "赵丽")]["area"] == "89.50"
    assert voters[("王强", "赵丽")]["homes"] == [{"id": home.pk, "address": home.address}]
    assert voters[("陈志远",)]["area"] is None
    assert body["homes_without_area"] == [{"id": unknown.pk, "address": unknown.address}]
    assert body["homes_without_owner"] == [{"id": empty.pk, "address": empty.address}]


def test_the_electorate_runs_the_same_number_of_queries_for_3_and_15_homes(
    as_coordinator, coordinator, compound, building
):
    def add(n, start):
        for i in range(n):
            home = HouseholdFactory(building=building, room=str(start + i))
            services.owner_add(actor=coordinator, household=home, name="陈志远", phone="")

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            response = as_coordinator.get(f"{URL}/compounds/{compound.pk}/electorate")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    add(3, 100)
    few = count_queries()
    add(12, 200)
    many = count_queries()

    assert few == many


# --- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.VOLUNTEER, Role.ORG_LEADER])
def test_others_than_coordinators_get_404_and_change_nothing(
    client, community, coordinator, compound, home, role
):
    """Even a resident in the home itself, which they may otherwise see."""
    ownership = services.owner_add(actor=coordinator, household=home, name="刘伟")
    me = ResidentFactory(household=home)
    client.force_login(UserFactory(role=role, community=community, resident=me))
    base = f"{URL}/households/{home.pk}"

    answers = [
        client.get(f"{base}/owners"),
        client.put(f"{base}/area", {"exclusive_area": "1"}, content_type="application/json"),
        client.post(f"{base}/owners", {"name": "钱多"}, content_type="application/json"),
        client.delete(f"{base}/owners/{ownership.pk}"),
        client.get(f"{URL}/compounds/{compound.pk}/electorate"),
    ]

    assert [a.status_code for a in answers] == [404] * 5
    home.refresh_from_db()
    assert home.exclusive_area == Decimal("89.50")
    assert list(Ownership.objects.values_list("name", flat=True)) == ["刘伟"]


def test_another_communitys_home_compound_and_owner_are_invisible(
    as_coordinator, coordinator, home, other_community
):
    with use_community(other_community):
        theirs = HouseholdFactory(building__compound__community=other_community)
        their_owner = Ownership.objects.create(household=theirs, name="外社区业主")
    mine = services.owner_add(actor=coordinator, household=home, name="刘伟")
    compound_id = theirs.building.compound_id

    answers = [
        as_coordinator.get(f"{URL}/households/{theirs.pk}/owners"),
        as_coordinator.put(
            f"{URL}/households/{theirs.pk}/area",
            {"exclusive_area": "50"},
            content_type="application/json",
        ),
        as_coordinator.post(
            f"{URL}/households/{theirs.pk}/owners",
            {"name": "钱多"},
            content_type="application/json",
        ),
        as_coordinator.delete(f"{URL}/households/{theirs.pk}/owners/{their_owner.pk}"),
        as_coordinator.delete(f"{URL}/households/{home.pk}/owners/{their_owner.pk}"),
        as_coordinator.delete(f"{URL}/households/{theirs.pk}/owners/{mine.pk}"),
        as_coordinator.get(f"{URL}/compounds/{compound_id}/electorate"),
    ]

    assert [a.status_code for a in answers] == [404] * 7
    with use_community(other_community):
        theirs.refresh_from_db()
        assert theirs.exclusive_area is None
        assert list(Ownership.objects.values_list("name", flat=True)) == ["外社区业主"]
    assert Ownership.objects.filter(pk=mine.pk).exists()
