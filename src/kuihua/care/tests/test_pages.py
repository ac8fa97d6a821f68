"""The alert page: the duty officer acknowledges and resolves; others get 404."""

import pytest

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.care import duty
from kuihua.care.models import Alert
from kuihua.care.services import CareError
from kuihua.care.tests.factories import care_world
from kuihua.core.tests.clock import days_from_today
from kuihua.registry.models import EmergencyContact
from kuihua.registry.tests.factories import ResidentFactory
from kuihua.training.services import training_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(in_community, coordinator):
    resident = ResidentFactory(household__building__compound__community=in_community, name="张桂芳")
    EmergencyContact.objects.create(
        resident=resident, name="张小明", relation="儿子", phone="13800001111"
    )
    return care_world(coordinator=coordinator, resident=resident)


def test_the_duty_officer_sees_the_contacts_in_order_acknowledges_and_resolves(
    client, coordinator, world
):
    client.force_login(coordinator)
    url = f"/care/alerts/{world['alert'].pk}/"

    page = client.get(url)
    assert "张桂芳" in page.content.decode()
    assert "张小明" in page.content.decode()

    client.post(url, {"action": "acknowledge"})
    refused = client.post(url, {"action": "resolve", "outcome": ""})
    assert "请选择处理结果" in refused.content.decode()
    client.post(url, {"action": "resolve", "outcome": "visited", "note": "已上门，老人摔倒已扶起"})

    alert = Alert.objects.get(pk=world["alert"].pk)
    assert (alert.acknowledged_by, alert.outcome) == (coordinator, "visited")


def test_a_volunteer_cannot_open_an_alert(client, in_community, world):
    client.force_login(UserFactory(role=Role.VOLUNTEER, community=in_community))

    assert client.get(f"/care/alerts/{world['alert'].pk}/").status_code == 404


def test_the_persons_visitor_follows_the_alert_link_and_acknowledges(client, in_community, world):
    visitor = UserFactory(role=Role.VOLUNTEER, community=in_community)
    recipient = world["recipient"]
    recipient.primary_visitor = visitor
    recipient.save(update_fields=["primary_visitor"])
    url = f"/care/alerts/{world['alert'].pk}/"
    client.force_login(visitor)

    assert client.get(url).status_code == 200
    client.post(url, {"action": "acknowledge"})

    assert Alert.objects.get(pk=world["alert"].pk).acknowledged_by == visitor
    assert client.get("/care/").url == "/care/visits/"  # the board is the duty officer's


def test_the_volunteer_holding_the_current_shift_is_the_duty_officer(client, in_community, world):
    import datetime as dt

    from django.utils import timezone

    from kuihua.care.models import DutyShift

    officer = UserFactory(role=Role.VOLUNTEER, community=in_community)
    client.force_login(officer)
    assert client.get("/care/").status_code == 302
    DutyShift.objects.create(
        day=timezone.localdate(),
        index=7,
        starts=dt.time(0, 0),
        ends=dt.time(23, 59, 59),
        user=officer,
    )

    assert client.get("/care/").status_code == 200
    url = f"/care/alerts/{world['alert'].pk}/"
    client.post(url, {"action": "resolve", "outcome": "found_well", "note": "电话联系上了"})
    assert Alert.objects.get(pk=world["alert"].pk).resolved_by == officer


def test_the_saved_link_checks_in_with_one_tap_and_quiets_the_window(client, coordinator, world):
    from kuihua.care import services
    from kuihua.care.models import CheckIn

    recipient = world["recipient"]
    token = services.self_link_issue(actor=coordinator, recipient=recipient)
    url = f"/care/me/{token}/"

    page = client.get(url)
    assert page.status_code == 200
    assert "桂芳，您好" in page.content.decode()
    assert "我很好" in page.content.decode()
    tapped = client.post(url)

    assert "已签到" in tapped.content.decode()
    made = CheckIn.objects.filter(recipient=recipient, channel="self", result="well")
    assert made.count() == 1
    recipient.refresh_from_db()
    assert recipient.last_check_in_at == made.get().at


def test_a_wrong_link_shows_nothing(client, world):
    assert client.get("/care/me/not-a-real-link/").status_code == 404
    assert client.post("/care/me/not-a-real-link/").status_code == 404


def test_the_board_is_for_the_duty_officer_and_refreshes_in_place(client, coordinator, world):
    client.force_login(coordinator)

    page = client.get("/care/")
    part = client.get("/care/", headers={"HX-Request": "true"})

    assert page.status_code == 200
    assert "张桂芳" in page.content.decode()
    assert 'hx-trigger="every 30s"' in page.content.decode()
    assert "<html" not in part.content.decode()
    assert "张桂芳" in part.content.decode()


