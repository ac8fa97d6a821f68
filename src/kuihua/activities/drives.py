"""Drives (a month-long clean-up, vaccination helpers) and their shifts: each shift is an
ordinary activity with its own places, created one at a time or a week at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.activities.models import Activity, Drive
from kuihua.activities.services import (
    MAX_TITLE,
    ActivityError,
    _local,
    activity_create,
    reattribute,
)
from kuihua.core.attribution import resolve_project
from kuihua.core.audit import audit


@transaction.atomic
def drive_create(*, actor, organization, title: str, description: str = "", project=None) -> Drive:
    """A recruitment drive (a month-long clean-up): its shifts are activities, counted in
    the drive's `project` (one of the community's open ones)."""
    title = (title or "").strip()
    if not title:
        raise ActivityError(_("请填写名称"), field="title")
    if len(title) > MAX_TITLE:
        raise ActivityError(_("内容太长"), field="title")
    project = resolve_project(project, community_id=organization.community_id, error=ActivityError)
    drive = Drive.objects.create(
        community_id=organization.community_id,
        organization=organization,
        title=title,
        description=description or "",
        project=project,
    )
    audit(
        actor=actor,
        community_id=drive.community_id,
        action="drive.create",
        obj=drive,
        new={"title": title, "project": drive.project_id},
    )
    return drive


@transaction.atomic
def drive_attribute(*, actor, drive: Drive, project) -> Drive:
    """Say which public-welfare project a drive counts in (None: none): its shifts that
    counted where the drive did move with it (with their service records)."""
    drive = Drive.objects.select_for_update(of=("self",)).get(pk=drive.pk)
    project = resolve_project(
        project, community_id=drive.community_id, current=drive.project_id, error=ActivityError
    )
    old = drive.project_id
    if old == (project.pk if project else None):
        return drive
    moved = reattribute(Activity.objects.filter(drive=drive), old_id=old, new=project)
    drive.project = project
    drive.save(update_fields=["project"])
    audit(
        actor=actor,
        community_id=drive.community_id,
        action="drive.attribute",
        obj=drive,
        old={"project": old},
        new={"project": drive.project_id, "shifts": moved},
    )
    return drive


@transaction.atomic
def shift_create(
    *,
    actor,
    drive: Drive,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    places: int | None,
    title: str = "",
    **fields: Any,
) -> Activity:
    """One shift of a drive (an activity of its own, with its own places)."""
    if not title:
        local = _local(starts_at)
        title = f"{drive.title} {local:%m-%d %H:%M}"
    fields.setdefault("description", drive.description)
    return activity_create(
        actor=actor,
        organization=drive.organization,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        places=places,
        drive=drive,
        **fields,
    )


@transaction.atomic
def shifts_create(
    *,
    actor,
    drive: Drive,
    first_day: dt.date,
    last_day: dt.date,
    times: list[tuple[dt.time, dt.time]],
    places: int,
    weekdays: list[int] | None = None,
    **fields: Any,
) -> list[Activity]:
    """Shifts for each day (optionally only some weekdays) and each (start, end) time."""
    if last_day < first_day:
        raise ActivityError(_("结束日期不能早于开始日期"), field="last_day")
    if (last_day - first_day).days > 92:
        raise ActivityError(_("一次最多安排92天"), field="last_day")
    if not times:
        raise ActivityError(_("请至少填写一个班次时间"), field="times")
    tz = timezone.get_current_timezone()
    shifts = []
    day = first_day
    while day <= last_day:
        if weekdays is None or day.weekday() in weekdays:
            for start, end in times:
                starts_at = timezone.make_aware(dt.datetime.combine(day, start), tz)
                ends_at = timezone.make_aware(dt.datetime.combine(day, end), tz)
                shifts.append(
                    shift_create(
                        actor=actor,
                        drive=drive,
                        starts_at=starts_at,
                        ends_at=ends_at,
                        places=places,
                        **fields,
                    )
                )
        day += dt.timedelta(days=1)
    if not shifts:
        raise ActivityError(_("所选日期内没有班次"), field="weekdays")
    return shifts
