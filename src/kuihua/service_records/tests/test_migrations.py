"""0004: the free-text "project" becomes the service item, and records are linked to
the public-welfare project they belong to where that is certain (on the suite's
database: SQLite or PostgreSQL)."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from kuihua.core.tests.clock import days_from_today
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.registry.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("service_records", "0003_volunteer_kept_anonymous_after_erasure")
AFTER = ("service_records", "0004_service_item_and_project")
# What 0004 reads besides the records (applied all along).
LINKED_TO = ("activities", "0008_activity_project_drive_project_series_project")


def migrate(*targets, state=()):
    """Migrate to `targets`; the apps as of them and of `state` (nodes left applied)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(list(targets))
    return executor.loader.project_state([*targets, *state]).apps


def latest_targets():
    executor = MigrationExecutor(connection)
    return list(executor.loader.graph.leaf_nodes())


@pytest.fixture(autouse=True)
def every_app_migrated_again():
    """Whatever the test's end, the whole schema is back for the tests after it."""
    yield
    migrate(*latest_targets())


def test_records_are_linked_by_their_activity_or_by_the_project_name(community, other_community):
    # Without a project of the same name nothing is linked: harmless on a database
    # from before projects.
    organization = OrganizationFactory(community=community, name="探访队")
    theirs = OrganizationFactory(community=other_community, name="文新探访队")
    volunteer = ResidentFactory(household__building__compound__community=community)
    apps = migrate(BEFORE, state=[LINKED_TO])
    Record = apps.get_model("service_records", "ServiceRecord")
    Project = apps.get_model("projects", "Project")
    Domain = apps.get_model("projects", "ProjectDomain")
    Activity = apps.get_model("activities", "Activity")

    def project(community_id, lead_id, name):
        domain, _ = Domain.objects.get_or_create(community_id=community_id, name="为老服务")
        return Project.objects.create(
            community_id=community_id,
            domain=domain,
            name=name,
            lead_organization_id=lead_id,
            starts_on=days_from_today(-100),
            ends_on=days_from_today(100),
        )

    knock = project(community.pk, organization.pk, "幸福来敲门")
    meals = project(community.pk, organization.pk, "助老送餐")
    project(other_community.pk, theirs.pk, "社区环境清洁")
    start = dt.datetime.combine(days_from_today(-3), dt.time(1), tzinfo=dt.UTC)
    activity = Activity.objects.create(
        community_id=community.pk,
        organization_id=organization.pk,
        title="周三探访",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        hours_credited=2,
        project_id=meals.pk,
    )

    def record(item, **fields):
        return Record.objects.create(
            community_id=community.pk,
            volunteer_id=volunteer.pk,
            organization_id=organization.pk,
            project=item,
            date=days_from_today(-3),
            content=item,
            hours=2,
            source="manual",
            evidence="签字单",
            reason="补录",
            **fields,
        ).pk

    by_name = record("幸福来敲门")
    by_activity = record("周三探访", activity_id=activity.pk)  # the activity's wins
    other_communitys = record("社区环境清洁")  # a project of that name is not ours
    no_match = record("陪伴聊天")

    apps = migrate(AFTER)
    Record = apps.get_model("service_records", "ServiceRecord")
    linked = dict(Record.objects.values_list("pk", "project_id"))
    items = dict(Record.objects.values_list("pk", "service_item"))

    assert linked == {
        by_name: knock.pk,
        by_activity: meals.pk,
        other_communitys: None,
        no_match: None,
    }
    assert items[by_name] == "幸福来敲门" and items[no_match] == "陪伴聊天"
    migrate(*latest_targets())


MERGE_BEFORE = ("service_records", "0004_service_item_and_project")
MERGE_AFTER = ("service_records", "0006_one_record_per_volunteer_and_activity")
# What 0005 reads and writes besides the records (applied all along).
MERGE_STATE = [("activities", "0009_activity_filled_at"), ("core", "0002_community_moves_to_core")]


