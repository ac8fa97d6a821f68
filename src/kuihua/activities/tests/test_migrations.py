"""Migration 0009 backfills when full activities filled, where the rows can tell."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kuihua.core.tests.clock import at, days_from_today
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.registry.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("activities", "0008_activity_project_drive_project_series_project")
FILLED_AT = ("activities", "0009_activity_filled_at")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.fixture(autouse=True)
def every_app_migrated_again():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(list(executor.loader.graph.leaf_nodes()))


def test_a_full_activity_never_cancelled_from_filled_when_its_last_place_went(community):
    organization = OrganizationFactory(community=community)
    people = [ResidentFactory(household__building__compound__community=community) for _ in range(3)]
    apps = migrate(BEFORE)
    Activity = apps.get_model("activities", "Activity")
    Signup = apps.get_model("activities", "Signup")
    start = at(days_from_today(-3), 9)

    def activity(title, places, taken):
        return Activity.objects.create(
            community_id=community.pk,
            organization_id=organization.pk,
            title=title,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            hours_credited=2,
            places=places,
            places_taken=taken,
        )

    def signup(activity, person, status, queued_at):
        made = Signup.objects.create(
            community_id=community.pk, activity=activity, resident_id=person.pk, status=status
        )
        Signup.objects.filter(pk=made.pk).update(queued_at=queued_at)

    full = activity("满员", 2, 2)
    signup(full, people[0], "confirmed", start - dt.timedelta(days=2))
    signup(full, people[1], "confirmed", start - dt.timedelta(days=1))
    signup(full, people[2], "waitlisted", start - dt.timedelta(hours=20))
    refilled = activity("有人取消过", 1, 1)
    signup(refilled, people[0], "cancelled", start - dt.timedelta(days=2))
    signup(refilled, people[1], "confirmed", start - dt.timedelta(days=1))
    roomy = activity("未满", 3, 1)
    signup(roomy, people[0], "confirmed", start - dt.timedelta(days=2))

    apps = migrate(FILLED_AT)
    Activity = apps.get_model("activities", "Activity")

    assert Activity.objects.get(pk=full.pk).filled_at == start - dt.timedelta(days=1)
    assert Activity.objects.get(pk=refilled.pk).filled_at is None  # not in the rows
    assert Activity.objects.get(pk=roomy.pk).filled_at is None
