"""An alert's emergency contacts: whole phones for whoever tends it, each look
access-logged and never cached (issue 12, finding 2)."""

import pytest
from django.urls import reverse

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.care import services
from kuihua.core.models import AccessLog
from kuihua.core.tests.clock import days_from_today
from kuihua.registry.models import EmergencyContact
from kuihua.registry.tests.factories import ResidentFactory
from kuihua.training.services import training_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor(in_community, coordinator):
    user = UserFactory(role=Role.VOLUNTEER, community=in_community, username="visitor")
    training_record(
        actor=coordinator, user=user, course="探访礼仪与应急处置", completed_on=days_from_today(-30)
    )
    return user


@pytest.fixture
def alert(in_community, coordinator, visitor):
    resident = ResidentFactory(household__building__compound__community=in_community)
    EmergencyContact.objects.create(
        resident=resident, name="张小明", relation="儿子", phone="13800001111"
    )
    recipient = services.recipient_enrol(
        actor=coordinator, resident=resident, conditions="独居", primary_visitor=visitor
    )
    checked = services.check_in(
        actor=visitor, recipient=recipient, channel="visit", result="no_answer"
    )
    return checked.alert


def test_the_visitor_reads_the_contacts_on_the_api_and_each_look_is_logged(client, visitor, alert):
    client.force_login(visitor)

    shown = client.get(f"/api/care/alerts/{alert.pk}")

    assert shown.json()["contacts"][0]["phone"] == "13800001111"
    row = AccessLog.objects.get()
    assert (row.user, row.subject_id) == (visitor, alert.recipient.resident_id)
    assert "emergency_contacts.phone" in row.fields
    assert "no-store" in shown["Cache-Control"]


def test_the_alert_page_logs_the_contacts_look_too(client, visitor, alert):
    client.force_login(visitor)

    page = client.get(reverse("care:alert_detail", args=[alert.pk]))

    assert "13800001111" in page.content.decode()
    assert AccessLog.objects.filter(user=visitor, subject_id=alert.recipient.resident_id).exists()
    assert "no-store" in page["Cache-Control"]