def test_duplicates_are_merged_into_the_verified_or_earliest_record(community, capsys):
    organization = OrganizationFactory(community=community, name="探访队")
    volunteer = ResidentFactory(household__building__compound__community=community)
    apps = migrate(MERGE_BEFORE, state=MERGE_STATE)
    Record = apps.get_model("service_records", "ServiceRecord")
    Points = apps.get_model("service_records", "PointsEntry")
    Correction = apps.get_model("service_records", "CorrectionRequest")
    Certificate = apps.get_model("service_records", "Certificate")
    Activity = apps.get_model("activities", "Activity")
    Signup = apps.get_model("activities", "Signup")
    Attendance = apps.get_model("activities", "Attendance")
    day = days_from_today(-3)
    start = dt.datetime.combine(day, dt.time(1), tzinfo=dt.UTC)

    def activity(title):
        return Activity.objects.create(
            community_id=community.pk,
            organization_id=organization.pk,
            title=title,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            hours_credited=2,
        ).pk

    def attendance(activity_id):
        signup = Signup.objects.create(
            community_id=community.pk,
            activity_id=activity_id,
            resident_id=volunteer.pk,
            status="cancelled",
        )
        return Attendance.objects.create(
            community_id=community.pk,
            signup=signup,
            checked_in_at=start,
            checked_out_at=start + dt.timedelta(hours=2),
        ).pk

    def record(activity_id, status="pending", hours=2, **fields):
        made = Record.objects.create(
            community_id=community.pk,
            volunteer_id=volunteer.pk,
            organization_id=organization.pk,
            activity_id=activity_id,
            service_item="探访",
            date=day,
            content="探访独居老人",
            hours=hours,
            source="manual",
            evidence="签字单",
            reason="补录",
            status=status,
            verified_at=timezone.now() - dt.timedelta(days=1) if status == "verified" else None,
            **fields,
        )
        if status == "verified":
            Points.objects.create(
                community_id=community.pk,
                resident_id=volunteer.pk,
                kind="earn",
                points=hours,
                hours=hours,
                rate=1,
                record_id=made.pk,
            )
        return made.pk

    # Wednesday's visit: entered by hand, then verified from the check-out, then once more.
    wednesday = activity("周三探访")
    entered_first = record(wednesday)
    verified = record(wednesday, status="verified")
    entered_again = record(wednesday, hours=3)
    moved = Correction.objects.create(
        community_id=community.pk, record_id=entered_again, hours=1, reason="只服务了一小时"
    ).pk
    rejected_before = record(wednesday, status="rejected")
    # Friday's: verified twice (points twice, on a certificate); the later one checked out.
    friday = activity("周五探访")
    kept = record(friday, status="verified")
    twice = record(friday, status="verified", hours=3, attendance_id=attendance(friday))
    Certificate.objects.create(
        community_id=community.pk,
        number="CY-ZM-1",
        resident_id=volunteer.pk,
        organization_id=organization.pk,
        period_start=day,
        period_end=day,
        hours=5,
        record_count=2,
        holder_masked_name="王*",
    )
    by_hand = [record(None), record(None)]

    apps = migrate(MERGE_AFTER)
    Record = apps.get_model("service_records", "ServiceRecord")
    Points = apps.get_model("service_records", "PointsEntry")
    AuditLog = apps.get_model("core", "AuditLog")
    status = dict(Record.objects.values_list("pk", "status"))
    reasons = dict(Record.objects.values_list("pk", "reject_reason"))

    # The verified record stays; the others are rejected, saying where they went.
    assert status[verified] == status[kept] == "verified"
    assert status[entered_first] == status[entered_again] == status[twice] == "rejected"
    assert reasons[entered_again] == f"重复记录，已并入记录 #{verified}"
    assert reasons[twice] == f"重复记录，已并入记录 #{kept}"
    assert status[rejected_before] == "rejected" and reasons[rejected_before] == ""
    assert all(status[pk] == "pending" for pk in by_hand)
    # The open correction follows to the record that stays, the check-out too.
    assert Correction.objects.get(pk=moved).record_id == verified
    assert Record.objects.get(pk=kept).attendance_id is not None
    assert Record.objects.get(pk=twice).attendance_id is None
    # Friday counts once: the second verification's points are taken back.
    balance = Points.objects.filter(resident_id=volunteer.pk).values_list("points", flat=True)
    assert sum(balance) == 4  # 2 + 2 + 3 - 3
    assert Points.objects.get(record_id=twice, kind="adjust").points == -3
    # Audited on both sides, and reported, with the certificate to issue again.
    merges = AuditLog.objects.filter(action="service_record.merge")
    assert set(merges.values_list("object_id", flat=True)) == {
        entered_first,
        entered_again,
        twice,
        verified,
        kept,
    }
    assert merges.get(object_id=twice).old["status"] == "verified"
    out = capsys.readouterr().out
    assert "合并了 3 条重复的志愿服务记录" in out
    assert f"记录 #{twice}（verified，3.00 小时）并入 #{kept}" in out
    assert "需重新出具的证明：CY-ZM-1" in out
    # From now on the database itself keeps it to one.
    with pytest.raises(IntegrityError), transaction.atomic():
        record(friday)
