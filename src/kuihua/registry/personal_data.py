"""What Kuihua holds about one resident, across apps: the export and the erasure (PIPL).

The registry sits on a low floor, but what a person's export must hold and what
their erasure must reach lives in the apps above it (hours, sign-ups, needs, care,
training, messages …). Each of those apps registers its part in its `ready()`:

    register_personal_data(section="care", export=care_export, erase=care_erase)

- `export(resident) -> dict | list`: that app's data about the person, JSON-ready,
  nobody else's. It becomes `sections[section]` of `resident_export`.
- `erase(erasure)`: runs inside `resident_erase`'s transaction, *before* the
  resident row is deleted; it deletes or anonymises that app's rows about the
  person (each app decides per table and says why in docs/privacy.md).

A future app (the residents' council: votes cast in the open) adds itself the same
way, with no change here: `register_personal_data(section="council", ...)`.

`Erasure` carries what an eraser needs: the resident, their account (if any), the
actor, and the values to scrub from free text that stays (`scrub`), plus
`forget_objects`, which redacts the audit trail and the access log of rows that
are deleted or anonymised.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Cast

from kuihua.core.models import AccessLog, AuditLog

ERASED = "（已删除）"
REDACTED = "***"


@dataclass
class Erasure:
    """One erasure in progress: whom, by whom, and what must not be left anywhere."""

    resident: Any
    account: Any
    actor: Any
    values: list[str] = field(default_factory=list)

    def scrub(self, text: str) -> str:
        """`text` with every erased value replaced by ***."""
        for value in self.values:
            if value and value in text:
                text = text.replace(value, REDACTED)
        return text

    def scrub_json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_json(v) for v in value]
        if isinstance(value, dict):
            return {k: self.scrub_json(v) for k, v in value.items()}
        return value

    def contains_q(self, *fields: str) -> models.Q:
        """Rows whose text `fields` contain any erased value (to find what to scrub)."""
        q = models.Q(pk__in=[])
        for name in fields:
            for value in self.values:
                q |= models.Q(**{f"{name}__contains": value})
        return q

    def scrub_rows(self, queryset: models.QuerySet, *fields: str) -> int:
        """Scrub the erased values out of text `fields` of the rows that hold them."""
        changed = 0
        for row in queryset.filter(self.contains_q(*fields)):
            for name in fields:
                setattr(row, name, self.scrub(getattr(row, name)))
            # A model that refuses `save` (an append-only ledger) is updated in place.
            type(row)._default_manager.filter(pk=row.pk).update(
                **{name: getattr(row, name) for name in fields}
            )
            changed += 1
        return changed

    def forget_objects(self, model: type[models.Model], ids: Iterable[int]) -> None:
        """Audit rows about these objects keep what was done and when, no values;
        access-log rows keep that someone looked, not whose record it was."""
        ids = list(ids)
        if not ids:
            return
        label = model._meta.label_lower
        community_id = self.resident.community_id
        audit_rows = AuditLog.objects.filter(
            community_id=community_id, object_type=label, object_id__in=ids
        )
        for row in audit_rows:
            row.old = dict.fromkeys(row.old, REDACTED)
            row.new = dict.fromkeys(row.new, REDACTED)
            row.save(update_fields=["old", "new"])
        AccessLog.objects.filter(
            community_id=community_id, subject_type=label, subject_id__in=ids
        ).update(subject_label=ERASED)
        # Django admin's history names the object (str(obj)) and what changed.
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=[str(i) for i in ids],
        ).update(object_repr=ERASED, change_message="")

    def scrub_logs(self) -> None:
        """Any audit or access row that still carries an erased value (about another
        object: a need's audit naming the person, a purpose typed with their name)."""
        rows = AuditLog.objects.filter(community_id=self.resident.community_id).annotate(
            old_text=Cast("old", models.TextField()), new_text=Cast("new", models.TextField())
        )
        # The JSON as stored: raw characters (PostgreSQL) or \u escapes (SQLite): both.
        holding = models.Q(pk__in=[])
        for value in self.values:
            for form in {value, json.dumps(value)[1:-1]}:
                holding |= models.Q(old_text__contains=form) | models.Q(new_text__contains=form)
        for row in rows.filter(holding).only("id", "old", "new"):
            AuditLog.objects.filter(pk=row.pk).update(
                old=self.scrub_json(row.old), new=self.scrub_json(row.new)
            )
        self.scrub_rows(
            AccessLog.objects.filter(community_id=self.resident.community_id),
            "purpose",
            "subject_label",
        )


@dataclass(frozen=True)
class PersonalDataPart:
    section: str
    export: Callable[[Any], Any]
    erase: Callable[[Erasure], None] | None = None


PARTS: dict[str, PersonalDataPart] = {}


def register_personal_data(
    *,
    section: str,
    export: Callable[[Any], Any],
    erase: Callable[[Erasure], None] | None = None,
) -> None:
    """Add an app's part of a resident's export and erasure (call from `ready`)."""
    PARTS[section] = PersonalDataPart(section=section, export=export, erase=erase)


def registered_sections() -> list[str]:
    return list(PARTS)


def export_sections(resident) -> dict[str, Any]:
    return {name: part.export(resident) for name, part in PARTS.items()}


def erase_everywhere(erasure: Erasure) -> None:
    for part in PARTS.values():
        if part.erase is not None:
            part.erase(erasure)


def iso(value) -> str | None:
    """A date or time as ISO text, None as None (for the JSON export)."""
    return value.isoformat() if value is not None else None
