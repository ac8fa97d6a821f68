"""Check-ins, the sweep, escalation and notifications: every alarm once, none lost."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.care import alarms, services
from kuihua.care.models import Alert, CareRecipient, CheckIn
from kuihua.care.services import CareError
from kuihua.care.sweep import SWEEP_PERIOD, windows_sweep
from kuihua.notifications.models import Message
from kuihua.registry.tests.factories import ResidentFactory
from kuihua.training.services import training_record

pytestmark = pytest.mark.django_db
IN_MEMORY = connection.vendor == "sqlite" and connection.settings_dict["NAME"] in ("", ":memory:")
ZONE = ZoneInfo(settings.TIME_ZONE)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    """A local time on day `day` of a fixed week (day 1 = Monday 2026-11-30)."""
    day = dt.date(2026, 11, 29) + dt.timedelta(days=day)
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=ZONE)


@pytest.fixture
def visitor(in_community, coordinator):
    user = UserFactory(role=Role.VOLUNTEER, community=in_community, username="visitor")
    training_record(
        actor=coordinator, user=user, course="探访礼仪与应急处置", completed_on=dt.date(2026, 1, 5)
    )
    return user


@pytest.fixture
def enrolled(in_community, coordinator, visitor):
    resident = ResidentFactory(household__building__compound__community=in_community)
    return services.recipient_enrol(
        actor=coordinator, resident=resident, primary_visitor=visitor, now=at(1, 7)
    )


def test_enrolment_watches_the_next_window_and_keeps_conditions_encrypted(enrolled):
    assert (enrolled.next_opens_at, enrolled.next_closes_at) == (at(1, 8), at(1, 10))
    assert enrolled.windows == [["08:00", "10:00"], ["16:00", "18:00"]]


@pytest.mark.parametrize(
    ("windows", "message"),
    [
        ([["10:00", "08:00"]], "早于结束"),
        ([["8点", "10:00"]], "08:00"),
        ([["08:00", "10:00"], ["09:00", "11:00"]], "重叠"),
        ([], "至少"),
    ],
)
def test_bad_windows_are_refused_and_nobody_is_enrolled(
    in_community, coordinator, windows, message
):
    resident = ResidentFactory(household__building__compound__community=in_community)

    with pytest.raises(CareError, match=message):
        services.recipient_enrol(actor=coordinator, resident=resident, windows=windows)

    assert not CareRecipient.objects.exists()


def test_only_trained_volunteers_are_assigned_as_visitors(in_community, coordinator):
    untrained = UserFactory(role=Role.VOLUNTEER, community=in_community)
    resident = ResidentFactory(household__building__compound__community=in_community)

    with pytest.raises(CareError, match="培训") as refused:
        services.recipient_enrol(actor=coordinator, resident=resident, primary_visitor=untrained)

    assert refused.value.field == "primary_visitor"


def test_a_missed_window_raises_one_alert_within_one_sweep_period(enrolled):
    assert windows_sweep(now=at(1, 9, 59)) == 0  # still open

    raised = windows_sweep(now=at(1, 10) + SWEEP_PERIOD)

    assert raised == 1
    alert = Alert.objects.get()
    assert (alert.kind, alert.window_closes_at, alert.while_down) == ("missed", at(1, 10), False)
    assert windows_sweep(now=at(1, 10, 2)) == 0  # never twice
    enrolled.refresh_from_db()
    assert enrolled.next_closes_at == at(1, 18)


def test_a_check_in_during_the_window_keeps_it_quiet(enrolled, visitor):
    services.check_in(actor=visitor, recipient=enrolled, channel="visit", at=at(1, 8, 30))

    assert windows_sweep(now=at(1, 10, 1)) == 0
    # the afternoon window needs its own check-in
    assert windows_sweep(now=at(1, 18, 1)) == 1


def test_windows_missed_while_the_system_was_down_are_each_raised_and_flagged(enrolled):
    raised = windows_sweep(now=at(2, 12))  # down from Monday 07:00 to Tuesday noon

    assert raised == 3  # Mon 10:00, Mon 18:00, Tue 10:00
    assert list(
        Alert.objects.order_by("window_closes_at").values_list("while_down", flat=True)
    ) == [
        True,
        True,
        True,
    ]
    assert windows_sweep(now=at(2, 18, 1)) == 1
    assert not Alert.objects.get(window_closes_at=at(2, 18)).while_down


def test_a_paused_person_raises_nothing_until_the_pause_ends(enrolled, coordinator):
    services.recipient_pause(
        actor=coordinator,
        recipient=enrolled,
        until=dt.date(2026, 12, 1),
        reason="住院",
        now=at(1, 7),
    )

    assert windows_sweep(now=at(2, 23)) == 0
    assert windows_sweep(now=at(3, 10, 1)) == 1  # Wednesday: watched again


def test_a_window_missed_before_a_pause_is_still_raised(enrolled, coordinator):
    # The worker was down from 07:00; the 08:00–10:00 window closed unswept.
    services.recipient_pause(
        actor=coordinator, recipient=enrolled, until=at(2, 0).date(), reason="住院", now=at(1, 11)
    )

    assert windows_sweep(now=at(1, 11, 1)) == 1
    assert Alert.objects.get().window_closes_at == at(1, 10)
    assert windows_sweep(now=at(2, 23)) == 0  # the paused days stay quiet


def test_a_pause_longer_than_a_year_is_refused_and_changes_nothing(enrolled, coordinator):
    with pytest.raises(CareError, match="一次最多暂停一年") as refused:
        services.recipient_pause(
            actor=coordinator, recipient=enrolled, until=dt.date(9999, 12, 31), now=at(1, 7)
        )

    assert refused.value.field == "until"
    enrolled.refresh_from_db()
    assert enrolled.paused_until is None
    assert enrolled.next_closes_at == at(1, 10)


def test_no_answer_or_a_concern_raises_an_alert_at_once(enrolled, visitor):
    services.check_in(
        actor=visitor, recipient=enrolled, channel="visit", result="no_answer", at=at(1, 9)
    )

    alert = Alert.objects.get()
    assert (alert.kind, alert.check_in.result) == ("no_answer", CheckIn.Result.NO_ANSWER)
    # a door nobody answered is no sign of life: the window still alerts
    assert windows_sweep(now=at(1, 10, 1)) == 1


def test_an_unacknowledged_alert_escalates_after_fifteen_minutes_and_everyone_is_told_once(
    enrolled, visitor, coordinator
):
    windows_sweep(now=at(1, 10, 1))
    alarms.alerts_notify()
    alarms.alerts_notify()

    first = Message.objects.filter(kind="care_alert")
    assert sorted(first.values_list("recipient__username", flat=True)) == [
        "coordinator",
        "visitor",
    ]
    assert alarms.alerts_escalate(now=at(1, 10, 15)) == 0
    assert alarms.alerts_escalate(now=at(1, 10, 16, 1)) == 1
    assert alarms.alerts_escalate(now=at(1, 10, 17)) == 0
    alarms.alerts_notify()
    alarms.alerts_notify()
    escalated = Message.objects.filter(kind="care_alert", title__startswith="【升级】")
    assert list(escalated.values_list("recipient__username", flat=True)) == ["coordinator"]


def test_an_acknowledged_alert_does_not_escalate_and_is_resolved_with_an_outcome(
    enrolled, visitor, coordinator
):
    windows_sweep(now=at(1, 10, 1))
    alert = Alert.objects.get()

    services.alert_acknowledge(actor=visitor, alert=alert)
    assert alarms.alerts_escalate(now=at(1, 11)) == 0
    with pytest.raises(CareError):
        services.alert_resolve(actor=visitor, alert=alert, outcome="nonsense")
    services.alert_resolve(actor=visitor, alert=alert, outcome="found_well", note="在楼下散步")

    alert.refresh_from_db()
    assert (alert.outcome, alert.acknowledged_by, alert.resolved_by) == (
        "found_well",
        visitor,
        visitor,
    )


def test_the_saved_link_finds_the_person_and_a_new_link_retires_the_old(enrolled, coordinator):
    first = services.self_link_issue(actor=coordinator, recipient=enrolled)
    second = services.self_link_issue(actor=coordinator, recipient=enrolled)

    assert services.recipient_by_token(first) is None
    assert services.recipient_by_token(second) == enrolled
    assert services.recipient_by_token("") is None


def test_the_board_shows_each_window_done_open_late_or_alerted(
    in_community, coordinator, visitor, enrolled
):
    from kuihua.care import selectors

    quiet = services.recipient_enrol(
        actor=coordinator,
        resident=ResidentFactory(household__building__compound__community=in_community),
        now=at(1, 7),
    )
    services.check_in(actor=visitor, recipient=quiet, channel="self", at=at(1, 8, 5))
    windows_sweep(now=at(1, 10, 1))  # `enrolled` missed the morning

    shown = selectors.board(now=at(1, 16, 30))

    states = {row.recipient.pk: [w["state"] for w in row.windows] for row in shown["rows"]}
    assert states == {enrolled.pk: ["alerted", "open"], quiet.pk: ["done", "open"]}
    assert shown["rows"][0].recipient.pk == enrolled.pk  # the worst first
    assert [a.recipient_id for a in shown["open_alerts"]] == [enrolled.pk]
    assert selectors.board(now=at(1, 18, 0, 30))["counts"]["late"] == 2  # closed, not yet swept


def test_a_window_closed_before_enrolment_is_not_shown_as_late(in_community, coordinator):
    from kuihua.care import selectors

    services.recipient_enrol(
        actor=coordinator,
        resident=ResidentFactory(household__building__compound__community=in_community),
        now=at(1, 13),
    )

    shown = selectors.board(now=at(1, 13, 5))

    assert [w["state"] for w in shown["rows"][0].windows] == ["unwatched", "pending"]
    assert shown["counts"]["late"] == 0
    assert windows_sweep(now=at(1, 13, 6)) == 0  # and nothing will be raised for it


def test_an_escalated_alert_reaches_the_emergency_contacts_one_by_one_in_order(
    enrolled, coordinator, settings, monkeypatch
):
    from kuihua.registry.models import EmergencyContact

    sent = []
    monkeypatch.setattr(
        "kuihua.care.tests.test_care.record_sms", lambda phone, text: sent.append((phone, text))
    )
    settings.KUIHUA_SMS_SENDER = "kuihua.care.tests.test_care.record_sms"
    resident = enrolled.resident
    EmergencyContact.objects.create(resident=resident, name="女儿", priority=1, phone="13800000001")
    EmergencyContact.objects.create(resident=resident, name="儿子", priority=2, phone="13800000002")
    windows_sweep(now=at(1, 10, 1))
    alarms.alerts_escalate(now=at(1, 10, 17))

    assert alarms.contacts_tell(now=at(1, 10, 17)) == 1
    assert alarms.contacts_tell(now=at(1, 10, 18)) == 0  # the next one waits five minutes
    assert alarms.contacts_tell(now=at(1, 10, 22)) == 1
    assert alarms.contacts_tell(now=at(1, 10, 27)) == 0  # the chain is done
    assert [phone for phone, _text in sent] == ["13800000001", "13800000002"]
    name = resident.name
    assert (
        sent[0][1] == f"【社区关爱】{name} 未在 11-30 10:00 前报平安，社区正在联系，请您尽快确认。"
    )


def test_acknowledging_stops_the_chain(enrolled, coordinator):
    from kuihua.registry.models import EmergencyContact

    EmergencyContact.objects.create(resident=enrolled.resident, name="女儿", phone="13800000001")
    windows_sweep(now=at(1, 10, 1))
    alarms.alerts_escalate(now=at(1, 10, 17))
    services.alert_acknowledge(actor=coordinator, alert=Alert.objects.get())

    assert alarms.contacts_tell(now=at(1, 10, 17)) == 0


def record_sms(phone, text):  # replaced in the test above
    raise AssertionError("not patched")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(IN_MEMORY, reason="threads need a database file or server")
def test_enrolling_one_person_twice_at_once_enrols_once_and_says_so(community):
    import threading

    from kuihua.core.tenancy import use_community

    with use_community(community):
        coordinator = UserFactory(role=Role.COORDINATOR, community=community)
        resident = ResidentFactory(household__building__compound__community=community)
    start = threading.Barrier(4)
    outcomes = []

    def enrol():
        try:
            with use_community(community):
                start.wait()
                services.recipient_enrol(actor=coordinator, resident=resident)
                outcomes.append("enrolled")
        except CareError as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["enrolled"] + ["该居民已在关爱名单中"] * 3
    with use_community(community):
        assert CareRecipient.objects.filter(resident=resident).count() == 1


def test_a_well_check_in_after_a_missed_window_closes_its_alert_and_stops_escalation(
    enrolled, visitor
):
    windows_sweep(now=at(1, 10, 1))
    services.check_in(
        actor=visitor, recipient=enrolled, channel="visit", result="no_answer", at=at(1, 10, 5)
    )
    services.check_in(
        actor=visitor,
        recipient=enrolled,
        channel="visit",
        result="concern",
        note="腿疼",
        at=at(1, 10, 6),
    )
    services.check_in(actor=visitor, recipient=enrolled, channel="visit", at=at(1, 10, 10))

    by_kind = {a.kind: a for a in Alert.objects.all()}
    for kind in ("missed", "no_answer"):
        closed = by_kind[kind]
        assert (closed.outcome, closed.resolved_by, closed.acknowledged_by) == (
            "found_well",
            visitor,
            visitor,
        )
        assert closed.note == "已签到平安（上门探访）"
    assert by_kind["concern"].resolved_at is None  # a concern waits for the duty officer
    assert alarms.alerts_escalate(now=at(1, 10, 30)) == 1  # the concern alone
    assert Alert.objects.filter(level__gte=2).get().kind == "concern"


def test_a_well_check_in_entered_late_for_earlier_leaves_a_newer_alert_open(enrolled, visitor):
    windows_sweep(now=at(1, 10, 1))

    services.check_in(actor=visitor, recipient=enrolled, channel="visit", at=at(1, 7, 30))

    assert Alert.objects.get().resolved_at is None