def test_a_visitor_records_a_knock_on_a_phone_and_no_answer_alerts(
    client, in_community, coordinator
):
    import datetime as dt

    from kuihua.care import services
    from kuihua.care.models import Alert, CheckIn

    visitor = UserFactory(role=Role.VOLUNTEER, community=in_community)
    training_record(
        actor=coordinator, user=visitor, course="探访培训", completed_on=dt.date(2026, 1, 1)
    )
    resident = ResidentFactory(household__building__compound__community=in_community, name="孙玉珍")
    recipient = services.recipient_enrol(
        actor=coordinator, resident=resident, primary_visitor=visitor
    )
    client.force_login(visitor)

    assert "孙玉珍" in client.get("/care/visits/").content.decode()
    client.post("/care/visits/", {"recipient": recipient.pk, "result": "well"})
    client.post(
        "/care/visits/", {"recipient": recipient.pk, "result": "no_answer", "note": "敲门无人"}
    )

    assert list(CheckIn.objects.values_list("result", flat=True).order_by("id")) == [
        "well",
        "no_answer",
    ]
    assert Alert.objects.get().kind == "no_answer"


def test_someone_else_cannot_record_a_visit(client, in_community, coordinator, world):
    stranger = UserFactory(role=Role.VOLUNTEER, community=in_community)
    client.force_login(stranger)

    refused = client.post("/care/visits/", {"recipient": world["recipient"].pk, "result": "well"})

    assert refused.status_code == 404


def test_a_coordinator_enrols_a_resident_with_own_windows_and_bad_windows_are_refused(
    client, in_community, coordinator
):
    from kuihua.care.models import CareRecipient

    resident = ResidentFactory(household__building__compound__community=in_community, name="钱淑珍")
    client.force_login(coordinator)

    refused = client.post(
        "/care/people/", {"resident": resident.pk, "risk": "high", "windows": "10:00-08:00"}
    )
    assert "开始要早于结束" in refused.content.decode()
    assert not CareRecipient.objects.exists()

    made = client.post(
        "/care/people/",
        {"resident": resident.pk, "risk": "high", "windows": "07:30-09:30\n15:00-17:00"},
    )

    recipient = CareRecipient.objects.get()
    assert made.url == f"/care/people/{recipient.pk}/"
    assert recipient.windows == [["07:30", "09:30"], ["15:00", "17:00"]]


def test_health_conditions_show_only_on_a_logged_request(client, coordinator, world):
    from kuihua.core.models import AccessLog

    recipient = world["recipient"]
    recipient.conditions = "高血压，心脏支架术后"
    recipient.save(update_fields=["conditions"])
    client.force_login(coordinator)
    url = f"/care/people/{recipient.pk}/"

    assert "心脏支架" not in client.get(url).content.decode()
    shown = client.post(url, {"action": "conditions"})

    assert "心脏支架" in shown.content.decode()
    assert AccessLog.objects.filter(user=coordinator, subject_id=recipient.resident_id).exists()


def test_the_duty_officer_records_a_call_and_generates_the_rota(client, coordinator, world):
    from kuihua.care.models import CheckIn, DutyShift

    client.force_login(coordinator)
    recipient = world["recipient"]

    client.post(
        f"/care/people/{recipient.pk}/",
        {"action": "call", "result": "well", "note": "电话里说很好"},
    )
    page = client.post("/care/rota/", {"year": 2026, "month": 12})

    assert CheckIn.objects.filter(recipient=recipient, channel="call", result="well").exists()
    assert page.status_code == 200
    assert DutyShift.objects.filter(day__year=2026, day__month=12).count() == 62


def test_a_volunteer_cannot_open_the_coordinators_care_pages(client, in_community, world):
    client.force_login(UserFactory(role=Role.VOLUNTEER, community=in_community))

    for url in ("/care/people/", f"/care/people/{world['recipient'].pk}/", "/care/rota/"):
        assert client.get(url).status_code == 404, url


def test_a_volunteer_asks_to_hand_over_a_shift_and_the_coordinator_approves(
    client, coordinator, world
):
    from kuihua.care.models import DutyPreference, DutyShift, SwapRequest

    shift = world["shift"]
    holder = shift.user
    SwapRequest.objects.all().delete()
    busy = set(DutyShift.objects.filter(day=shift.day).values_list("user_id", flat=True))
    taker = next(p.user for p in DutyPreference.objects.all() if p.user_id not in busy)
    client.force_login(holder)

    assert str(shift.day) in client.get("/care/duty/").content.decode()
    client.post("/care/duty/", {"shift": shift.pk, "to_user": taker.pk})
    swap = SwapRequest.objects.get()

    client.force_login(coordinator)
    client.post("/care/rota/", {"action": "decide", "swap": swap.pk, "approve": "1"})

    shift.refresh_from_db()
    assert shift.user == taker


