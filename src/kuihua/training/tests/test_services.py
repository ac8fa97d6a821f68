"""Recording training and asking who is trained: within one community, by course."""

import ast
from pathlib import Path

import pytest

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.models import AuditLog
from kuihua.core.tenancy import use_community
from kuihua.core.tests.clock import days_from_today
from kuihua.training.models import TrainingRecord
from kuihua.training.selectors import courses_known, has_training
from kuihua.training.services import TrainingError, training_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer(community):
    return UserFactory(role=Role.VOLUNTEER, community=community, username="xiaoli")


def test_a_recorded_course_counts_for_that_course_and_for_any_training(
    in_community, coordinator, volunteer
):
    assert not has_training(volunteer)

    record = training_record(
        actor=coordinator, user=volunteer, course=" 探访培训 ", completed_on=days_from_today(-3)
    )

    assert record.community_id == in_community.pk
    assert record.course == "探访培训"
    assert record.recorded_by == coordinator
    assert has_training(volunteer)
    assert has_training(volunteer, "探访培训")
    assert not has_training(volunteer, "急救培训")
    assert courses_known(community_id=in_community.pk) == ["探访培训"]
    audit = AuditLog.objects.get(action="training.record")
    assert audit.object_id == record.pk
    assert audit.new == {"user": volunteer.pk, "course": "探访培训"}


def test_training_needs_a_course_and_a_day_not_in_the_future(in_community, coordinator, volunteer):
    with pytest.raises(TrainingError, match="请填写培训内容") as blank:
        training_record(
            actor=coordinator, user=volunteer, course="  ", completed_on=days_from_today(0)
        )
    with pytest.raises(TrainingError, match="不能晚于今天") as future:
        training_record(
            actor=coordinator, user=volunteer, course="探访培训", completed_on=days_from_today(1)
        )

    assert (blank.value.field, future.value.field) == ("course", "completed_on")
    assert not TrainingRecord.objects.exists()


def test_training_recorded_in_another_community_does_not_count(
    community, other_community, volunteer
):
    with use_community(other_community):
        training_record(
            actor=None, user=volunteer, course="探访培训", completed_on=days_from_today(-1)
        )

    with use_community(community):
        assert not has_training(volunteer, "探访培训")
    with use_community(other_community):
        # Even asked from there: the volunteer's own community is the one that counts.
        assert not has_training(volunteer, "探访培训")
        assert has_training(volunteer, "探访培训", community_id=other_community.pk)


LOWER_LAYERS = ("kuihua.core", "kuihua.accounts", "kuihua.registry", "kuihua.organizations")


def test_the_training_app_imports_only_from_the_layers_below_it():
    app = Path(__file__).resolve().parents[1]
    for path in app.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.startswith("kuihua.") and not name.startswith("kuihua.training"):
                    assert name.startswith(LOWER_LAYERS), f"{path.name} imports {name}"
