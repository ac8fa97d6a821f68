"""The matching API: a need from raised to rated, runs and proposals, refusals."""

import pytest

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.matching.models import Need
from kuihua.matching.tests.factories import category, need, organization_offer, resident_at
from kuihua.registry.tests.factories import BuildingFactory, CompoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def building(in_community):
    return BuildingFactory(compound=CompoundFactory(community=in_community))


def post(client, path, data=None):
    return client.post(f"/api/matching{path}", data or {}, "application/json")


def test_a_resident_raises_a_need_and_follows_it_to_the_rating(client, building, coordinator):
    person = resident_at(building)
    offer = organization_offer(building.community)
    client.force_login(person.account)

    raised = post(
        client,
        "/needs",
        {
            "category_id": category("meal_delivery").pk,
            "description": "腿脚不便，中午需要送饭",
            "days": 31,
            "slots": 1,
            "recurrence": "weekdays",
            "consent_to_share": True,
        },
    )

    assert raised.status_code == 201, raised.content
    body = raised.json()
    assert (body["status"], body["channel"], body["person"]["shared"]) == ("open", "resident", True)
    need_id = body["id"]

    client.force_login(coordinator)
    run = post(client, "/runs")
    assert run.status_code == 201
    assert run.json()["matched"] == 1
    proposals = client.get(f"/api/matching/runs/{run.json()['id']}/proposals").json()["items"]
    assert [(p["need_id"], p["offer_id"]) for p in proposals] == [(need_id, offer.pk)]
    accepted = post(client, f"/runs/{run.json()['id']}/accept")
    assert accepted.json() == {"accepted": 1, "problems": []}

    client.force_login(offer.contact_user)
    orders = client.get("/api/matching/orders").json()["items"]
    assert [o["id"] for o in orders] == [need_id]
    assert post(client, f"/needs/{need_id}/start").json()["status"] == "in_service"
    assert post(client, f"/needs/{need_id}/done").json()["status"] == "done"
    assert post(client, f"/needs/{need_id}/rate", {"rating": 5}).status_code == 404

    client.force_login(person.account)
    rated = post(client, f"/needs/{need_id}/rate", {"rating": 4, "comment": "准时"})
    assert (rated.json()["status"], rated.json()["rating"]) == ("rated", 4)

    client.force_login(coordinator)
    stats = client.get("/api/matching/stats").json()
    assert (stats["person_times"], stats["by_organizations"]) == (1, 1)


def test_bad_input_is_refused_in_the_users_language_and_changes_nothing(client, building):
    person = resident_at(building)
    client.force_login(person.account)

    no_category = post(client, "/needs", {"category_id": 999999})
    no_days = post(client, "/needs", {"category_id": category().pk, "days": 0})

    assert no_category.status_code == 400
    assert no_category.json()["errors"] == [{"field": "category_id", "message": "找不到该服务类别"}]
    assert no_days.status_code == 422
    assert not Need.objects.exists()


def test_ids_no_table_can_hold_are_a_field_error_not_a_500(client, building, coordinator):
    client.force_login(coordinator)
    run = post(client, "/runs", {})
    offer = {
        "provider_type": "organization",
        "name": "助餐队",
        "main_category_id": category().pk,
        "capacity_per_week": 3,
        "serves_all": False,
        "compound_ids": [2**70],
    }

    accept = post(client, f"/runs/{run.json()['id']}/accept", {"proposal_ids": [2**70]})
    made = post(client, "/offers", offer)

    for refused, field in ((accept, "proposal_ids.0"), (made, "compound_ids.0")):
        assert refused.status_code == 422, refused.json()
        assert refused.json()["errors"] == [{"field": field, "message": "数值超出范围"}]


def test_a_provider_without_consent_sees_a_masked_person(client, building, coordinator):
    offer = organization_offer(building.community)
    from kuihua.matching import services

    withholding = need(resident_at(building, name="赵淑芬"), consent_to_share=False)
    services.need_assign(actor=coordinator, need=withholding, offer=offer)
    client.force_login(offer.contact_user)

    shown = client.get(f"/api/matching/needs/{withholding.pk}").json()

    assert shown["person"]["shared"] is False
    assert "赵淑芬" not in str(shown)


def test_only_coordinators_run_matching_and_read_the_reports(client, building):
    volunteer = UserFactory(role=Role.VOLUNTEER, community=building.community)
    client.force_login(volunteer)

    assert post(client, "/runs").status_code == 404
    assert client.get("/api/matching/gaps").status_code == 404
    assert client.get("/api/matching/stats").status_code == 404
    assert post(client, "/categories", {"name": "代购"}).status_code == 404


def test_an_unmatched_need_carries_its_reason(client, building, coordinator):
    need(resident_at(building), code="legal_aid")
    client.force_login(coordinator)

    run = post(client, "/runs").json()
    [unmatched] = client.get(
        f"/api/matching/runs/{run['id']}/proposals", {"unmatched": True}
    ).json()["items"]

    assert (unmatched["reason"], unmatched["reason_label"]) == (
        "no_category",
        "社区暂无提供该类服务的服务方",
    )
