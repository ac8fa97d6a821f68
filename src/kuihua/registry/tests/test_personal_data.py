"""PIPL: a resident's export holds what every app keeps about them; erasure reaches every table.

The person here has data in every app (registry, organizations, service records and
points, activities, matching, care, training, notifications). A second person has
the same kinds of data, so the export can be checked for holding nobody else's.
The erasure test walks every model's text and JSON fields for the erased values, so
a table added later that holds them fails it without this file having to know it;
and every link from a table to a person must have a decision (PERSON_LINKS).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from unittest.mock import ANY

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.activities.models import Signup
from kuihua.activities.signups.services import signup_create
from kuihua.activities.tests.factories import ActivityFactory, assert_places_consistent, volunteer
from kuihua.care import services as care_services
from kuihua.core.models import AccessLog
from kuihua.core.tenancy import unscoped
from kuihua.matching.tests.factories import need
from kuihua.notifications.services import notify
from kuihua.organizations import services as org_services
from kuihua.organizations.models import PartnerUnit
from kuihua.organizations.tests.factories import MembershipFactory, OrganizationFactory
from kuihua.registry import services
from kuihua.registry.models import Consent
from kuihua.registry.personal_data import registered_sections
from kuihua.registry.tests.factories import ResidentFactory, tag
from kuihua.service_records import services as record_services
from kuihua.service_records.models import ServiceRecord
from kuihua.service_records.tests.factories import finished_attendance, verified_record
from kuihua.training.services import training_record

pytestmark = pytest.mark.django_db

APP_SECTIONS = {
    "stewards",
    "organizations",
    "service_records",
    "activities",
    "matching",
    "care",
    "training",
    "notifications",
}


def _person_everywhere(community, coordinator, organization, *, name, phone, note):
    """A resident with a volunteer account and data in every app."""
    person = ResidentFactory(
        household__building__compound__community=community,
        name=name,
        phone=phone,
        tags=[tag(community, "living_alone")],
    )
    account = UserFactory(
        username=f"u{phone}",
        role=Role.VOLUNTEER,
        community=community,
        resident=person,
        display_name=name,
        email=f"{phone}@example.cn",
    )
    # A change made through Django admin names the object in its history.
    LogEntry.objects.create(
        user=coordinator,
        content_type=ContentType.objects.get_for_model(person),
        object_id=str(person.pk),
        object_repr=str(person),
        action_flag=CHANGE,
        change_message=f"{note}：改了电话",
    )
    services.emergency_contact_add(
        actor=coordinator, resident=person, name=f"{name}之子", phone=f"137{phone[3:]}"
    )
    services.consent_record(
        actor=coordinator,
        resident=person,
        purpose=Consent.Purpose.CARE,
        granted=True,
        method="paper",
    )
    services.resident_update(actor=coordinator, resident=person, notes=f"{note}：腿脚不便")
    MembershipFactory(organization=organization, resident=person)
    # The organization's own text names them (and its audit row carries it).
    org_services.organization_update(
        actor=coordinator,
        organization=organization,
        description=f"{organization.description} 骨干：{name}",
    )
    record = verified_record(
        actor=coordinator,
        organization=organization,
        resident=person,
        hours="3",
        content=f"{name}陪伴独居老人",
    )
    record_services.correction_request(
        actor=account, record=record, hours=Decimal("2.5"), reason=f"{note}：实际两个半小时"
    )
    record_services.certificate_issue(
        actor=coordinator,
        resident=person,
        organization=organization,
        period_start=record.date,
        period_end=record.date,
    )
    finished_attendance(resident=person, organization=organization, title=f"{note}的活动")
    need(person, actor=coordinator, description=f"{note}：每天送午餐")
    visitor = UserFactory(
        username=f"visitor{phone[-2:]}",
        role=Role.VOLUNTEER,
        community=community,
        display_name="探访员",
    )
    training_record(
        actor=coordinator,
        user=visitor,
        course="探访培训",
        completed_on=timezone.localdate() - dt.timedelta(days=3),
    )
    recipient = care_services.recipient_enrol(
        actor=coordinator, resident=person, primary_visitor=visitor
    )
    care_services.check_in(
        actor=coordinator, recipient=recipient, channel="visit", result="no_answer"
    )
    training_record(
        actor=coordinator,
        user=account,
        course=f"{note}急救培训",
        completed_on=timezone.localdate() - dt.timedelta(days=2),
    )
    notify(recipient=account, kind="test", title=f"{note}的消息", body=f"{name}您好")
    # What others were told about the person carries their name and phone too.
    notify(recipient=coordinator, kind="test", title=f"{name}需要帮助", body=f"电话 {phone}")
    return person


@pytest.fixture
def people(in_community, coordinator):
    organization = OrganizationFactory(community=in_community)
    mine = _person_everywhere(
        in_community, coordinator, organization, name="欧阳慧敏", phone="18912340001", note="甲甲"
    )
    other = _person_everywhere(
        in_community, coordinator, organization, name="司马光辉", phone="18912340002", note="乙乙"
    )
    return mine, other, organization


def test_every_app_that_keeps_personal_data_registers_a_section():
    assert set(registered_sections()) >= APP_SECTIONS


def test_the_export_holds_a_section_from_every_app_with_their_data_and_nobody_elses(
    people, coordinator
):
    mine, other, _organization = people

    data = services.resident_export(actor=coordinator, resident=mine)

    assert set(data["sections"]) >= APP_SECTIONS
    for name in APP_SECTIONS:
        assert data["sections"][name], f"section {name} is empty"
    text = json.dumps(data, ensure_ascii=False, default=str)
    for mine_value in (
        mine.name,
        mine.phone,
        mine.id_number,
        "甲甲：每天送午餐",  # the need
        "甲甲急救培训",  # training
        "甲甲的消息",  # a message to them
        "甲甲的活动",  # a sign-up and its attendance
        "甲甲：实际两个半小时",  # their correction request
    ):
        assert mine_value in text, mine_value
    for others_value in (other.name, other.phone, other.id_number, "乙乙"):
        assert others_value not in text, others_value
    assert data["sections"]["service_records"]["hours_verified"] == "3.00"
    assert data["sections"]["service_records"]["points_balance"] == "3.00"
    assert data["sections"]["service_records"]["certificates"]
    assert data["sections"]["care"]["enrolment"]["check_ins"]
    assert data["sections"]["organizations"]["memberships"]
    assert data["sections"]["activities"]["signups"][0]["attendance"]["checked_in_at"]


def _text_values(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return "" if value is None else str(value)


def _where_values_remain(values: list[str]) -> list[str]:
    """Every model, every text or JSON field, every row: where any of `values` still is."""
    found = []
    with unscoped():
        for model in apps.get_models():
            fields = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, (models.CharField, models.TextField, models.JSONField))
            ]
            if not fields:
                continue
            for row in model._default_manager.all().values_list("pk", *fields):
                for field, value in zip(fields, row[1:], strict=True):
                    text = _text_values(value)
                    found += [
                        f"{model._meta.label}.{field}#{row[0]}: {v}" for v in values if v in text
                    ]
    return found


def test_after_erasure_no_table_holds_their_name_phone_id_or_address_and_hours_survive(
    people, coordinator
):
    mine, other, organization = people
    contact = mine.emergency_contacts.get()
    erased = [
        mine.name,
        mine.phone,
        mine.id_number,
        mine.household.address,
        contact.name,
        contact.phone,
        "甲甲：",  # the free text written about them (notes, need, correction)
    ]
    assert _where_values_remain(erased), "the walk must find the values before the erasure"
    hours_before = ServiceRecord.objects.filter(
        organization=organization, status=ServiceRecord.Status.VERIFIED
    ).aggregate(total=Sum("hours"))["total"]

    mine_id = mine.pk

    services.resident_erase(actor=coordinator, resident=mine, reason="本人申请删除")

    assert _where_values_remain(erased) == []
    # The community's accounts keep the hours given, by nobody in particular.
    assert (
        ServiceRecord.objects.filter(
            organization=organization, status=ServiceRecord.Status.VERIFIED
        ).aggregate(total=Sum("hours"))["total"]
        == hours_before
    )
    # That someone's data was seen and erased stays, without a name.
    erased_entry = AccessLog.objects.get(action=AccessLog.Action.ERASE, subject_id=mine_id)
    assert erased_entry.subject_label == "（已删除）"
    assert erased_entry.purpose == "本人申请删除"
    # Nobody else's data went with theirs.
    still = _where_values_remain([other.name, other.phone, other.id_number, "乙乙"])
    assert any("matching.Need" in s for s in still)
    assert any("service_records.CorrectionRequest" in s for s in still)
    assert any("training.TrainingRecord" in s for s in still)
    assert any("notifications.Message" in s for s in still)
    assert other.memberships.exists()


def test_the_api_and_the_page_give_the_same_sections(people, coordinator, client):
    mine, _other, _organization = people
    client.force_login(coordinator)

    api = client.get(f"/api/registry/residents/{mine.pk}/export")
    page = client.post(reverse("registry:resident_export", args=[mine.pk]))

    assert api.status_code == 200
    assert set(api.json()["sections"]) >= APP_SECTIONS
    assert api.json()["sections"]["training"] == [{"course": "甲甲急救培训", "completed_on": ANY}]
    assert json.loads(page.content)["sections"].keys() == api.json()["sections"].keys()


def test_erasing_someone_with_a_place_gives_it_to_the_first_on_the_waitlist(
    in_community, coordinator
):
    organization = OrganizationFactory(community=in_community)
    upcoming = ActivityFactory(community=in_community, organization=organization, places=1)
    leaving = volunteer(organization)
    waiting = volunteer(organization)
    signup_create(actor=leaving.account, activity=upcoming, resident=leaving)
    queued = signup_create(actor=waiting.account, activity=upcoming, resident=waiting)
    assert queued.status == Signup.Status.WAITLISTED

    services.resident_erase(actor=coordinator, resident=leaving, reason="本人申请删除")

    queued.refresh_from_db()
    assert queued.status in (Signup.Status.CONFIRMED, Signup.Status.OFFERED)
    assert_places_consistent(upcoming)


def test_erasing_a_visitor_leaves_the_elder_visibly_without_one(in_community, coordinator):
    organization = OrganizationFactory(community=in_community)
    visitor = volunteer(organization)
    training_record(
        actor=coordinator,
        user=visitor.account,
        course="探访培训",
        completed_on=timezone.localdate() - dt.timedelta(days=1),
    )
    elder = ResidentFactory(household__building__compound__community=in_community)
    recipient = care_services.recipient_enrol(
        actor=coordinator, resident=elder, primary_visitor=visitor.account
    )

    services.resident_erase(actor=coordinator, resident=visitor, reason="本人申请删除")

    recipient.refresh_from_db()
    assert recipient.primary_visitor is None


# Every link from a table to a person (their registry record or their account), with
# what erasure does to it. A new link fails the test below until it is decided here,
# in the app's personal_data.py and in docs/privacy.md.
PERSON_LINKS = {
    "admin.LogEntry.user": "kept: the closed account; rows about the person emptied",
    "core.AccessLog.user": "kept: the closed account",
    "core.AuditLog.actor": "kept: the closed account",
    "accounts.User.resident": "closed and anonymised (registry)",
    "accounts.ApiToken.user": "revoked (registry)",
    "otp_totp.TOTPDevice.user": "deleted (registry)",
    "otp_static.StaticDevice.user": "deleted (registry)",
    "registry.EmergencyContact.resident": "deleted",
    "registry.Consent.resident": "deleted",
    "registry.Ownership.resident": "deleted",
    "council.VoterMember.resident": "deleted (council); their name scrubbed from voters' labels",
    "council.Vote.opened_by": "kept: the closed account",
    "council.BallotReceipt.recorded_by": "kept: the closed account",
    "council.RulesOfProcedure.proposed_by": "kept: the closed account",
    "council.Delegate.resident": "deleted (council)",
    "council.Topic.resident": "emptied; their name scrubbed from topics",
    "council.Topic.raised_by": "kept: the closed account",
    "council.Topic.answered_by": "kept: the closed account",
    "council.TopicComment.author": "kept: the closed account; name scrubbed",
    "council.TopicSupport.user": "kept: the closed account (a support still counts)",
    "council.Meeting.created_by": "kept: the closed account",
    "council.AgendaItem.proposed_by": "kept: the closed account",
    "council.Attendee.resident": "emptied, name scrubbed (the quorum count stays)",
    "council.Attendee.checked_in_by": "kept: the closed account",
    "council.Minutes.written_by": "kept: the closed account",
    "council.Minutes.approved_by": "kept: the closed account",
    "council.Decision.owner": "kept: the closed account",
    "council.Decision.created_by": "kept: the closed account",
    "council.DecisionProgress.author": "kept: the closed account",
    "registry.Consent.recorded_by": "kept: the closed account",
    "organizations.Organization.leader": "emptied",
    "organizations.Membership.resident": "deleted",
    "organizations.StageChange.by": "kept: the closed account",
    "organizations.PartnerUnit.contact_user": "emptied: the coordinator names another account",
    "training.TrainingRecord.user": "deleted",
    "training.TrainingRecord.recorded_by": "kept: the closed account",
    "venues.Booking.booked_by": "kept: the closed account",
    "activities.Activity.created_by": "kept: the closed account",
    "activities.Signup.resident": "cancelled, place given back, deleted",
    "activities.Signup.signed_up_by": "kept: the closed account",
    "activities.Attendance.recorded_by": "kept: the closed account",
    "notifications.Message.recipient": "deleted",
    "service_records.VolunteerProfile.resident": "deleted",
    "service_records.ServiceRecord.volunteer": "verified: kept anonymised; others deleted",
    "service_records.ServiceRecord.recorder": "kept: the closed account",
    "service_records.ServiceRecord.verified_by": "kept: the closed account",
    "service_records.CorrectionRequest.requested_by": "theirs deleted; others' kept",
    "service_records.CorrectionRequest.decided_by": "kept: the closed account",
    "service_records.RecordRevision.changed_by": "kept: the closed account",
    "service_records.PointsEntry.resident": "deleted",
    "service_records.PointsEntry.created_by": "kept: the closed account",
    "service_records.Certificate.resident": "deleted",
    "service_records.Certificate.issued_by": "kept: the closed account",
    "matching.ServiceOffer.volunteer": "deleted",
    "matching.ServiceOffer.contact_user": "emptied",
    "matching.Need.resident": "deleted with events, proposals, delivery",
    "matching.Need.raised_by": "kept (someone else's need): the closed account",
    "matching.NeedEvent.by": "kept: the closed account",
    "matching.MatchRun.by": "kept: the closed account",
    "matching.ServiceDelivery.resident": "deleted",
    "care.CareRecipient.resident": "deleted with check-ins, alerts, incidents",
    "care.CareRecipient.primary_visitor": "emptied",
    "care.CareRecipient.backup_visitors": "removed",
    "care.CheckIn.by": "kept: the closed account",
    "care.Alert.acknowledged_by": "kept: the closed account",
    "care.Alert.resolved_by": "kept: the closed account",
    "care.DutyPreference.user": "deleted",
    "care.DutyShift.user": "past kept; from today emptied",
    "care.SwapRequest.from_user": "pending deleted",
    "care.SwapRequest.to_user": "pending deleted",
    "care.SwapRequest.decided_by": "kept: the closed account",
    "care.Incident.recorded_by": "kept: the closed account",
    "ledger.Entry.posted_by": "kept: the closed account (accounting records)",
    "ledger.PeriodClose.closed_by": "kept: the closed account",
    "stewards.StewardAssignment.steward": "kept: the closed account keeps no books",
    "stewards.StewardAssignment.assigned_by": "kept: the closed account",
    "stewards.FeeSchedule.created_by": "kept: the closed account",
    "stewards.HardshipDecision.decided_by": "kept: the closed account",
    "stewards.BillingRun.started_by": "kept: the closed account",
    "stewards.BillChange.changed_by": "kept: the closed account",
    "stewards.Payment.recorded_by": "kept: the closed account (accounting records)",
    "stewards.Reminder.sent_by": "kept: the closed account",
    "market.Sale.buyer": "emptied: the sale stays in the funds' books, without its buyer",
    "market.Sale.sold_by": "kept: the closed account (accounting records)",
    "projects.Project.beneficiaries": "removed: the project's named beneficiaries lose them",
    "projects.Project.created_by": "kept: the closed account",
    "projects.Funding.recorded_by": "kept: the closed account (accounting records)",
}


def test_every_link_to_a_person_has_an_erasure_decision():
    people = {"registry.Resident", "accounts.User"}
    links = {
        f"{model._meta.label}.{f.name}"
        for model in apps.get_models()
        for f in model._meta.get_fields()
        if f.is_relation
        and not f.auto_created
        and f.related_model is not None
        and f.related_model._meta.label in people
    }

    assert links - set(PERSON_LINKS) == set(), "decide what erasure does (docs/privacy.md)"
    assert set(PERSON_LINKS) - links == set(), "a link went: drop it here and in the docs"


def test_an_erased_persons_account_no_longer_serves_a_partner_units_orders(people, coordinator):
    mine, _other, _organization = people
    unit = PartnerUnit.objects.create(name="颐养院", kind="institution", contact_user=mine.account)

    services.resident_erase(actor=coordinator, resident=mine, reason="本人申请删除")

    unit.refresh_from_db()
    assert unit.contact_user_id is None


def test_a_record_kept_for_the_totals_is_nobodys_to_correct(people, coordinator):
    mine, _other, _organization = people
    kept = ServiceRecord.objects.get(volunteer=mine, status=ServiceRecord.Status.VERIFIED)

    services.resident_erase(actor=coordinator, resident=mine, reason="本人申请删除")

    kept.refresh_from_db()
    assert kept.volunteer_id is None and kept.hours == Decimal("3")
    with pytest.raises(record_services.ServiceRecordError):
        record_services.correction_request(
            actor=coordinator, record=kept, hours=Decimal("1"), reason="改时长"
        )
