"""/api/council meetings and delegates: what each role may read and do."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.council import meetings as svc
from kuihua.council.models import Attendee, Delegate, Meeting
from kuihua.registry.tests.factories import ResidentFactory
from kuihua.venues.tests.factories import RoomFactory

pytestmark = pytest.mark.django_db


def iso(days: int, hour: int) -> str:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour))).isoformat()


@pytest.fixture
def world(in_community, compound, coordinator):
    people = [
        ResidentFactory(household__building__compound=compound, name=name)
        for name in ("王秀英", "刘建国")
    ]
    for person in people:
        svc.delegate_appoint(actor=coordinator, resident=person)
    resident = UserFactory(
        username="wangxy", role=Role.RESIDENT, community=in_community, resident=people[0]
    )
    return {
        "people": people,
        "resident": resident,
        "room": RoomFactory(community=in_community, name="议事厅"),
    }


def post(client, url, body=None):
    return client.post(url, data=body or {}, content_type="application/json")


def test_a_coordinator_calls_a_meeting_and_everyone_reads_it(client, coordinator, world):
    client.force_login(coordinator)
    created = post(
        client,
        "/api/council/meetings",
        {
            "title": "加装电梯议事会",
            "starts_at": iso(9, 19),
            "ends_at": iso(9, 21),
            "room_id": world["room"].pk,
            "agenda": ["加装电梯方案"],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["room"] == "翠苑一区党群服务中心议事厅"
    assert body["quorum"] == {
        "invited": 2, "present": 0, "guests_present": 0, "percent": 50,
        "needed": 2, "missing": 2, "met": False,
    }  # fmt: skip
    assert "checkin_code" not in created.content.decode()

    client.force_login(world["resident"])
    listed = client.get("/api/council/meetings").json()
    assert [m["title"] for m in listed["items"]] == ["加装电梯议事会"]
    one = client.get(f"/api/council/meetings/{body['id']}").json()
    assert [a["title"] for a in one["agenda"]] == ["加装电梯方案"]
    assert one["attendees"] == []  # the list is the coordinators'


def test_a_clash_and_short_notice_answer_400_with_the_message(client, coordinator, world):
    client.force_login(coordinator)
    first = {"title": "甲", "starts_at": iso(9, 19), "ends_at": iso(9, 21),
             "room_id": world["room"].pk}  # fmt: skip
    assert post(client, "/api/council/meetings", first).status_code == 201

    clash = post(client, "/api/council/meetings", {**first, "title": "乙"})
    short = post(
        client, "/api/council/meetings", {**first, "starts_at": iso(1, 9), "ends_at": iso(1, 10)}
    )

    assert clash.status_code == 400 and "已被“甲”" in clash.json()["message"]
    assert short.status_code == 400 and short.json()["errors"][0]["field"] == "starts_at"
    assert Meeting.objects.count() == 1


def test_check_in_twice_counts_once_and_the_quorum_shows_it(client, coordinator, world):
    meeting = svc.meeting_call(
        actor=coordinator, title="例会", starts_at=dt.datetime.fromisoformat(iso(9, 19)),
        ends_at=dt.datetime.fromisoformat(iso(9, 21)), place="社区会议室",
    )  # fmt: skip
    client.force_login(coordinator)
    attendees = list(Attendee.objects.filter(meeting=meeting))
    url = f"/api/council/meetings/{meeting.pk}/attendees/{attendees[0].pk}/check-in"

    first, second = post(client, url).json(), post(client, url).json()
    post(client, f"/api/council/meetings/{meeting.pk}/attendees/{attendees[1].pk}/check-in")
    quorum = client.get(f"/api/council/meetings/{meeting.pk}/quorum").json()

    assert first["checked_in_now"] and not second["checked_in_now"]
    assert second["quorum"]["present"] == 1
    assert quorum["present"] == 2 and quorum["met"]

    client.force_login(world["resident"])
    assert post(client, url).status_code == 404


def test_proposals_decisions_and_minutes(client, coordinator, world):
    meeting = svc.meeting_call(
        actor=coordinator, title="例会", starts_at=dt.datetime.fromisoformat(iso(9, 19)),
        ends_at=dt.datetime.fromisoformat(iso(9, 21)), place="社区会议室",
    )  # fmt: skip
    base = f"/api/council/meetings/{meeting.pk}"
    client.force_login(world["resident"])
    proposed = post(client, f"{base}/agenda", {"title": "路灯维修"}).json()
    assert proposed["status"] == "proposed"
    assert (
        post(client, f"{base}/agenda/{proposed['id']}/decide", {"accept": True}).status_code == 404
    )

    client.force_login(coordinator)
    refused = post(client, f"{base}/agenda/{proposed['id']}/decide", {"accept": False})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "reason"
    accepted = post(client, f"{base}/agenda/{proposed['id']}/decide", {"accept": True}).json()
    assert accepted["status"] == "accepted"
    written = client.put(
        f"{base}/minutes", data={"body": "纪要正文"}, content_type="application/json"
    )
    assert written.json()["approved"] is False

    client.force_login(world["resident"])
    assert client.get(base).json()["minutes"] is None

    client.force_login(coordinator)
    assert post(client, f"{base}/minutes/approve").json()["approved"] is True
    again = client.put(f"{base}/minutes", data={"body": "改"}, content_type="application/json")
    assert again.status_code == 400

    client.force_login(world["resident"])
    assert client.get(base).json()["minutes"]["body"] == "纪要正文"


def test_delegates_are_listed_appointed_and_ended(client, coordinator, world, in_community):
    newcomer = ResidentFactory(household__building__compound__community=in_community, name="孙丽华")
    client.force_login(world["resident"])
    assert {d["name"] for d in client.get("/api/council/delegates").json()["items"]} == {
        "王秀英", "刘建国"
    }  # fmt: skip
    assert post(client, "/api/council/delegates", {"resident_id": newcomer.pk}).status_code == 404

    client.force_login(coordinator)
    made = post(client, "/api/council/delegates", {"resident_id": newcomer.pk, "kind": "partner"})
    assert made.status_code == 201 and made.json()["kind_label"] == "驻区单位代表"
    twice = post(client, "/api/council/delegates", {"resident_id": newcomer.pk})
    assert twice.status_code == 400

    ended = client.delete(f"/api/council/delegates/{made.json()['id']}")
    assert ended.status_code == 200 and ended.json()["until"] == timezone.localdate().isoformat()
    assert not Delegate.objects.filter(resident=newcomer, until__isnull=True).exists()
