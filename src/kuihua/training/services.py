"""Every write of training records."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.core.audit import audit
from kuihua.core.errors import ApplicationError
from kuihua.training.models import TrainingRecord


class TrainingError(ApplicationError):
    """A rule of training records was broken; the message is for the user, translated."""


@transaction.atomic
def training_record(*, actor, user, course: str, completed_on: dt.date) -> TrainingRecord:
    """Record that `user` completed `course` on `completed_on` (in the community in force)."""
    course = (course or "").strip()
    if not course:
        raise TrainingError(_("请填写培训内容"), field="course")
    if completed_on > timezone.localdate():
        raise TrainingError(_("完成日期不能晚于今天"), field="completed_on")
    record = TrainingRecord.objects.create(
        user=user,
        course=course[:100],
        completed_on=completed_on,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit(
        actor=actor,
        community_id=record.community_id,
        action="training.record",
        obj=record,
        new={"user": user.pk, "course": record.course},
    )
    return record
