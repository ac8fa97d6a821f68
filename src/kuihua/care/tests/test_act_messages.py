"""Every act on a care page says what it did, naming the person."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kuihua.care.tests.factories import care_world
from kuihua.registry.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(in_community, coordinator):
    resident = ResidentFactory(household__building__compound__community=in_community, name="张桂芳")
    return care_world(coordinator=coordinator, resident=resident)


def test_a_visitors_knock_is_confirmed_with_the_persons_name(client, world):
    recipient = world["recipient"]
    client.force_login(recipient.primary_visitor)

    response = client.post(
        reverse("care:my_visits"), {"recipient": recipient.pk, "result": "well"}, follow=True
    )

    assert "已记录探访 张桂芳：平安" in response.content.decode()


def test_answering_and_closing_an_alert_each_say_so(client, world, coordinator):
    alert = world["alert"]
    client.force_login(coordinator)
    url = reverse("care:alert_detail", args=[alert.pk])

    answered = client.post(url, {"action": "acknowledge"}, follow=True).content.decode()
    closed = client.post(url, {"action": "resolve", "outcome": "found_well"}, follow=True)

    assert "已响应 张桂芳 的报警" in answered
    assert "张桂芳 的报警已处理：确认平安" in closed.content.decode()


def test_a_pause_says_until_when_and_a_call_says_how_it_went(client, world, coordinator):
    recipient = world["recipient"]
    client.force_login(coordinator)
    url = reverse("care:recipient_detail", args=[recipient.pk])
    until = timezone.localdate() + dt.timedelta(days=5)

    paused = client.post(url, {"action": "pause", "until": until.isoformat()}, follow=True)
    called = client.post(url, {"action": "call", "result": "well"}, follow=True)

    assert f"张桂芳 的签到暂停到 {until.isoformat()}" in paused.content.decode()
    assert "已记录给 张桂芳 的电话：平安" in called.content.decode()
