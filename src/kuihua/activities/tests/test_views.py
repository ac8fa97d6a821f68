"""Activity pages: one-tap sign-up on a phone; organizers manage; 404 for others."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.activities.attendance import qr_token
from kuihua.activities.models import Activity, Attendance, Series, Signup
from kuihua.activities.signups import services as signups
from kuihua.activities.tests.factories import ActivityFactory, SignupFactory
from kuihua.core.tests.clock import at, days_from_today, next_weekday
from kuihua.organizations.models import Membership
from kuihua.organizations.tests.factories import MembershipFactory, OrganizationFactory
from kuihua.training.services import training_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(in_community):
    return OrganizationFactory(community=in_community, name="翠苑志愿服务队")


@pytest.fixture
def leader(org):
    membership = MembershipFactory(organization=org, role=Membership.Role.LEADER)
    return UserFactory(
        username="leader",
        role=Role.ORG_LEADER,
        community=org.community,
        resident=membership.resident,
    )


@pytest.fixture
def other_leader(in_community):
    membership = MembershipFactory(
        organization=OrganizationFactory(community=in_community), role=Membership.Role.LEADER
    )
    return UserFactory(
        username="other-leader",
        role=Role.ORG_LEADER,
        community=in_community,
        resident=membership.resident,
    )


@pytest.fixture
def volunteer(org):
    membership = MembershipFactory(organization=org)
    return UserFactory(
        username="volunteer",
        role=Role.VOLUNTEER,
        community=org.community,
        resident=membership.resident,
    )


@pytest.fixture
def activity(org):
    return ActivityFactory(community=org.community, organization=org, title="楼道清洁", places=1)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_volunteer_signs_up_in_one_tap(client, volunteer, activity):
    client.force_login(volunteer)
    page = client.get(reverse("activities:detail", args=[activity.pk]))
    assert "我要报名" in text(page)
    assert 'name="viewport"' in text(page)  # phone-sized page

    response = client.post(reverse("activities:signup", args=[activity.pk]), follow=True)

    assert "报名成功" in text(response)
    assert "您已报名" in text(response)
    assert Signup.objects.get(activity=activity).status == Signup.Status.CONFIRMED


def test_an_untrained_volunteer_is_told_which_training_then_signs_up_once_trained(
    client, volunteer, activity, coordinator
):
    activity.required_training = "探访培训"
    activity.save()
    client.force_login(volunteer)
    page = text(client.get(reverse("activities:detail", args=[activity.pk])))
    assert "需完成的培训" in page
    assert "探访培训" in page

    refused = client.post(reverse("activities:signup", args=[activity.pk]), follow=True)
    assert "报名需先完成「探访培训」" in text(refused)
    assert not Signup.objects.exists()

    training_record(
        actor=coordinator, user=volunteer, course="探访培训", completed_on=days_from_today(-1)
    )
    accepted = client.post(reverse("activities:signup", args=[activity.pk]), follow=True)

    assert "报名成功" in text(accepted)
    assert Signup.objects.get(activity=activity).status == Signup.Status.CONFIRMED


def test_the_leader_names_the_training_an_activity_requires(client, leader, org, coordinator):
    training_record(
        actor=coordinator, user=leader, course="探访培训", completed_on=days_from_today(-1)
    )
    client.force_login(leader)
    form = text(client.get(reverse("activities:create")))
    assert 'name="required_training"' in form
    assert '<datalist id="training-courses"><option value="探访培训">' in form  # known courses

    client.post(
        reverse("activities:create"),
        {
            "organization": org.pk,
            "title": "独居老人探访",
            "starts_at": f"{days_from_today(8)}T09:00",
            "ends_at": f"{days_from_today(8)}T11:00",
            "address": "翠苑一区",
            "audience": "volunteers",
            "required_training": " 探访培训 ",
            "publish": "on",
        },
    )

    activity = Activity.objects.get(title="独居老人探访")
    assert activity.required_training == "探访培训"
    edit = text(client.get(reverse("activities:edit", args=[activity.pk])))
    assert 'name="required_training"' in edit and 'value="探访培训"' in edit


def test_activity_dates_are_written_in_the_readers_language(client, volunteer, org):
    day = days_from_today(40)
    starts = at(day, 9)
    activity = ActivityFactory(
        community=org.community,
        organization=org,
        title="读书会",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
    )
    client.force_login(volunteer)
    detail, listing = reverse("activities:detail", args=[activity.pk]), reverse("activities:list")

    chinese = text(client.get(detail)), text(client.get(listing))
    client.cookies["django_language"] = "en"
    english = text(client.get(detail)), text(client.get(listing))

    month_day = f"{day.month}月{day.day}日"
    assert f"{day.year}年{month_day}" in chinese[0]
    assert month_day in chinese[1]
    with translation.override("en"):
        long_english = date_format(day, "DATE_FORMAT")  # "March 5, 2031", "Jan. 13, 2027"
    assert long_english.endswith(f" {day.day}, {day.year}")
    assert long_english in english[0]
    assert f"{day:%b} {day.day}" in english[1]
    assert month_day not in english[0] + english[1]


def test_a_full_activity_puts_the_volunteer_on_the_waitlist_with_the_position(
    client, volunteer, activity
):
    SignupFactory(activity=activity)
    client.force_login(volunteer)
    page = client.get(reverse("activities:detail", args=[activity.pk]))
    assert "报名候补" in text(page)

    response = client.post(reverse("activities:signup", args=[activity.pk]), follow=True)

    assert "已进入候补，第 1 位" in text(response)
    assert "您在候补名单中，第 1 位" in text(response)


def test_cancelling_ones_own_signup(client, volunteer, activity):
    client.force_login(volunteer)
    client.post(reverse("activities:signup", args=[activity.pk]))
    response = client.post(reverse("activities:signup_cancel", args=[activity.pk]), follow=True)
    assert "已取消报名" in text(response)
    assert Signup.objects.get().status == Signup.Status.CANCELLED


def test_a_promoted_volunteer_confirms_the_offered_place_on_the_page(client, volunteer, activity):
    activity.confirm_within_hours = 12
    activity.save()
    holder = SignupFactory(activity=activity)
    client.force_login(volunteer)
    client.post(reverse("activities:signup", args=[activity.pk]))
    signups.signup_cancel(actor=None, signup=holder)
    page = text(client.get(reverse("activities:detail", args=[activity.pk])))

    response = client.post(reverse("activities:offer_accept", args=[activity.pk]), follow=True)
    again = client.post(reverse("activities:offer_accept", args=[activity.pk]), follow=True)

    assert "有名额空出，请确认参加" in page
    assert "已确认，报名成功" in text(response)
    assert "没有待确认的候补名额" in text(again)
    mine = Signup.objects.get(resident=volunteer.resident)
    assert mine.status == Signup.Status.CONFIRMED


def test_my_activities_show_status_and_waitlist_position(client, volunteer, activity, org):
    SignupFactory(activity=activity)
    SignupFactory(activity=activity, resident=volunteer.resident, status=Signup.Status.WAITLISTED)
    past = ActivityFactory(
        community=org.community,
        organization=org,
        title="上周的义诊",
        starts_at=timezone.now() - dt.timedelta(days=7),
        ends_at=timezone.now() - dt.timedelta(days=7) + dt.timedelta(hours=2),
    )
    signup = SignupFactory(activity=past, resident=volunteer.resident)
    Attendance.objects.create(
        community=org.community,
        signup=signup,
        checked_in_at=past.starts_at,
        checked_out_at=past.ends_at,
    )
    client.force_login(volunteer)
    page = text(client.get(reverse("activities:mine")))
    assert "楼道清洁" in page and "候补第 1 位" in page
    assert "上周的义诊" in page


def test_the_list_shows_what_a_volunteer_may_sign_up_to(client, volunteer, org, in_community):
    ActivityFactory(community=in_community, organization=org, title="本队活动")
    ActivityFactory(
        community=in_community,
        organization=OrganizationFactory(community=in_community),
        title="他队内部活动",
        audience=Activity.Audience.MEMBERS,
    )
    client.force_login(volunteer)
    everything = text(client.get(reverse("activities:list")))
    assert "本队活动" in everything and "他队内部活动" in everything
    mine = text(client.get(reverse("activities:list"), {"mine": "1"}))
    assert "本队活动" in mine and "他队内部活动" not in mine


def test_the_leader_creates_an_activity_for_the_organization(client, leader, org):
    client.force_login(leader)
    response = client.post(
        reverse("activities:create"),
        {
            "organization": org.pk,
            "title": "敬老院探访",
            "starts_at": f"{days_from_today(8)}T09:00",
            "ends_at": f"{days_from_today(8)}T11:00",
            "address": "翠苑敬老院",
            "places": "8",
            "audience": "volunteers",
            "publish": "on",
        },
    )
    activity = Activity.objects.get(title="敬老院探访")
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:manage", args=[activity.pk])
    assert timezone.localtime(activity.starts_at).hour == 9


def test_editing_the_times_on_the_page_lets_the_hours_follow(client, leader, org):
    from decimal import Decimal

    from kuihua.activities.forms import ActivityForm

    day = days_from_today(40)
    starts = at(day, 9)
    activity = ActivityFactory(
        community=org.community,
        organization=org,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        hours_credited=Decimal("2"),
    )
    client.force_login(leader)

    def save(ends: str, **more):
        shown = ActivityForm.initial_from(activity)
        fields = {k: v for k, v in shown.items() if v is not None and k != "publish"}
        fields.update(starts_at=f"{day}T09:00", ends_at=f"{day}T{ends}", **more)
        for name in ("starts_at", "ends_at", "signup_closes_at", "signup_opens_at"):
            if isinstance(fields.get(name), dt.datetime):
                fields[name] = f"{fields[name]:%Y-%m-%dT%H:%M}"
        fields = {k: ("on" if v is True else v) for k, v in fields.items() if v is not False}
        response = client.post(reverse("activities:edit", args=[activity.pk]), fields)
        activity.refresh_from_db()
        return response

    shorter = save("10:00")
    assert shorter.status_code == 302, text(shorter)
    assert activity.hours_credited == Decimal("1.00")
    assert f"已保存对活动 {activity.title} 的修改" in text(client.get(shorter["Location"]))
    save("12:00")
    assert activity.hours_credited == Decimal("3.00")
    save("12:00", hours_credited="2.5")  # typed in: kept
    assert activity.hours_credited == Decimal("2.50")


def test_an_activity_in_a_room_paused_since_can_still_be_edited(client, leader, org):
    from kuihua.activities import services as activity_services
    from kuihua.activities.forms import ActivityForm
    from kuihua.venues.models import Room

    room = Room.objects.create(
        community=org.community, centre="邻里中心", name="书画室", capacity=20
    )
    day = days_from_today(40)
    starts = at(day, 9)
    activity = activity_services.activity_create(
        actor=leader,
        organization=org,
        title="书法课",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        room=room,
    )
    Room.objects.filter(pk=room.pk).update(is_active=False)
    client.force_login(leader)
    shown = ActivityForm.initial_from(activity)
    fields = {k: v for k, v in shown.items() if v not in (None, False) and k != "publish"}
    fields.update(title="书法课（改）", starts_at=f"{day}T09:00", ends_at=f"{day}T11:00")
    fields = {k: ("on" if v is True else v) for k, v in fields.items()}

    response = client.post(reverse("activities:edit", args=[activity.pk]), fields)

    assert response.status_code == 302, text(response)
    activity.refresh_from_db()
    assert (activity.title, activity.room_id) == ("书法课（改）", room.pk)


def test_a_series_is_created_from_the_form(client, leader, org):
    client.force_login(leader)
    response = client.post(
        reverse("activities:series_create"),
        {
            "organization": org.pk,
            "title": "血压测量点",
            "first_day": next_weekday(1).isoformat(),
            "start_time": "08:30",
            "end_time": "10:30",
            "frequency": "weekly",
            "weekdays": ["1", "4"],
            "address": "卫生服务站",
            "audience": "volunteers",
        },
    )
    series = Series.objects.get()
    assert response.status_code == 302
    weekdays = {timezone.localtime(a.starts_at).weekday() for a in series.occurrences.all()}
    assert weekdays == {1, 4}


def test_the_organizer_sees_live_counts_and_marks_attendance(client, leader, activity):
    came = SignupFactory(activity=activity)
    waiting = SignupFactory(activity=activity, status=Signup.Status.WAITLISTED)
    client.force_login(leader)
    page = text(client.get(reverse("activities:manage", args=[activity.pk])))
    assert 'hx-trigger="every 15s"' in page
    assert came.resident.name in page and "候补第 1 位" in page
    assert waiting.resident.name in page

    partial = client.get(
        reverse("activities:manage", args=[activity.pk]), headers={"HX-Request": "true"}
    )
    assert "<html" not in partial.content.decode() and "已签到" in text(partial)

    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    client.post(reverse("activities:mark", args=[activity.pk, came.pk]), {"present": "1"})
    assert Attendance.objects.get(signup=came).checked_out_at is not None


def test_the_qr_screen_shows_an_inline_code_that_refreshes(client, leader, activity):
    client.force_login(leader)
    page = text(client.get(reverse("activities:qr", args=[activity.pk])))
    assert "<svg" in page and "every 10s" in page
    assert f"/activities/scan/?a={activity.pk}&amp;t=" in page


def test_scanning_checks_the_volunteer_in_and_a_stale_code_is_refused(client, volunteer, activity):
    SignupFactory(activity=activity, resident=volunteer.resident)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=10),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    client.force_login(volunteer)
    stale = qr_token(activity, at=timezone.now() - dt.timedelta(days=7))
    refused = client.get(reverse("activities:scan"), {"a": activity.pk, "t": stale})
    assert "二维码已过期，请重新扫描" in text(refused)
    mangled = client.get(reverse("activities:scan"), {"a": activity.pk, "t": "二维码"})
    assert "二维码已过期，请重新扫描" in text(mangled)
    assert not Attendance.objects.exists()

    accepted = client.get(reverse("activities:scan"), {"a": activity.pk, "t": qr_token(activity)})
    assert "签到成功" in text(accepted)
    assert Attendance.objects.get().checked_in_at is not None


def test_a_leader_of_another_organization_gets_404_for_management(client, other_leader, activity):
    client.force_login(other_leader)
    for name in ("manage", "edit", "qr"):
        assert client.get(reverse(f"activities:{name}", args=[activity.pk])).status_code == 404
    assert client.post(reverse("activities:cancel", args=[activity.pk])).status_code == 404
    signup = SignupFactory(activity=activity)
    url = reverse("activities:mark", args=[activity.pk, signup.pk])
    assert client.post(url, {"present": "1"}).status_code == 404
    # The public page is still there for them.
    assert client.get(reverse("activities:detail", args=[activity.pk])).status_code == 200


def test_a_volunteer_cannot_create_activities_or_see_the_overview(client, volunteer):
    client.force_login(volunteer)
    assert client.get(reverse("activities:create")).status_code == 404
    assert client.get(reverse("activities:overview")).status_code == 404


def test_the_coordinators_overview_counts_per_organization(client, coordinator, activity, org):
    SignupFactory(activity=activity)
    month = timezone.localtime(activity.starts_at).strftime("%Y-%m")
    client.force_login(coordinator)
    page = text(client.get(reverse("activities:overview"), {"month": month}))
    assert org.name in page


@pytest.mark.parametrize(
    "name", ["list", "mine", "overview", "create", "series_create", "drive_create", "series_list"]
)
def test_pages_render_for_a_coordinator(client, coordinator, org, name):
    client.force_login(coordinator)
    response = client.get(reverse(f"activities:{name}"))
    assert response.status_code == 200


# --- marking attendance says what it did ------------------------------------------------


def test_marking_arrival_before_the_start_says_it_was_early(client, clock, leader, activity):
    came = SignupFactory(activity=activity)
    clock.move_to(activity.starts_at - dt.timedelta(minutes=3))
    client.force_login(leader)
    start = timezone.localtime(activity.starts_at).strftime("%H:%M")

    response = client.post(
        reverse("activities:mark", args=[activity.pk, came.pk]), {"present": "1"}, follow=True
    )

    assert f"活动 {start} 开始，已提前记录 {came.resident.name} 到场" in text(response)
    assert Attendance.objects.get(signup=came).checked_in_at is not None


def test_marking_with_htmx_says_it_in_the_row_marked(client, clock, leader, org, in_community):
    activity = ActivityFactory(community=in_community, organization=org, places=5)
    came = SignupFactory(activity=activity)
    other = SignupFactory(activity=activity)
    clock.move_to(activity.starts_at + dt.timedelta(minutes=10))
    client.force_login(leader)
    url = reverse("activities:manage", args=[activity.pk])

    response = client.post(
        reverse("activities:mark", args=[activity.pk, came.pk]),
        {"present": "1"},
        headers={"HX-Request": "true"},
    )

    html = text(response)
    assert "<html" not in html
    said = f"已记录 {came.resident.name} 到场"
    row_of_came = html.split(came.resident.name, 1)[1].split(other.resident.name, 1)[0]
    assert said in row_of_came
    # Said once: neither the next poll of the list nor the next page says it again.
    assert said not in text(client.get(url, headers={"HX-Request": "true"}))
    assert said not in text(client.get(url))


def test_marking_absent_and_a_refusal_are_said_too(client, clock, leader, org, in_community):
    activity = ActivityFactory(community=in_community, organization=org, places=5)
    absent = SignupFactory(activity=activity)
    waiting = SignupFactory(activity=activity, status=Signup.Status.WAITLISTED)
    clock.move_to(activity.starts_at + dt.timedelta(minutes=10))
    client.force_login(leader)

    marked = client.post(
        reverse("activities:mark", args=[activity.pk, absent.pk]), {"present": "0"}, follow=True
    )
    refused = client.post(
        reverse("activities:mark", args=[activity.pk, waiting.pk]), {"present": "1"}, follow=True
    )

    assert f"已记录 {absent.resident.name} 缺席" in text(marked)
    assert "只能为已报名（非候补）的人登记签到" in text(refused)


def test_marking_after_the_end_says_the_record_was_made(client, leader, activity):
    came = SignupFactory(activity=activity)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    client.force_login(leader)

    response = client.post(
        reverse("activities:mark", args=[activity.pk, came.pk]), {"present": "1"}, follow=True
    )

    assert f"已记录 {came.resident.name} 到场，已签退并生成服务记录" in text(response)


def test_the_manage_page_says_when_check_outs_close_as_the_task_runs(client, leader, activity):
    from kuihua.activities.attendance import CLOSE_EVERY_MINUTES
    from kuihua.activities.tasks import attendances_close

    client.force_login(leader)
    end = timezone.localtime(activity.ends_at).strftime("%H:%M")

    page = text(client.get(reverse("activities:manage", args=[activity.pk])))

    assert f"活动 {end} 结束后约 {CLOSE_EVERY_MINUTES} 分钟内自动签退并生成服务记录" in page
    assert "活动开始前 1 小时起可以登记到场" in page
    # The words follow the task's schedule: it runs at every CLOSE_EVERY_MINUTES-th minute.
    task = attendances_close.task_class()
    hour = timezone.localtime().replace(second=0, microsecond=0)
    runs = [m for m in range(60) if task.validate_datetime(hour.replace(minute=m))]
    assert runs == list(range(0, 60, CLOSE_EVERY_MINUTES))


# --- the organizer calls someone on the list ------------------------------------------------


def test_the_organizer_reveals_a_phone_and_the_look_is_logged(client, leader, activity):
    from kuihua.core.models import AccessLog

    came = SignupFactory(activity=activity)
    phone = came.resident.phone
    client.force_login(leader)
    page = text(client.get(reverse("activities:manage", args=[activity.pk])))
    assert f"{phone[:3]}****{phone[-4:]}" in page and phone not in page
    assert "查看电话" in page
    assert not AccessLog.objects.exists()

    response = client.post(
        reverse("activities:signup_phone", args=[activity.pk, came.pk]),
        headers={"HX-Request": "true"},
    )

    html = text(response)
    assert f'<a href="tel:{phone}">{phone}</a>' in html and "<html" not in html
    assert "no-store" in response["Cache-Control"]
    log = AccessLog.objects.get()
    assert log.user == leader and log.subject_id == came.resident.pk
    assert log.subject_type == "registry.resident"
    assert log.fields == ["phone"] and log.purpose == f"activity:{activity.pk}"


def test_without_htmx_the_manage_page_shows_the_phone_revealed(client, leader, activity):
    from kuihua.core.models import AccessLog

    came = SignupFactory(activity=activity)
    client.force_login(leader)

    response = client.post(reverse("activities:signup_phone", args=[activity.pk, came.pk]))

    assert f'href="tel:{came.resident.phone}"' in text(response)
    assert "活动管理" in text(response)
    assert AccessLog.objects.count() == 1


def test_others_see_no_whole_phone_and_log_nothing(client, other_leader, volunteer, activity):
    from kuihua.core.models import AccessLog

    came = SignupFactory(activity=activity)
    url = reverse("activities:signup_phone", args=[activity.pk, came.pk])
    for user in (other_leader, volunteer):
        client.force_login(user)
        assert client.post(url).status_code == 404
        detail = text(client.get(reverse("activities:detail", args=[activity.pk])))
        assert came.resident.phone not in detail
    client.force_login(other_leader)
    assert client.get(reverse("activities:manage", args=[activity.pk])).status_code == 404
    assert not AccessLog.objects.exists()


def test_a_get_of_the_phone_reveals_nothing(client, leader, activity):
    from kuihua.core.models import AccessLog

    came = SignupFactory(activity=activity)
    client.force_login(leader)

    response = client.get(reverse("activities:signup_phone", args=[activity.pk, came.pk]))

    assert response.status_code == 405
    assert came.resident.phone not in text(response)
    assert not AccessLog.objects.exists()