def test_a_shift_is_never_handed_to_another_communitys_volunteer(client, world, other_community):
    from kuihua.care.models import DutyPreference, SwapRequest
    from kuihua.core.tenancy import use_community

    with use_community(other_community):
        outsider = UserFactory(
            role=Role.VOLUNTEER, community=other_community, username="wenxin_duty"
        )
        DutyPreference.objects.create(user=outsider)
    shift = world["shift"]
    SwapRequest.objects.all().delete()
    client.force_login(shift.user)

    page = client.get("/care/duty/").content.decode()
    asked = client.post("/care/duty/", {"shift": shift.pk, "to_user": outsider.pk})

    assert "wenxin_duty" not in page
    assert "请选择接班的志愿者" in asked.content.decode()
    assert not SwapRequest.objects.exists()
    with pytest.raises(CareError, match="请选择接班的志愿者"):
        duty.swap_request(actor=shift.user, shift=shift, to_user=outsider)


def test_a_mangled_swap_decision_is_a_404_not_a_500(client, coordinator, world):
    client.force_login(coordinator)

    for swap in ("abc", "", "99999999999999999999999"):
        refused = client.post("/care/rota/", {"action": "decide", "swap": swap, "approve": "1"})
        assert refused.status_code == 404, swap


def test_a_coordinator_records_training_so_the_volunteer_can_visit(
    client, in_community, coordinator
):
    from kuihua.training.models import TrainingRecord

    volunteer = UserFactory(role=Role.VOLUNTEER, community=in_community, username="xiaoli")
    client.force_login(coordinator)
    before = client.get("/care/people/").content.decode()
    assert (
        f'value="{volunteer.pk}"'
        not in before[before.index('name="primary_visitor"') :].split("</select>")[0]
    )

    client.post(
        "/care/people/",
        {
            "action": "training",
            "user": volunteer.pk,
            "course": "探访培训",
            "completed_on": days_from_today(-14).isoformat(),
        },
    )
    page = client.get("/care/people/").content.decode()

    assert TrainingRecord.objects.filter(user=volunteer).exists()
    visitor_choice = page[page.index('name="primary_visitor"') :].split("</select>")[0]
    assert f'value="{volunteer.pk}"' in visitor_choice  # now offered as a visitor


def test_a_regular_service_of_the_care_plan_goes_to_the_matching(client, coordinator, world):
    from kuihua.matching.models import Need, ServiceCategory

    recipient = world["recipient"]
    meals = ServiceCategory.objects.get(code="meal_delivery")
    client.force_login(coordinator)

    done = client.post(
        f"/care/people/{recipient.pk}/",
        {"action": "service", "category": meals.pk, "recurrence": "weekdays"},
    )

    need = Need.objects.get(resident=recipient.resident)
    assert (need.category, need.recurrence, need.status) == (meals, "weekdays", "open")
    assert done.url == f"/matching/needs/{need.pk}/"


def test_a_volunteer_states_when_they_can_take_the_duty_line(client, in_community):
    from kuihua.care.models import DutyPreference

    volunteer = UserFactory(role=Role.VOLUNTEER, community=in_community)
    client.force_login(volunteer)
    fields = {
        "action": "preference",
        "days": "workdays",
        "max_shifts_per_month": 4,
        "max_consecutive_days": 2,
    }

    refused = client.post("/care/duty/", {**fields, "unavailable": "12月1日"})
    assert "不是日期" in refused.content.decode()
    assert not DutyPreference.objects.exists()

    client.post("/care/duty/", {**fields, "unavailable": "2026-12-03\n2026-12-01"})

    preference = DutyPreference.objects.get(user=volunteer)
    assert (preference.days, preference.unavailable) == ("workdays", ["2026-12-01", "2026-12-03"])


def test_the_enrol_form_assigns_a_primary_and_backup_visitors(client, in_community, coordinator):
    import datetime as dt

    from kuihua.care.models import CareRecipient

    trained = []
    for name in ("primary", "backup"):
        user = UserFactory(role=Role.VOLUNTEER, community=in_community, username=name)
        training_record(
            actor=coordinator, user=user, course="探访培训", completed_on=dt.date(2026, 1, 1)
        )
        trained.append(user)
    resident = ResidentFactory(household__building__compound__community=in_community)
    client.force_login(coordinator)

    client.post(
        "/care/people/",
        {
            "resident": resident.pk,
            "risk": "medium",
            "primary_visitor": trained[0].pk,
            "backup_visitors": [trained[1].pk],
        },
    )

    recipient = CareRecipient.objects.get()
    assert recipient.primary_visitor == trained[0]
    assert list(recipient.backup_visitors.all()) == [trained[1]]
