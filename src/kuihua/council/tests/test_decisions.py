"""Decisions tracked to done: progress moves them, a finished one takes no more, overdue
is read from today's date, and the notice board shows it to every role."""

import datetime as dt

import pytest
from django.urls import reverse

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tests.clock import days_from_today, today
from kuihua.council import decisions
from kuihua.council.decisions import DecisionError
from kuihua.council.models import Decision, Topic
from kuihua.notifications.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(community):
    return UserFactory(role=Role.VOLUNTEER, community=community, display_name="钱物业")


def record(coordinator, **extra) -> Decision:
    values = {"title": "清理楼道堆物", "owner_name": "安居物业", "deadline": days_from_today(10)}
    return decisions.decision_record(actor=coordinator, **{**values, **extra})


def test_a_decision_settles_its_topic_and_tells_its_owner(
    in_community, coordinator, owner, django_capture_on_commit_callbacks
):
    topic = Topic.objects.create(title="楼道堆物", raised_by=coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        decision = record(coordinator, topic=topic, owner=owner)

    topic.refresh_from_db()
    assert topic.status == Topic.Status.DECIDED
    message = Message.objects.get(recipient=owner, kind="council.decision")
    assert decision.title in message.title


def test_progress_moves_it_to_done_with_todays_date_and_then_no_further(in_community, coordinator):
    decision = record(coordinator)

    decisions.decision_progress(
        actor=coordinator, decision=decision, note="已联系施工方", status="in_progress"
    )
    decisions.decision_progress(actor=coordinator, decision=decision, note="已完工", status="done")
    decision.refresh_from_db()

    assert (decision.status, decision.done_on) == ("done", today())
    with pytest.raises(DecisionError, match="已办结"):
        decisions.decision_progress(
            actor=coordinator, decision=decision, note="再补一句", status="done"
        )
    assert decision.progress.count() == 2


@pytest.mark.parametrize(
    "values, field",
    [
        ({"title": " "}, "title"),
        ({"owner_name": ""}, "owner_name"),
        ({"deadline": None}, "deadline"),
        ({"deadline": "past"}, "deadline"),
    ],
)
def test_a_decision_without_what_it_needs_is_refused(in_community, coordinator, values, field):
    if values.get("deadline") == "past":
        values["deadline"] = days_from_today(-1)

    with pytest.raises(DecisionError) as caught:
        record(coordinator, **values)

    assert caught.value.field == field
    assert not Decision.objects.exists()


def test_overdue_is_counted_from_today_and_goes_first_on_the_board(
    in_community, coordinator, clock
):
    late = record(coordinator, title="修复井盖", deadline=days_from_today(3))
    on_time = record(coordinator, title="清洗水箱", deadline=days_from_today(30))
    done = record(coordinator, title="更换路灯", deadline=days_from_today(2))
    decisions.decision_progress(actor=coordinator, decision=done, note="已换好", status="done")

    clock.move_to(dt.datetime.now(dt.UTC) + dt.timedelta(days=8))
    rows = decisions.notice_board(coordinator)

    assert [r.decision.pk for r in rows] == [late.pk, on_time.pk, done.pk]
    assert [r.overdue_days for r in rows] == [5, 0, 0]
    assert decisions.overdue_count() == 1


def test_the_notice_board_highlights_the_overdue_for_a_resident_and_a_district_viewer(
    client, in_community, coordinator, community, clock
):
    record(coordinator, title="修复井盖", deadline=days_from_today(1))
    clock.move_to(dt.datetime.now(dt.UTC) + dt.timedelta(days=4))
    resident = UserFactory(role=Role.RESIDENT, community=community)
    viewer = UserFactory(role=Role.DISTRICT_VIEWER, community=None)
    viewer.viewable_communities.add(community)

    for user in (resident, viewer):
        client.force_login(user)
        html = client.get(reverse("council:notice_board")).content.decode()
        assert "修复井盖" in html
        assert 'class="overdue"' in html and "逾期 3 天" in html


def test_a_resident_cannot_record_a_decision_and_the_owner_reports_progress(
    client, in_community, coordinator, community, owner
):
    decision = record(coordinator, owner=owner)
    client.force_login(UserFactory(role=Role.RESIDENT, community=community))
    assert client.get(reverse("council:decision_create")).status_code == 404
    assert (
        client.post(
            reverse("council:decision_detail", args=[decision.pk]),
            {"status": "done", "note": "办好了"},
        ).status_code
        == 404
    )

    client.force_login(owner)
    response = client.post(
        reverse("council:decision_detail", args=[decision.pk]),
        {"status": "in_progress", "note": "材料已采购"},
        follow=True,
    )

    assert "进展已记录" in response.content.decode()
    decision.refresh_from_db()
    assert decision.status == "in_progress"


def test_a_coordinator_records_a_decision_on_the_page(client, in_community, coordinator):
    client.force_login(coordinator)

    response = client.post(
        reverse("council:decision_create"),
        {"title": "增设充电桩", "owner_name": "社区居委会", "deadline": days_from_today(20)},
        follow=True,
    )

    assert "决议已登记" in response.content.decode()
    assert Decision.objects.get().owner_name == "社区居委会"


def test_the_api_records_lists_and_moves_a_decision(client, in_community, coordinator):
    client.force_login(coordinator)

    created = client.post(
        "/api/council/decisions",
        {"title": "增设充电桩", "owner_name": "社区居委会", "deadline": str(days_from_today(5))},
        content_type="application/json",
    )
    decision_id = created.json()["id"]
    moved = client.post(
        f"/api/council/decisions/{decision_id}/progress",
        {"status": "done", "note": "已安装"},
        content_type="application/json",
    )
    again = client.post(
        f"/api/council/decisions/{decision_id}/progress",
        {"status": "done", "note": "再报一次"},
        content_type="application/json",
    )
    listed = client.get("/api/council/decisions?status=done")

    assert created.status_code == 201
    assert moved.status_code == 201 and moved.json()["done_on"] == str(today())
    assert again.status_code == 400 and "已办结" in again.json()["message"]
    assert [d["id"] for d in listed.json()["items"]] == [decision_id]
