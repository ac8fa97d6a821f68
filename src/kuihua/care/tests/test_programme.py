"""Incidents and the yearly facts, birthdays a week ahead, regular services as orders."""

import datetime as dt

import pytest
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.care import selectors, services
from kuihua.care.models import Incident
from kuihua.care.services import CareError
from kuihua.matching.models import Need, ServiceCategory
from kuihua.notifications.models import Message
from kuihua.registry.tests.factories import ResidentFactory
from kuihua.training.services import training_record

pytestmark = pytest.mark.django_db


def _enrol(community, coordinator, **resident_fields):
    resident = ResidentFactory(
        household__building__compound__community=community, **resident_fields
    )
    return services.recipient_enrol(actor=coordinator, resident=resident)


def test_the_accident_rate_is_the_share_of_people_who_had_one(in_community, coordinator):
    people = [_enrol(in_community, coordinator) for _ in range(4)]
    year = timezone.localdate().year
    on = dt.date(year, 1, 1)  # within this year, and not after today even on 1 January
    services.incident_record(actor=coordinator, recipient=people[0], kind="fall", occurred_on=on)
    services.incident_record(actor=coordinator, recipient=people[0], kind="fall", occurred_on=on)
    services.incident_record(
        actor=coordinator, recipient=people[1], kind="hospital", occurred_on=on
    )
    services.check_in(actor=coordinator, recipient=people[2], channel="visit")
    services.check_in(actor=coordinator, recipient=people[3], channel="call")
    services.check_in(actor=coordinator, recipient=people[3], channel="self")  # not a service

    figures = selectors.programme_figures(year=year)

    assert figures["people"] == 4
    assert figures["incidents"] == 3
    assert (figures["people_with_accidents"], figures["accident_rate"]) == (1, 0.25)
    assert figures["person_times"] == 2


def test_an_alert_resolved_as_taken_to_hospital_records_the_incident(in_community, coordinator):
    person = _enrol(in_community, coordinator)
    check = services.check_in(
        actor=coordinator, recipient=person, channel="visit", result="concern", note="摔倒在地"
    )

    services.alert_resolve(actor=coordinator, alert=check.alert, outcome="hospital", note="送医")

    incident = Incident.objects.get()
    assert (incident.kind, incident.alert, incident.recipient) == ("hospital", check.alert, person)


def test_an_incident_in_the_future_is_refused(in_community, coordinator):
    person = _enrol(in_community, coordinator)

    with pytest.raises(CareError, match="晚于今天"):
        services.incident_record(
            actor=coordinator,
            recipient=person,
            kind="fall",
            occurred_on=timezone.localdate() + dt.timedelta(days=1),
        )
    assert not Incident.objects.exists()


def test_birthdays_are_reminded_a_week_ahead_once(in_community, coordinator):
    visitor = UserFactory(role=Role.VOLUNTEER, community=in_community, username="visitor")
    training_record(
        actor=coordinator, user=visitor, course="探访培训", completed_on=dt.date(2026, 1, 1)
    )
    person = _enrol(in_community, coordinator, name="周凤英", birth_date=dt.date(1941, 12, 3))
    person.primary_visitor = visitor
    person.save(update_fields=["primary_visitor"])

    assert services.birthdays_remind(today=dt.date(2026, 11, 25)) == 0
    assert services.birthdays_remind(today=dt.date(2026, 11, 26)) == 1
    assert services.birthdays_remind(today=dt.date(2026, 11, 26)) == 0

    told = Message.objects.filter(kind="care_birthday")
    assert sorted(told.values_list("recipient__username", flat=True)) == ["coordinator", "visitor"]
    assert "周凤英 12-03 过 85 岁生日" in told.first().title


def test_a_regular_service_becomes_an_order_in_the_matching(in_community, coordinator):
    person = _enrol(in_community, coordinator)
    meals = ServiceCategory.objects.get(code="meal_delivery")

    need = services.regular_service_order(
        actor=coordinator, recipient=person, category=meals, recurrence="weekdays", days=31
    )

    assert (need.status, need.channel, need.recurrence) == ("open", "coordinator", "weekdays")
    assert need.consent_to_share is False  # no consent to share recorded
    assert Need.objects.filter(resident=person.resident).count() == 1


def test_a_29_february_birthday_is_reminded_every_year(in_community, coordinator):
    _enrol(in_community, coordinator, name="钱秀兰", birth_date=dt.date(1944, 2, 29))

    assert services.birthdays_remind(today=dt.date(2027, 2, 21)) == 1  # the 28th in 2027
    assert services.birthdays_remind(today=dt.date(2028, 2, 21)) == 0  # 2028 has a 29th
    assert services.birthdays_remind(today=dt.date(2028, 2, 22)) == 1
