"""Moving data: care's training records and the activities' yes/no training.

Each test rewinds its apps to the migration before the move, writes rows the
old way, and migrates forward (on the suite's database: SQLite or PostgreSQL).
"""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tests.clock import at, days_from_today
from kuihua.organizations.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(*targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(list(targets))
    return executor.loader.project_state(list(targets)).apps


def latest(app: str):
    executor = MigrationExecutor(connection)
    return next(key for key in executor.loader.graph.leaf_nodes() if key[0] == app)


@pytest.fixture(autouse=True)
def every_app_migrated_again():
    """Rewinding one app unapplies the other apps' migrations that depend on it
    (the projects' links on activities, the market's tables …): every test ends
    with the whole schema back, so the tests after it on this worker find it."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(list(executor.loader.graph.leaf_nodes()))


def test_care_training_records_move_with_their_ids_and_community(community, other_community):
    here = UserFactory(username="here", community=community)
    there = UserFactory(username="there", community=other_community)
    apps = migrate(("care", "0005_community_moves_to_core"))
    OldRecord = apps.get_model("care", "TrainingRecord")
    old = [
        OldRecord.objects.create(
            community_id=community.pk,
            user_id=here.pk,
            course="探访培训",
            completed_on=days_from_today(-30),
        ),
        OldRecord.objects.create(
            community_id=other_community.pk,
            user_id=there.pk,
            course="急救培训",
            completed_on=days_from_today(-20),
            recorded_by_id=here.pk,
        ),
    ]

    apps = migrate(latest("care"))
    Record = apps.get_model("training", "TrainingRecord")

    moved = list(
        Record.objects.order_by("pk").values_list(
            "pk", "community_id", "user_id", "course", "completed_on", "recorded_by_id"
        )
    )
    assert moved == [
        (old[0].pk, community.pk, here.pk, "探访培训", days_from_today(-30), None),
        (old[1].pk, other_community.pk, there.pk, "急救培训", days_from_today(-20), here.pk),
    ]
    # The next record gets a fresh id (PostgreSQL's sequence was moved past the copied ones).
    new = Record.objects.create(
        community_id=community.pk,
        user_id=here.pk,
        course="新培训",
        completed_on=days_from_today(-1),
    )
    assert new.pk > old[1].pk
    assert "care_trainingrecord" not in connection.introspection.table_names()


def test_activities_that_required_training_require_the_default_course(community):
    organization = OrganizationFactory(community=community, name="探访队")
    apps = migrate(("activities", "0005_reminders_move_to_activities"))
    Activity = apps.get_model("activities", "Activity")
    Series = apps.get_model("activities", "Series")
    start = at(days_from_today(-7), 9)
    common = {
        "community_id": community.pk,
        "organization_id": organization.pk,
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=2),
        "hours_credited": 2,
    }
    trained = Activity.objects.create(title="探访", requires_training=True, **common)
    open_to_all = Activity.objects.create(title="清洁", **common)
    series = Series.objects.create(
        community_id=community.pk,
        organization_id=organization.pk,
        title="每周探访",
        rule="FREQ=WEEKLY",
        template={"title": "每周探访", "requires_training": True},
    )

    apps = migrate(latest("activities"))
    Activity = apps.get_model("activities", "Activity")
    Series = apps.get_model("activities", "Series")

    assert Activity.objects.get(pk=trained.pk).required_training == "志愿服务培训"
    assert Activity.objects.get(pk=open_to_all.pk).required_training == ""
    assert Series.objects.get(pk=series.pk).template == {
        "title": "每周探访",
        "required_training": "志愿服务培训",
    }
