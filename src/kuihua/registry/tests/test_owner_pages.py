"""The household page keeps the home's floor area and owners; 业主与面积 counts them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.registry.models import Ownership
from kuihua.registry.tests.factories import HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(in_community, compound):
    return HouseholdFactory(building__compound=compound, room="501")


def test_a_coordinator_records_the_area_and_the_owners_and_each_act_says_so(
    client, coordinator, home
):
    member = ResidentFactory(household=home, name="孙建华")
    client.force_login(coordinator)
    url = reverse("registry:household_detail", args=[home.pk])

    area = client.post(url, {"action": "area", "exclusive_area": "96.4"}, follow=True)
    mine = client.post(url, {"action": "add_owner", "member": member.pk}, follow=True)
    away = client.post(
        url, {"action": "add_owner", "name": "孙丽", "phone": "13812340000"}, follow=True
    )

    assert f"已保存 {home.address} 的专有面积：96.40 ㎡" in area.content.decode()
    assert f"已登记 孙建华 为 {home.address} 的业主" in mine.content.decode()
    page = away.content.decode()
    assert f"已登记 孙丽 为 {home.address} 的业主" in page
    assert "138****0000" in page and "13812340000" not in page
    home.refresh_from_db()
    assert home.exclusive_area == Decimal("96.40")
    assert sorted(Ownership.objects.values_list("name", flat=True)) == ["孙丽", "孙建华"]


def test_a_wrong_area_or_an_empty_owner_is_refused_in_chinese_and_changes_nothing(
    client, coordinator, home
):
    client.force_login(coordinator)
    url = reverse("registry:household_detail", args=[home.pk])

    bad_area = client.post(url, {"action": "area", "exclusive_area": "九十"})
    no_owner = client.post(url, {"action": "add_owner", "name": "", "phone": ""})

    assert "不是数字" in bad_area.content.decode()
    assert "请选择本户居民，或填写不住在本户的业主姓名" in no_owner.content.decode()
    home.refresh_from_db()
    assert home.exclusive_area is None and not Ownership.objects.exists()


def test_removing_an_owner_says_whom(client, coordinator, home):
    client.force_login(coordinator)
    url = reverse("registry:household_detail", args=[home.pk])
    client.post(url, {"action": "add_owner", "name": "钱多", "phone": ""})
    ownership = Ownership.objects.get()

    response = client.post(url, {"action": "remove_owner", "ownership": ownership.pk}, follow=True)

    assert f"已把 钱多 从 {home.address} 的业主中移除" in response.content.decode()
    assert not Ownership.objects.exists()


def test_a_resident_sees_no_owners_panel_and_cannot_change_it(client, community, home):
    resident = ResidentFactory(household=home)
    user = UserFactory(role=Role.RESIDENT, community=community, resident=resident)
    client.force_login(user)
    url = reverse("registry:household_detail", args=[home.pk])

    page = client.get(url).content.decode()
    refused = client.post(url, {"action": "area", "exclusive_area": "50"})

    assert "产权与面积" not in page
    assert refused.status_code == 404
    assert client.get(reverse("registry:owners_overview")).status_code == 404


def test_the_overview_counts_owners_by_head_and_area_per_compound(
    client, coordinator, home, compound
):
    client.force_login(coordinator)
    url = reverse("registry:household_detail", args=[home.pk])
    client.post(url, {"action": "area", "exclusive_area": "80"})
    for name in ("周一", "周二"):  # co-owners: one head
        client.post(url, {"action": "add_owner", "name": name, "phone": ""})
    HouseholdFactory(building=home.building, room="502")  # nobody recorded

    html = client.get(reverse("registry:owners_overview")).content.decode()

    row = html[html.index(compound.name) :]
    cells = [c.split(">")[-1] for c in row.split("</td>")[1:5]]
    assert cells == ["1", "80.00", "1", "0"]
