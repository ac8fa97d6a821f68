"""Council meeting and delegate pages, as a coordinator and a resident see them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kuihua.accounts.models import Role, User
from kuihua.accounts.tests.factories import UserFactory
from kuihua.council import meetings as svc
from kuihua.council.models import AgendaItem, Attendee, Delegate, Meeting
from kuihua.registry.tests.factories import ResidentFactory
from kuihua.venues.tests.factories import RoomFactory

pytestmark = pytest.mark.django_db


def local(days: int, hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def world(in_community, compound, coordinator):
    people = [
        ResidentFactory(household__building__compound=compound, name=name)
        for name in ("王秀英", "刘建国", "陈美华")
    ]
    for person in people:
        svc.delegate_appoint(actor=coordinator, resident=person)
    resident = UserFactory(
        username="wangxy", role=Role.RESIDENT, community=in_community, resident=people[0]
    )
    room = RoomFactory(community=in_community, name="议事厅")
    meeting = svc.meeting_call(
        actor=coordinator,
        title="加装电梯议事会",
        starts_at=local(10, 19),
        ends_at=local(10, 21),
        room=room,
        agenda=["加装电梯方案"],
    )
    return {"people": people, "resident": resident, "room": room, "meeting": meeting}


def page(client, name, *args, **kwargs):
    return client.get(reverse(name, args=args), **kwargs)


def test_the_list_shows_meetings_to_come_and_links_to_them(client, coordinator, world):
    client.force_login(coordinator)

    html = page(client, "council:meeting_list").content.decode()

    assert "加装电梯议事会" in html and "议事厅" in html
    assert reverse("council:meeting_detail", args=[world["meeting"].pk]) in html
    assert "召集会议" in html


def test_a_coordinator_calls_a_meeting_from_the_form(client, coordinator, world):
    client.force_login(coordinator)
    form = page(client, "council:meeting_call").content.decode()
    assert "议事厅" in form

    response = client.post(
        reverse("council:meeting_call"),
        {
            "title": "停车难议事会",
            "starts_at": local(12, 19).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": local(12, 21).strftime("%Y-%m-%dT%H:%M"),
            "room": world["room"].pk,
            "agenda": "停车位划线\n外来车辆管理",
        },
        follow=True,
    )

    html = response.content.decode()
    assert "已召集会议“停车难议事会”，已通知 3 位议事代表" in html
    assert "外来车辆管理" in html


def test_too_little_notice_is_said_on_the_form_and_nothing_is_called(client, coordinator, world):
    client.force_login(coordinator)

    response = client.post(
        reverse("council:meeting_call"),
        {
            "title": "临时会议",
            "starts_at": local(2, 19).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": local(2, 21).strftime("%Y-%m-%dT%H:%M"),
            "place": "社区广场",
        },
    )

    assert response.status_code == 200
    assert "会议须提前 7 天通知" in response.content.decode()
    assert not Meeting.objects.filter(title="临时会议").exists()


def test_a_resident_proposes_an_item_and_sees_the_answer(client, coordinator, world):
    meeting = world["meeting"]
    client.force_login(world["resident"])
    response = client.post(
        reverse("council:meeting_agenda", args=[meeting.pk]), {"title": "垃圾分类"}, follow=True
    )
    assert "已提交议程建议“垃圾分类”，等待社区审核" in response.content.decode()
    item = AgendaItem.objects.get(title="垃圾分类")

    client.force_login(coordinator)
    response = client.post(
        reverse("council:agenda_decide", args=[meeting.pk, item.pk]),
        {"accept": "0", "reason": "下月专题会讨论"},
        follow=True,
    )
    assert "不列入议程" in response.content.decode()

    client.force_login(world["resident"])
    html = page(client, "council:meeting_detail", meeting.pk).content.decode()
    assert "未采纳" in html and "下月专题会讨论" in html
    assert "加装电梯方案" in html


def test_the_attendance_page_checks_in_and_shows_the_quorum(client, coordinator, world):
    meeting = world["meeting"]
    client.force_login(coordinator)
    html = page(client, "council:meeting_attendance", meeting.pk).content.decode()
    assert "还差 2 人" in html and "<svg" in html
    assert 'hx-trigger="every 5s"' in html

    for person in world["people"][:2]:
        attendee = Attendee.objects.get(meeting=meeting, resident=person)
        url = reverse("council:attendee_check_in", args=[meeting.pk, attendee.pk])
        response = client.post(url, follow=True)
        assert f"{person.name} 已签到" in response.content.decode()
    again = client.post(url, follow=True).content.decode()

    assert "之前已签到，不重复计算" in again
    fragment = page(
        client, "council:meeting_quorum", meeting.pk, headers={"HX-Request": "true"}
    ).content.decode()
    assert "已达到法定人数" in fragment and "<html" not in fragment


def test_the_qr_page_checks_the_invitee_in(client, world, clock):
    meeting = world["meeting"]
    clock.move_to(meeting.starts_at - dt.timedelta(minutes=5))
    client.force_login(world["resident"])
    url = reverse("council:meeting_checkin", args=[meeting.checkin_code])

    assert "我已到会，签到" in client.get(url).content.decode()
    html = client.post(url, follow=True).content.decode()

    assert "签到成功" in html and "您已于" in html
    assert Attendee.objects.get(meeting=meeting, resident=world["people"][0]).method == "qr"


def test_residents_do_not_take_attendance_or_see_draft_minutes(client, coordinator, world):
    meeting = world["meeting"]
    svc.minutes_write(actor=coordinator, meeting=meeting, body="草稿内容")
    client.force_login(world["resident"])

    assert page(client, "council:meeting_attendance", meeting.pk).status_code == 404
    assert "草稿内容" not in page(client, "council:meeting_detail", meeting.pk).content.decode()

    client.force_login(coordinator)
    client.post(reverse("council:minutes_approve", args=[meeting.pk]))
    client.force_login(world["resident"])
    assert "草稿内容" in page(client, "council:meeting_detail", meeting.pk).content.decode()


def test_cancelling_from_the_page_says_so(client, coordinator, world):
    meeting = world["meeting"]
    client.force_login(coordinator)

    html = client.post(
        reverse("council:meeting_cancel", args=[meeting.pk]), {"reason": "台风"}, follow=True
    ).content.decode()

    assert "会议“加装电梯议事会”已取消，会议室已释放" in html


def test_the_delegates_page_appoints_trains_and_ends(client, coordinator, world, in_community):
    client.force_login(coordinator)
    newcomer = ResidentFactory(household__building__compound__community=in_community, name="孙丽华")

    html = client.post(
        reverse("council:delegate_list"),
        {"action": "appoint", "resident": newcomer.pk, "kind": "property_manager"},
        follow=True,
    ).content.decode()
    assert "已聘任 孙丽华 为议事代表" in html and "物业代表" in html

    wang = Delegate.objects.get(resident=world["people"][0])
    html = client.post(
        reverse("council:delegate_list"),
        {
            "action": "training",
            "delegate": wang.pk,
            "completed_on": timezone.localdate().isoformat(),
        },
        follow=True,
    ).content.decode()
    assert "已登记 王秀英 的议事代表培训" in html and "已培训" in html

    html = client.post(
        reverse("council:delegate_end", args=[wang.pk]), follow=True
    ).content.decode()
    assert "王秀英 已卸任议事代表" in html and "已卸任" in html


def test_an_unknown_resident_number_is_said_and_nothing_changes(client, coordinator, world):
    client.force_login(coordinator)
    before = Delegate.objects.count()

    html = client.post(
        reverse("council:delegate_list"),
        {"action": "appoint", "resident": 999999, "kind": "resident"},
    ).content.decode()

    assert "找不到该居民" in html
    assert Delegate.objects.count() == before


def test_a_resident_reads_the_delegates_but_changes_nothing(client, world):
    client.force_login(world["resident"])

    html = page(client, "council:delegate_list").content.decode()

    assert "王秀英" in html and "聘任议事代表" not in html
    assert client.post(reverse("council:delegate_list"), {"action": "appoint"}).status_code == 404
    assert User.objects.filter(username="wangxy").exists()


def test_the_lists_take_as_many_queries_for_many_rows_as_for_few(
    client, coordinator, world, in_community
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(coordinator)

    def queries(name: str) -> int:
        with CaptureQueriesContext(connection) as seen:
            assert page(client, name).status_code == 200
        return len(seen)

    few = (queries("council:meeting_list"), queries("council:delegate_list"))
    for days in (11, 12, 13):
        svc.meeting_call(
            actor=coordinator,
            title=f"例会{'一二三'[days - 11]}",
            starts_at=local(days, 19),
            ends_at=local(days, 21),
            room=world["room"],
        )
        svc.delegate_appoint(
            actor=coordinator,
            resident=ResidentFactory(household__building__compound__community=in_community),
        )

    assert (queries("council:meeting_list"), queries("council:delegate_list")) == few


def test_a_coordinator_finds_the_resident_to_appoint_by_pinyin_as_they_type(
    client, coordinator, world, in_community
):
    ResidentFactory(household__building__compound__community=in_community, name="孙丽华")
    client.force_login(coordinator)

    page_html = page(client, "council:delegate_list").content.decode()
    found = page(client, "council:delegate_list", data={"q": "slh"}, HTTP_HX_REQUEST="true")

    assert 'name="q"' in page_html and "居民编号" not in page_html
    html = found.content.decode()
    assert "孙丽华" in html and "<select" in html and "<h1>" not in html


def test_no_training_form_while_no_delegate_has_an_account(client, coordinator, in_community):
    client.force_login(coordinator)
    svc.delegate_appoint(
        actor=coordinator,
        resident=ResidentFactory(household__building__compound__community=in_community),
    )

    html = page(client, "council:delegate_list").content.decode()

    assert "聘任议事代表" in html and "登记代表培训" not in html
