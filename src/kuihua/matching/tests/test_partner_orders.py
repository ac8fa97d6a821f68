"""A partner unit's contact account (接单人账号): it sees and serves the orders given to
the unit's service offers, and no other unit's, on the page and over the API."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.matching import services
from kuihua.matching.models import Need, ProviderType, ServiceDelivery
from kuihua.matching.tests import factories as f
from kuihua.notifications.models import Message
from kuihua.organizations import services as org_services
from kuihua.registry.tests.factories import BuildingFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture(autouse=True)
def _scope(in_community):
    """The test body reads the community's rows, as a request of its users would."""


@pytest.fixture
def building(in_community, compound):
    return BuildingFactory(compound=compound, community=in_community, name="3幢")


def unit_offer(name: str, *, code: str = "home_repair"):
    """A government department's repairs for the whole community, with no contact yet."""
    unit = org_services.partner_unit_create(actor=None, name=name, kind="government")
    return services.offer_create(
        actor=None,
        provider_type=ProviderType.GOVERNMENT,
        partner=unit,
        name=f"{name}·{f.category(code).name}",
        main_category=f.category(code),
        capacity_per_week=5,
        serves_all=True,
    )


@pytest.fixture
def streetworks(in_community):
    return unit_offer("街道城管所")


@pytest.fixture
def power(in_community):
    return unit_offer("供电所")


@pytest.fixture
def contact(in_community, coordinator, streetworks):
    """老陈, the streetworks' contact, named by the coordinator on the unit's page."""
    account = UserFactory(username="laochen", role=Role.RESIDENT, community=in_community)
    org_services.partner_unit_set_contact(
        actor=coordinator, partner=streetworks.partner, username="laochen"
    )
    return account


def repair(building, offer, coordinator, *, name: str) -> Need:
    need = f.need(f.resident_at(building, name=name), code="home_repair")
    return services.need_assign(actor=coordinator, need=need, offer=offer)


def test_the_units_contact_sees_and_serves_its_orders_and_not_another_units(
    client, building, coordinator, streetworks, power, contact
):
    ours = repair(building, streetworks, coordinator, name="王秀英")
    theirs = repair(building, power, coordinator, name="李大爷")
    assert Message.objects.filter(recipient=contact, kind="service_order").count() == 1
    client.force_login(contact)

    orders = text(client.get(reverse("matching:my_orders")))
    assert f"#{ours.pk}" in orders and "街道城管所" in orders
    assert f"#{theirs.pk}" not in orders and "供电所" not in orders
    assert "王秀英" in text(client.get(reverse("matching:need_detail", args=[ours.pk])))
    client.post(reverse("matching:need_start", args=[ours.pk]), {"next": "orders"})
    done = client.post(reverse("matching:need_done", args=[ours.pk]), {"next": "orders"})

    ours.refresh_from_db()
    assert done["Location"] == reverse("matching:my_orders")
    assert ours.status == Need.Status.DONE
    assert ServiceDelivery.objects.get().provider_type == ProviderType.GOVERNMENT
    for step in ("need_detail", "need_start", "need_done"):
        assert client.post(reverse(f"matching:{step}", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Need.Status.MATCHED


def test_the_units_contact_reads_its_orders_over_the_api(
    client, building, coordinator, streetworks, power, contact
):
    ours = repair(building, streetworks, coordinator, name="王秀英")
    theirs = repair(building, power, coordinator, name="李大爷")
    client.force_login(contact)

    listed = client.get("/api/matching/orders").json()["items"]
    started = client.post(f"/api/matching/needs/{ours.pk}/start")
    refused = client.post(f"/api/matching/needs/{theirs.pk}/start")

    assert [n["id"] for n in listed] == [ours.pk]
    assert started.status_code == 200 and started.json()["status"] == "in_service"
    assert refused.status_code == 404


def test_the_contact_finds_the_orders_page_before_the_first_order(client, contact):
    client.force_login(contact)

    page = text(client.get(reverse("matching:my_orders")))

    assert f'href="{reverse("matching:my_orders")}"' in page
    assert "暂时没有派给您的服务单" in page


def test_a_new_contact_takes_over_and_the_old_one_sees_nothing(
    client, building, coordinator, streetworks, contact, in_community
):
    need = repair(building, streetworks, coordinator, name="王秀英")
    UserFactory(username="xiaoliu", role=Role.RESIDENT, community=in_community)
    org_services.partner_unit_set_contact(
        actor=coordinator, partner=streetworks.partner, username="xiaoliu"
    )
    client.force_login(contact)

    assert f"#{need.pk}" not in text(client.get(reverse("matching:my_orders")))
    assert client.get(reverse("matching:need_detail", args=[need.pk])).status_code == 404
