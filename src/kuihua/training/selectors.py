"""Who is trained: one EXISTS query each, within one community."""

from __future__ import annotations

from kuihua.training.models import TrainingRecord


def _records(*, course: str | None, community_id: int | None):
    records = TrainingRecord.objects.all()
    if community_id is not None:
        records = records.filter(community_id=community_id)
    if course is not None:
        records = records.filter(course=course.strip())
    return records


def has_training(user, course: str | None = None, *, community_id: int | None = None) -> bool:
    """Whether `user` completed `course` (any course when None) in the community.

    The community is the user's own unless named; training recorded in another
    community does not count.
    """
    if user is None or not getattr(user, "pk", None):
        return False
    if community_id is None:
        community_id = user.community_id
    return _records(course=course, community_id=community_id).filter(user_id=user.pk).exists()


def resident_has_training(resident, course: str, *, community_id: int) -> bool:
    """Whether the account of `resident` completed `course` in the community (one query)."""
    return (
        _records(course=course, community_id=community_id)
        .filter(user__resident_id=resident.pk)
        .exists()
    )


def trained_user_ids(*, community_id: int | None = None):
    """A subquery: ids of accounts with any training record (in the communities in force)."""
    return _records(course=None, community_id=community_id).values("user_id")


def courses_known(*, community_id: int | None = None) -> list[str]:
    """The course names recorded so far, for suggestions in forms."""
    return list(
        _records(course=None, community_id=community_id)
        .order_by("course")
        .values_list("course", flat=True)
        .distinct()
    )
