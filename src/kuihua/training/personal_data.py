"""Training's part of a resident's export and erasure (registry/personal_data.py).

Training records hang off the person's account. Erasure deletes them: a course
done by nobody qualifies nobody, and the community keeps no count of them.
"""

from __future__ import annotations

from kuihua.registry.personal_data import Erasure, iso
from kuihua.training.models import TrainingRecord


def training_export(resident) -> list[dict]:
    return [
        {"course": t.course, "completed_on": iso(t.completed_on)}
        for t in TrainingRecord.objects.filter(user__resident=resident).order_by("completed_on")
    ]


def training_erase(erasure: Erasure) -> None:
    if erasure.account is None:
        return
    records = TrainingRecord.objects.filter(user=erasure.account)
    erasure.forget_objects(TrainingRecord, records.values_list("pk", flat=True))
    records.delete()
