"""Council topics: raised by whom the rules allow, supported once however many taps,
merged without counting anyone twice, scheduled onto an agenda, answered to the raiser;
the pages and the API as a resident and a coordinator use them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.council import topics as svc
from kuihua.council.models import AgendaItem, Topic, TopicSupport
from kuihua.council.procedure import rules_adopt_first
from kuihua.council.tests.factories import meeting_for
from kuihua.notifications.models import Message
from kuihua.registry.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(in_community, compound):
    person = ResidentFactory(household__building__compound=compound, name="王秀英")
    return UserFactory(
        username="wangxy", role=Role.RESIDENT, community=in_community, resident=person
    )


@pytest.fixture
def neighbour(in_community, compound):
    person = ResidentFactory(household__building__compound=compound, name="刘建国")
    return UserFactory(
        username="liujg", role=Role.RESIDENT, community=in_community, resident=person
    )


def raise_one(user, title="楼道堆物清理", **kwargs) -> Topic:
    return svc.topic_raise(actor=user, title=title, body="三楼楼道堆满杂物", **kwargs)


# --- services -------------------------------------------------------------------------------


def test_a_resident_raises_a_topic_as_themselves(resident, compound):
    topic = raise_one(resident, compound=compound)

    assert topic.resident == resident.resident
    assert topic.raised_by == resident
    assert topic.status == Topic.Status.OPEN
    assert svc.raiser_label(topic) == "王秀英"


def test_a_coordinator_records_a_topic_on_behalf_of_the_property_manager(in_community, coordinator):
    topic = raise_one(
        coordinator,
        title="地下车库照明改造",
        on_behalf_of="property_manager",
        on_behalf_name="绿城物业",
    )

    assert topic.resident is None
    assert topic.raised_by == coordinator
    assert svc.raiser_label(topic) == "物业服务企业：绿城物业"


def test_a_resident_may_not_record_for_a_unit(resident):
    with pytest.raises(svc.TopicError):
        raise_one(resident, on_behalf_of="department", on_behalf_name="街道城管科")
    assert not Topic.objects.exists()


def test_rules_for_delegates_only_refuse_a_resident(in_community, coordinator, resident):
    rules_adopt_first(actor=coordinator, who_may_raise="delegates")

    with pytest.raises(svc.TopicError, match="议事代表"):
        raise_one(resident)

    assert not Topic.objects.exists()


def test_supporting_twice_counts_once_and_withdrawing_takes_it_back(resident, neighbour):
    topic = raise_one(resident)

    assert svc.topic_support(actor=neighbour, topic=topic) is True
    assert svc.topic_support(actor=neighbour, topic=topic) is False

    topic.refresh_from_db()
    assert topic.supporters == 1
    svc.topic_support_withdraw(actor=neighbour, topic=topic)
    topic.refresh_from_db()
    assert topic.supporters == 0


def test_a_merge_counts_a_person_who_supported_both_once(resident, neighbour, coordinator):
    target = raise_one(resident, title="小区停车难")
    duplicate = raise_one(neighbour, title="停车位不够")
    svc.topic_support(actor=neighbour, topic=target)
    svc.topic_support(actor=neighbour, topic=duplicate)
    svc.topic_support(actor=coordinator, topic=duplicate)

    svc.topic_merge(actor=coordinator, topic=duplicate, into=target)

    target.refresh_from_db()
    duplicate.refresh_from_db()
    assert target.supporters == 2
    assert TopicSupport.objects.filter(topic=target).count() == 2
    assert duplicate.status == Topic.Status.MERGED and duplicate.merged_into == target
    with pytest.raises(svc.TopicError):
        svc.topic_support(actor=resident, topic=duplicate)


def test_scheduling_puts_the_topic_on_the_agenda(resident, coordinator):
    topic = raise_one(resident)
    meeting = meeting_for(coordinator=coordinator)

    item = svc.topic_schedule(actor=coordinator, topic=topic, meeting=meeting)

    topic.refresh_from_db()
    assert topic.status == Topic.Status.SCHEDULED
    assert AgendaItem.objects.get(pk=item.pk).topic == topic
    assert list(meeting.agenda.values_list("title", flat=True)) == ["楼道堆物清理"]


def test_an_answer_tells_the_raiser_and_shows_on_the_page(
    client, resident, coordinator, django_capture_on_commit_callbacks
):
    topic = raise_one(resident)

    with django_capture_on_commit_callbacks(execute=True):
        svc.topic_answer(actor=coordinator, topic=topic, answer="物业已安排本周六集中清理")

    told = Message.objects.get(recipient=resident, kind="council.topic")
    assert "楼道堆物清理" in told.title
    assert told.link == reverse("council:topic_detail", args=[topic.pk])
    client.force_login(resident)
    html = client.get(told.link).content.decode()
    assert "物业已安排本周六集中清理" in html and "已答复" in html
    with pytest.raises(svc.TopicError):
        svc.topic_schedule(
            actor=coordinator, topic=topic, meeting=meeting_for(coordinator=coordinator)
        )


# --- pages ----------------------------------------------------------------------------------


def test_a_resident_raises_a_topic_on_the_page_and_supports_another(
    client, resident, neighbour, compound
):
    other = raise_one(neighbour, title="小区停车难")
    client.force_login(resident)

    response = client.post(
        reverse("council:topic_create"),
        {"title": "加装电梯", "body": "老人上下楼不便", "compound": compound.pk},
        follow=True,
    )

    html = response.content.decode()
    assert "议题已提出" in html and "加装电梯" in html and "翠苑一区" in html
    assert Topic.objects.get(title="加装电梯").resident == resident.resident
    url = reverse("council:topic_detail", args=[other.pk])
    client.post(url, {"action": "support"})
    html = client.post(url, {"action": "support"}, follow=True).content.decode()
    assert "不会重复计数" in html
    other.refresh_from_db()
    assert other.supporters == 1
    listing = client.get(reverse("council:topic_list"), {"status": "open"}).content.decode()
    assert "加装电梯" in listing and "小区停车难" in listing and 'class="responsive"' in listing


def test_a_coordinator_schedules_from_the_page_and_an_empty_answer_changes_nothing(
    client, resident, coordinator
):
    topic = raise_one(resident)
    meeting = meeting_for(coordinator=coordinator, title="第三季度议事会")
    client.force_login(coordinator)
    url = reverse("council:topic_detail", args=[topic.pk])
    assert "第三季度议事会" in client.get(url).content.decode()

    html = client.post(url, {"action": "answer", "answer": " "}, follow=True).content.decode()
    assert "没有办成" in html
    html = client.post(
        url, {"action": "schedule", "meeting": meeting.pk}, follow=True
    ).content.decode()

    assert "议题已列入会议议程" in html
    topic.refresh_from_db()
    assert topic.status == Topic.Status.SCHEDULED and topic.answer == ""


# --- API ------------------------------------------------------------------------------------


def post(client, url, body=None):
    return client.post(url, data=body or {}, content_type="application/json")


def test_the_api_raises_supports_and_answers(client, resident, neighbour, coordinator):
    client.force_login(resident)
    created = post(client, "/api/council/topics", {"title": "垃圾分类亭搬迁"})
    assert created.status_code == 201, created.content
    topic_id = created.json()["id"]

    client.force_login(neighbour)
    post(client, f"/api/council/topics/{topic_id}/support")
    again = post(client, f"/api/council/topics/{topic_id}/support").json()
    assert again["supporters"] == 1 and again["supported"] is True
    commented = post(client, f"/api/council/topics/{topic_id}/comments", {"body": "同意搬迁"})
    assert commented.status_code == 201
    assert commented.json()["comments"][0]["author_name"] == str(neighbour)
    withdrawn = client.delete(f"/api/council/topics/{topic_id}/support").json()
    assert withdrawn["supporters"] == 0

    client.force_login(coordinator)
    answered = post(client, f"/api/council/topics/{topic_id}/answer", {"answer": "下月搬到东门"})
    assert answered.json()["status"] == "answered"
    listed = client.get("/api/council/topics", {"status": "answered"}).json()
    assert [t["id"] for t in listed["items"]] == [topic_id]


def test_the_api_refuses_a_merge_into_itself_with_a_400(client, resident, coordinator):
    topic = raise_one(resident)
    client.force_login(coordinator)

    response = post(client, f"/api/council/topics/{topic.pk}/merge", {"into_topic_id": topic.pk})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "into_topic_id", "message": "不能合并到议题本身"}
    ]
    topic.refresh_from_db()
    assert topic.status == Topic.Status.OPEN
