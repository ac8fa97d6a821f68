"""0004: the free-text "project" becomes the service item, and records are linked to
the public-welfare project they belong to where that is certain (on the suite's
database: SQLite or PostgreSQL)."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

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
