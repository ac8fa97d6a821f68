"""The care API: enrolment and the person, check-ins and alerts, the board, the rota."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.care import services
from kuihua.care.models import Alert, CareRecipient, CheckIn, DutyPreference, DutyShift, Incident
from kuihua.core.models import AccessLog
from kuihua.registry.models import EmergencyContact
from kuihua.registry.tests.factories import ResidentFactory
from kuihua.training.services import training_record

pytestmark = pytest.mark.django_db


def post(client, path, data=None):
    return client.post(f"/api/care{path}", data or {}, "application/json")


def get(client, path, params=None):
    return client.get(f"/api/care{path}", params or {})


def trained(community, username: str, coordinator):
    user = UserFactory(role=Role.VOLUNTEER, community=community, username=username)
    training_record(
        actor=coordinator, user=user, course="探访礼仪与应急处置", completed_on=dt.date(2026, 1, 5)
    )
    return user


@pytest.fixture
def resident(in_community):
    return ResidentFactory(household__building__compound__community=in_community, name="张桂芳")


@pytest.fixture
def visitor(in_community, coordinator):
    return trained(in_community, "visitor", coordinator)


@pytest.fixture
def enrolled(coordinator, resident, visitor):
    return services.recipient_enrol(
        actor=coordinator, resident=resident, conditions="高血压，独居", primary_visitor=visitor
    )


# --- people ------------------------------------------------------------------------------


def test_a_coordinator_enrols_a_person_and_only_coordinators_read_the_conditions(
    client, in_community, coordinator, resident, visitor
):
    backup = trained(in_community, "backup", coordinator)
    client.force_login(coordinator)

    enrolled = post(
        client,
        "/recipients",
        {
            "resident_id": resident.pk,
            "risk": "high",
            "conditions": "高血压，独居",
            "windows": [["16:00", "18:00"], ["08:00", "09:30"]],
            "primary_visitor_id": visitor.pk,
            "backup_visitor_ids": [backup.pk],
        },
    )

    assert enrolled.status_code == 201, enrolled.content
    body = enrolled.json()
    assert (body["name"], body["risk"], body["primary_visitor_id"]) == (
        "张桂芳",
        "high",
        visitor.pk,
    )
    assert body["windows"] == [["08:00", "09:30"], ["16:00", "18:00"]]
    assert body["backup_visitor_ids"] == [backup.pk]
    assert "conditions" not in body
    listed = get(client, "/recipients").json()
    assert [r["id"] for r in listed["items"]] == [body["id"]]
    assert "conditions" not in listed["items"][0]
    assert not AccessLog.objects.exists()

    detail = get(client, f"/recipients/{body['id']}").json()

    assert detail["conditions"] == "高血压，独居"
    log = AccessLog.objects.get()
    assert (log.user, log.subject_id, log.fields, log.purpose) == (
        coordinator,
        resident.pk,
        ["conditions"],
        "care",
    )

    for person in (visitor, backup):
        client.force_login(person)
        seen = get(client, f"/recipients/{body['id']}")
        assert seen.status_code == 200
        assert seen.json()["conditions"] is None
        assert "高血压" not in seen.content.decode()
    assert AccessLog.objects.count() == 1


def test_bad_input_is_refused_on_its_field_and_nobody_is_enrolled(
    client, in_community, coordinator, resident
):
    untrained = UserFactory(role=Role.VOLUNTEER, community=in_community)
    client.force_login(coordinator)

    overlapping = post(
        client,
        "/recipients",
        {"resident_id": resident.pk, "windows": [["08:00", "10:00"], ["09:00", "11:00"]]},
    )
    not_a_list = post(client, "/recipients", {"resident_id": resident.pk, "windows": "08:00"})
    unknown = post(client, "/recipients", {"resident_id": 999999})
    no_training = post(
        client, "/recipients", {"resident_id": resident.pk, "primary_visitor_id": untrained.pk}
    )

    assert overlapping.status_code == 400
    assert overlapping.json()["errors"] == [{"field": "windows", "message": "签到时段不能重叠"}]
    assert not_a_list.status_code == 422
    assert not_a_list.json()["errors"][0]["field"].startswith("windows")
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == [{"field": "resident_id", "message": "找不到该居民"}]
    assert no_training.status_code == 400
    assert no_training.json()["errors"][0]["field"] == "primary_visitor"
    assert not CareRecipient.objects.exists()


def test_a_visitor_from_another_community_cannot_be_assigned(
    client, coordinator, resident, other_community
):
    stranger = UserFactory(role=Role.VOLUNTEER, community=other_community)
    client.force_login(coordinator)

    refused = post(
        client, "/recipients", {"resident_id": resident.pk, "backup_visitor_ids": [stranger.pk]}
    )

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "backup_visitor_ids"
    assert not CareRecipient.objects.exists()


def test_a_volunteer_gets_404_from_the_coordinators_endpoints(
    client, in_community, enrolled, visitor
):
    stranger = UserFactory(role=Role.VOLUNTEER, community=in_community)
    client.force_login(visitor)
    pk = enrolled.pk

    assert get(client, "/recipients").status_code == 404
    assert post(client, "/recipients", {"resident_id": enrolled.resident_id}).status_code == 404
    assert post(client, f"/recipients/{pk}/pause", {"until": None}).status_code == 404
    assert post(client, f"/recipients/{pk}/self-link").status_code == 404
    incident = {"kind": "fall", "occurred_on": "2026-01-05"}
    assert post(client, f"/recipients/{pk}/incidents", incident).status_code == 404
    assert post(client, f"/recipients/{pk}/check-ins", {"channel": "call"}).status_code == 404
    assert get(client, "/alerts").status_code == 404
    assert get(client, "/board").status_code == 404
    assert get(client, "/figures").status_code == 404
    assert get(client, "/swaps").status_code == 404
    assert post(client, "/rota", {"year": 2026, "month": 12}).status_code == 404
    client.force_login(stranger)
    assert get(client, f"/recipients/{pk}").status_code == 404
    assert post(client, f"/recipients/{pk}/check-ins", {"channel": "visit"}).status_code == 404
    assert not CheckIn.objects.exists()
    assert not AccessLog.objects.exists()


def test_the_recipient_list_takes_the_same_queries_for_more_people(
    client, in_community, coordinator, visitor
):
    def enrol_one():
        services.recipient_enrol(
            actor=coordinator,
            resident=ResidentFactory(household__building__compound__community=in_community),
            primary_visitor=visitor,
            backup_visitors=[visitor],
        )

    enrol_one()
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as one:
        assert get(client, "/recipients").status_code == 200
    for _ in range(5):
        enrol_one()
    with CaptureQueriesContext(connection) as six:
        assert len(get(client, "/recipients").json()["items"]) == 6

    assert len(six) == len(one)


# --- check-ins, alerts, incidents --------------------------------------------------------


def test_a_visitor_records_a_knock_and_a_coordinator_handles_the_alert(
    client, coordinator, enrolled, visitor
):
    EmergencyContact.objects.create(
        resident=enrolled.resident, name="张小明", relation="儿子", phone="13800001111"
    )
    client.force_login(visitor)
    assert [p["id"] for p in get(client, "/visits").json()["items"]] == [enrolled.pk]
    assert post(
        client, f"/recipients/{enrolled.pk}/check-ins", {"channel": "call"}
    ).status_code == (404)

    knocked = post(
        client,
        f"/recipients/{enrolled.pk}/check-ins",
        {"channel": "visit", "result": "no_answer", "note": "敲门无人应"},
    )

    assert knocked.status_code == 201, knocked.content
    alert_id = knocked.json()["alert_id"]
    assert (knocked.json()["result"], knocked.json()["by_id"]) == ("no_answer", visitor.pk)

    client.force_login(coordinator)
    services.check_in(actor=coordinator, recipient=enrolled, channel="call", result="concern")
    listed = get(client, "/alerts", {"open": "true"}).json()["items"]
    assert {a["id"] for a in listed} == set(Alert.objects.values_list("pk", flat=True))
    shown = get(client, f"/alerts/{alert_id}").json()
    assert (shown["kind"], shown["name"]) == ("no_answer", "张桂芳")
    assert shown["contacts"] == [{"name": "张小明", "relation": "儿子", "phone": "13800001111"}]

    acknowledged = post(client, f"/alerts/{alert_id}/acknowledge").json()
    assert acknowledged["acknowledged_by_id"] == coordinator.pk
    no_outcome = post(client, f"/alerts/{alert_id}/resolve", {"outcome": "lost"})
    assert no_outcome.status_code == 400
    assert no_outcome.json()["errors"] == [{"field": "outcome", "message": "请选择处理结果"}]
    resolved = post(client, f"/alerts/{alert_id}/resolve", {"outcome": "hospital", "note": "送医"})
    assert resolved.json()["outcome"] == "hospital"
    again = post(client, f"/alerts/{alert_id}/resolve", {"outcome": "visited"})
    assert again.status_code == 400

    incident = Incident.objects.get(alert_id=alert_id)
    assert get(client, f"/incidents/{incident.pk}").json()["kind"] == "hospital"
    ordered = get(client, "/alerts").json()["items"]
    assert [a["resolved_at"] is None for a in ordered] == [True, False]
    assert [a["id"] for a in get(client, "/alerts", {"open": "false"}).json()["items"]] == [
        alert_id
    ]


def test_a_self_check_in_cannot_be_recorded_through_the_api(client, coordinator, enrolled):
    client.force_login(coordinator)

    refused = post(client, f"/recipients/{enrolled.pk}/check-ins", {"channel": "self"})

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "channel"
    assert not CheckIn.objects.exists()


def test_a_coordinator_pauses_issues_the_link_and_records_an_incident(
    client, coordinator, enrolled
):
    client.force_login(coordinator)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    paused = post(
        client, f"/recipients/{enrolled.pk}/pause", {"until": str(tomorrow), "reason": "住院"}
    )
    in_the_past = post(client, f"/recipients/{enrolled.pk}/pause", {"until": "2020-01-01"})
    link = post(client, f"/recipients/{enrolled.pk}/self-link")
    fell = post(
        client,
        f"/recipients/{enrolled.pk}/incidents",
        {"kind": "fall", "occurred_on": "2026-01-05", "note": "浴室滑倒"},
    )
    resumed = post(client, f"/recipients/{enrolled.pk}/pause", {"until": None})

    assert (paused.json()["paused_until"], paused.json()["pause_reason"]) == (
        str(tomorrow),
        "住院",
    )
    assert in_the_past.status_code == 400
    assert in_the_past.json()["errors"][0]["field"] == "until"
    path = link.json()["path"]
    assert path.startswith("/care/me/")
    assert client.get(path).status_code == 200
    assert fell.status_code == 201
    assert get(client, f"/incidents/{fell.json()['id']}").json()["note"] == "浴室滑倒"
    assert resumed.json()["paused_until"] is None


# --- board, figures ----------------------------------------------------------------------


def test_the_board_shows_every_window_and_the_open_alerts(client, coordinator, enrolled):
    check = services.check_in(
        actor=coordinator, recipient=enrolled, channel="call", result="no_answer"
    )
    client.force_login(coordinator)

    board = get(client, "/board").json()

    [row] = board["rows"]
    assert (row["recipient_id"], row["name"], row["visitor"]) == (enrolled.pk, "张桂芳", "visitor")
    assert [(w["opens"], w["closes"]) for w in row["windows"]] == [
        ("08:00", "10:00"),
        ("16:00", "18:00"),
    ]
    assert sum(board["counts"].values()) == 2
    assert board["open_alert_ids"] == [check.alert.pk]


def test_the_figures_count_the_years_contacts_and_accidents(client, coordinator, enrolled):
    services.check_in(actor=coordinator, recipient=enrolled, channel="call")
    services.incident_record(
        actor=coordinator, recipient=enrolled, kind="fall", occurred_on=timezone.localdate()
    )
    client.force_login(coordinator)

    figures = get(client, "/figures").json()

    assert figures == {
        "year": timezone.localdate().year,
        "people": 1,
        "person_times": 1,
        "incidents": 1,
        "people_with_accidents": 1,
        "accident_rate": 1.0,
    }
    assert get(client, "/figures", {"year": 1900}).status_code == 422


# --- the duty line -----------------------------------------------------------------------


def test_a_month_is_rostered_a_swap_asked_by_the_holder_and_decided(
    client, in_community, coordinator
):
    people = []
    for k in range(3):
        user = UserFactory(role=Role.VOLUNTEER, community=in_community, username=f"duty{k}")
        DutyPreference.objects.create(user=user, max_shifts_per_month=31, max_consecutive_days=31)
        people.append(user)
    client.force_login(coordinator)

    rota = post(client, "/rota", {"year": 2026, "month": 12})
    bad_month = post(client, "/rota", {"year": 2026, "month": 13})

    assert rota.status_code == 201, rota.content
    assert rota.json() == {"shifts": 62, "uncovered": []}
    assert bad_month.status_code == 400
    assert bad_month.json()["errors"][0]["field"] == "month"
    shift = DutyShift.objects.order_by("day", "index").first()
    holder = shift.user
    busy = set(DutyShift.objects.filter(day=shift.day).values_list("user_id", flat=True))
    free = next(p for p in people if p.pk not in busy)
    other = next(p for p in people if p.pk != holder.pk and p.pk != free.pk)

    client.force_login(other)
    shifts = get(client, "/shifts", {"year": 2026, "month": 12}).json()
    assert len(shifts) == 62
    assert (shifts[0]["id"], shifts[0]["user_id"]) == (shift.pk, holder.pk)
    assert post(client, f"/shifts/{shift.pk}/swap", {"to_user_id": free.pk}).status_code == 404

    client.force_login(holder)
    unknown = post(client, f"/shifts/{shift.pk}/swap", {"to_user_id": 999999})
    asked = post(client, f"/shifts/{shift.pk}/swap", {"to_user_id": free.pk})
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "to_user_id"
    assert asked.status_code == 201, asked.content
    swap_id = asked.json()["id"]
    assert post(client, f"/swaps/{swap_id}/decide", {"approve": True}).status_code == 404

    client.force_login(coordinator)
    pending = get(client, "/swaps", {"status": "pending"}).json()["items"]
    assert [s["id"] for s in pending] == [swap_id]
    decided = post(client, f"/swaps/{swap_id}/decide", {"approve": True})
    assert decided.json()["status"] == "approved"
    assert post(client, f"/swaps/{swap_id}/decide", {"approve": True}).status_code == 400
    shift.refresh_from_db()
    assert shift.user == free
