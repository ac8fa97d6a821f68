"""The inbox row lives and dies with the business transaction; outside copies leave
after the commit, through the worker, each exactly once."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from kuihua.notifications import delivery, services
from kuihua.notifications.channels import Channel, get_channels
from kuihua.notifications.models import Delivery, Message
from kuihua.notifications.services import notify
from kuihua.notifications.tasks import deliver_message
from kuihua.notifications.tests.factories import volunteer

pytestmark = pytest.mark.django_db

outbox: list[tuple[int, str]] = []
FAILURES_LEFT = {"n": 0}


class RecordingChannel(Channel):
    """Remembers what it sent; fails while FAILURES_LEFT says so."""

    name = "recording"

    def send(self, message, address):
        if FAILURES_LEFT["n"] > 0:
            FAILURES_LEFT["n"] -= 1
            raise ConnectionError("provider down")
        outbox.append((message.pk, address))


RECORDING = override_settings(
    KUIHUA_NOTIFICATION_CHANNELS=[
        "inbox",
        "kuihua.notifications.tests.test_delivery.RecordingChannel",
    ]
)


@pytest.fixture(autouse=True)
def _fresh():
    outbox.clear()
    FAILURES_LEFT["n"] = 0
    HUEY.storage.flush_all()
    yield
    HUEY.storage.flush_all()


class Boom(Exception):
    pass


def run_scheduled_retries(rounds: int = 10) -> int:
    """Run the retries huey scheduled, each at its time, as the consumer would; how many ran."""
    ran = 0
    for _round in range(rounds):
        due = HUEY.read_schedule(dt.datetime(2100, 1, 1))
        if not due:
            break
        for task in due:
            HUEY.execute(task, timestamp=task.eta)
        ran += len(due)
    return ran


@RECORDING
def test_a_rolled_back_change_writes_no_message_and_sends_nothing(
    in_community, django_capture_on_commit_callbacks
):
    # given a volunteer
    person = volunteer(in_community)

    # when the business transaction that notifies them fails
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        notify(recipient=person, kind="waitlist_promoted", title="候补转正")
        raise Boom

    # then there is no message, no delivery, nothing queued and nothing sent
    assert not Message.objects.exists()
    assert not Delivery.objects.exists()
    assert callbacks == []
    assert outbox == []


@RECORDING
def test_the_copy_leaves_only_after_the_commit(in_community, django_capture_on_commit_callbacks):
    person = volunteer(in_community)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        message = notify(recipient=person, kind="waitlist_promoted", title="候补转正")
        # inside the transaction: in the inbox, the copy pending, nothing sent
        assert Message.objects.filter(recipient=person).count() == 1
        assert Delivery.objects.get(message=message).status == Delivery.Status.PENDING
        assert outbox == []

    assert len(callbacks) == 1
    assert outbox == [(message.pk, str(person.pk))]
    delivery = Delivery.objects.get(message=message)
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 1
    assert delivery.sent_at is not None


@RECORDING
def test_a_failing_channel_is_retried_later_and_sends_once(
    in_community, django_capture_on_commit_callbacks
):
    person = volunteer(in_community)
    FAILURES_LEFT["n"] = 2

    with django_capture_on_commit_callbacks(execute=True):
        message = notify(recipient=person, kind="verified", title="服务时长已审核")

    # the first try failed: the copy waits for a retry, nothing was sent
    delivery = Delivery.objects.get(message=message)
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        Delivery.Status.PENDING,
        1,
        "ConnectionError",
    )
    assert outbox == []

    # the worker's scheduler runs the retries (with growing delays) until it goes through
    assert run_scheduled_retries() == 2

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 3
    assert outbox == [(message.pk, str(person.pk))]


@RECORDING
def test_a_channel_that_never_recovers_is_marked_failed_after_the_last_retry(
    in_community, django_capture_on_commit_callbacks
):
    person = volunteer(in_community)
    FAILURES_LEFT["n"] = 100

    with django_capture_on_commit_callbacks(execute=True):
        message = notify(recipient=person, kind="verified", title="服务时长已审核")
    assert run_scheduled_retries() == 5

    delivery = Delivery.objects.get(message=message)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 6  # the first try and five retries
    assert outbox == []


@RECORDING
def test_a_duplicate_task_delivers_once(in_community, django_capture_on_commit_callbacks):
    person = volunteer(in_community)
    with django_capture_on_commit_callbacks(execute=True):
        message = notify(recipient=person, kind="waitlist_promoted", title="候补转正")

    deliver_message(message.pk)
    deliver_message(message.pk)

    assert outbox == [(message.pk, str(person.pk))]
    assert Delivery.objects.get(message=message).attempts == 1


@RECORDING
def test_a_copy_another_worker_is_sending_is_left_alone(in_community):
    person = volunteer(in_community)
    message = notify(recipient=person, kind="waitlist_promoted", title="候补转正")
    # another worker claimed it a moment ago
    Delivery.objects.filter(message=message).update(
        status=Delivery.Status.SENDING, claimed_at=services.timezone.now(), attempts=1
    )

    delivery.message_deliver(message_id=message.pk)

    assert outbox == []
    assert Delivery.objects.get(message=message).status == Delivery.Status.SENDING


@RECORDING
def test_a_lost_task_is_found_and_queued_again(in_community):
    person = volunteer(in_community)
    message = notify(recipient=person, kind="waitlist_promoted", title="候补转正")
    # (no commit callback ran: as if the process died right after the commit)
    later = timezone.now() + delivery.LOST_AFTER + dt.timedelta(seconds=1)

    assert delivery.deliveries_requeue_lost(now=later) == [message.pk]
    assert delivery.deliveries_requeue_lost(now=timezone.now()) == []


def test_a_person_without_an_address_is_skipped_not_failed(
    in_community, django_capture_on_commit_callbacks, settings
):
    settings.KUIHUA_NOTIFICATION_CHANNELS = ["inbox", "email"]
    person = volunteer(in_community)
    person.email = ""
    person.save()

    with django_capture_on_commit_callbacks(execute=True):
        message = notify(recipient=person, kind="verified", title="服务时长已审核")

    assert Delivery.objects.get(message=message).status == Delivery.Status.SKIPPED


def test_email_goes_through_djangos_mail_backend(
    in_community, django_capture_on_commit_callbacks, settings, mailoutbox
):
    settings.KUIHUA_NOTIFICATION_CHANNELS = ["inbox", "email"]
    person = volunteer(in_community)
    person.email = "volunteer@example.org"
    person.save()

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=person, kind="verified", title="服务时长已审核", link="/inbox/")

    assert [(m.subject, m.to) for m in mailoutbox] == [
        ("服务时长已审核", ["volunteer@example.org"])
    ]


def test_the_log_channel_names_ids_never_names_phones_or_bodies(
    in_community, django_capture_on_commit_callbacks, caplog
):
    # given the default channels (inbox + log) and a person with a name and a phone
    assert list(get_channels()) == ["inbox", "log"]
    person = volunteer(in_community, name="王秀英", phone="13912345678")

    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
        message = notify(
            recipient=person,
            kind="waitlist_promoted",
            title="王秀英，您已转为正式报名",
            body="联系电话 13912345678",
        )

    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"kind=waitlist_promoted message={message.pk} recipient={person.pk}" in logged
    assert "王秀英" not in logged
    assert "13912345678" not in logged
    assert "联系电话" not in logged
    assert Delivery.objects.get(message=message).status == Delivery.Status.SENT


def test_the_inbox_alone_queues_nothing(in_community, django_capture_on_commit_callbacks, settings):
    settings.KUIHUA_NOTIFICATION_CHANNELS = ["inbox"]
    person = volunteer(in_community)

    with django_capture_on_commit_callbacks() as callbacks:
        notify(recipient=person, kind="verified", title="服务时长已审核")

    assert callbacks == []
    assert Message.objects.count() == 1
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("name", ["sms", "wechat"])
def test_sms_and_wechat_refuse_to_start_unconfigured(settings, name):
    settings.KUIHUA_NOTIFICATION_CHANNELS = ["inbox", name]

    with pytest.raises(ImproperlyConfigured, match="ships no"):
        get_channels()


def test_sms_sends_through_the_configured_provider_function(
    in_community, django_capture_on_commit_callbacks, settings
):
    texts = []
    settings.KUIHUA_SMS_SENDER = lambda phone, text: texts.append((phone, text))
    settings.KUIHUA_NOTIFICATION_CHANNELS = ["inbox", "sms"]
    person = volunteer(in_community, phone="13912345678")

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=person, kind="reminder", title="活动提醒")

    assert texts == [("13912345678", "活动提醒")]


def test_an_unknown_channel_is_a_configuration_error(settings):
    settings.KUIHUA_NOTIFICATION_CHANNELS = ["inbox", "pigeon"]

    with pytest.raises(ImproperlyConfigured, match="pigeon"):
        get_channels()


def test_no_message_for_someone_without_an_account(in_community):
    assert notify(recipient=None, kind="verified", title="服务时长已审核") is None
    assert not Message.objects.exists()


def test_channels_can_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("KUIHUA_NOTIFICATION_CHANNELS", "inbox, log, email")
    get_channels.cache_clear()
    try:
        assert list(get_channels()) == ["inbox", "log", "email"]
    finally:
        get_channels.cache_clear()


@pytest.mark.django_db
def test_a_closed_account_is_told_nothing(community):
    from kuihua.accounts.tests.factories import UserFactory
    from kuihua.core.tenancy import use_community
    from kuihua.notifications.models import Message
    from kuihua.notifications.services import notify

    user = UserFactory(community=community, is_active=False)
    with use_community(community):
        assert notify(recipient=user, kind="test", title="你好") is None
        assert not Message.objects.filter(recipient=user).exists()
