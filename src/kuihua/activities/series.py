"""Recurring series: occurrences generated ahead as ordinary activities.

Occurrences are generated `SERIES_WEEKS_AHEAD` weeks ahead, each changeable on its
own; a daily task (`tasks.series_extend`) keeps the horizon ahead. New occurrences
copy the series' own template (`Series.template`), so a change made to "this and all
later" occurrences (`series_update`) carries forward and one changed alone does not.
The rule itself is recurrence.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.activities.models import Activity, Series, SkippedOccurrence
from kuihua.activities.recurrence import build_rule, is_working_day, parse_rule
from kuihua.activities.selectors import series_organizers
from kuihua.activities.services import (
    CHANGEABLE,
    ActivityError,
    _clean,
    activity_cancel,
    activity_create,
    activity_update,
    duration_hours,
    logger,
    reattribute,
)
from kuihua.core.attribution import resolve_project
from kuihua.core.audit import audit
from kuihua.notifications.services import notify, recipients_language

SERIES_SKIPPED = "series_occurrence_skipped"

SERIES_WEEKS_AHEAD = 8


MAX_OCCURRENCES_PER_RUN = 400


# What an occurrence copies from the one before it.
TEMPLATE_FIELDS = (
    "organization_id",
    "title",
    "description",
    "room_id",
    "address",
    "places",
    "audience",
    "min_age",
    "max_age",
    "required_skill",
    "required_training",
    "hours_credited",
    "confirm_within_hours",
)


def _horizon(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) + dt.timedelta(weeks=SERIES_WEEKS_AHEAD)


def series_dates(series: Series, *, after: dt.date | None, until: dt.date) -> list[dt.datetime]:
    """Local naive start times of the occurrences on days in (after, until]."""
    recurrence, _duration, workdays = parse_rule(series.rule)
    end = dt.datetime.combine(until, dt.time.max)
    found = []
    for moment in recurrence.xafter(recurrence._dtstart, inc=True):
        if moment > end:
            break
        if after is not None and moment.date() <= after:
            continue
        if workdays and not is_working_day(moment.date()):
            continue
        found.append(moment)
        if len(found) >= MAX_OCCURRENCES_PER_RUN:
            break
    return found


@transaction.atomic
def series_create(
    *,
    actor,
    organization,
    title: str,
    first_starts_at: dt.datetime,
    first_ends_at: dt.datetime,
    rule: str = "weekly",
    weekdays: list[int] | None = None,
    interval: int = 1,
    working_days_only: bool = False,
    until: dt.date | None = None,
    project=None,
    **template: Any,
) -> Series:
    """A recurring activity; its occurrences up to `until` (default 8 weeks ahead) are created.

    `rule` is "daily", "weekly" (with `weekdays`, 0 = Monday) or "monthly", or an RFC 5545
    RRULE such as `FREQ=WEEKLY;BYDAY=TU,FR` or `FREQ=MONTHLY;BYDAY=+2SA`. `template`
    takes the other fields of `activity_create` (places, address, room, hours_credited …).
    Every occurrence counts in the series' `project` (one of the community's open ones).
    """
    unknown = set(template) - CHANGEABLE
    if unknown:
        raise ActivityError(_("不能设置这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    # Check the first occurrence's values the way activity_create will.
    _clean(
        {
            "title": title,
            "starts_at": first_starts_at,
            "ends_at": first_ends_at,
            "audience": template.get("audience", Activity.Audience.VOLUNTEERS),
            **{k: v for k, v in template.items() if k != "audience"},
        }
    )
    project = resolve_project(project, community_id=organization.community_id, error=ActivityError)
    text = build_rule(
        first_starts_at=first_starts_at,
        duration=first_ends_at - first_starts_at,
        frequency=rule,
        weekdays=weekdays,
        interval=interval,
        working_days_only=working_days_only,
    )
    template = {"title": title, **template}
    closes = template.pop("signup_closes_at", None)
    template.pop("signup_opens_at", None)
    if closes is not None:
        # Each occurrence closes as long before its end as the first one does.
        template["close_before"] = max(first_ends_at - closes, dt.timedelta(0))
    series = Series.objects.create(
        community_id=organization.community_id,
        organization=organization,
        title=title.strip(),
        rule=text,
        template=_template_json(template),
        project=project,
    )
    audit(
        actor=actor,
        community_id=series.community_id,
        action="series.create",
        obj=series,
        new={"title": series.title, "rule": text, "project": series.project_id},
    )
    created = _generate(
        actor=actor, series=series, until=until or _horizon(), template=template, strict=True
    )
    if not created:
        raise ActivityError(_("按该规则没有任何一次"), field="rule")
    return series


def _template_json(values: dict[str, Any]) -> dict[str, Any]:
    """The template fields among `values` (activity_create's names), as JSON."""
    stored: dict[str, Any] = {}
    for name in TEMPLATE_FIELDS:
        key = name.removesuffix("_id")
        if key == "organization" or key not in values:
            continue
        value = values[key]
        if key == "room":
            stored["room_id"] = getattr(value, "pk", value)
        else:
            stored[key] = str(value) if isinstance(value, Decimal) else value
    if values.get("close_before") is not None:
        stored["close_before_seconds"] = int(values["close_before"].total_seconds())
    return stored


def _template_from(series: Series) -> dict[str, Any] | None:
    """What the next occurrence is made of: the series' own template; for a series
    made before it kept one, its latest occurrence."""
    if series.template:
        from kuihua.venues.models import Room

        values = dict(series.template)
        room_id = values.pop("room_id", None)
        values["room"] = Room.objects.filter(pk=room_id).first() if room_id else None
        if values.get("hours_credited") is not None:
            values["hours_credited"] = Decimal(values["hours_credited"])
        seconds = values.pop("close_before_seconds", None)
        if seconds is not None:
            values["close_before"] = dt.timedelta(seconds=seconds)
        values["organization"] = series.organization
        return values
    latest = (
        Activity.objects.filter(series=series)
        .exclude(status=Activity.Status.CANCELLED)
        .order_by("-starts_at", "-id")
        .first()
    )
    if latest is None:
        latest = Activity.objects.filter(series=series).order_by("-starts_at", "-id").first()
    if latest is None:
        return None
    values = {name.removesuffix("_id"): getattr(latest, name) for name in TEMPLATE_FIELDS}
    values["room"] = latest.room
    values["organization"] = latest.organization
    if latest.signup_closes_at is not None:
        values["close_before"] = latest.ends_at - latest.signup_closes_at
    return values


def _generate(
    *, actor, series: Series, until: dt.date, template: dict[str, Any], strict: bool
) -> list[Activity]:
    _recurrence, duration, _workdays = parse_rule(series.rule)
    template = dict(template)
    template.pop("organization", None)
    template.pop("starts_at", None)
    template.pop("ends_at", None)
    template.pop("signup_opens_at", None)
    close_before = template.pop("close_before", None)
    if template.pop("signup_closes_at", None) is not None and close_before is None:
        close_before = dt.timedelta(0)
    tz = timezone.get_current_timezone()
    created = []
    moments = series_dates(series, after=series.generated_until, until=until)
    if len(moments) >= MAX_OCCURRENCES_PER_RUN:
        # Capped: generated up to the last one made; the daily task goes on from there.
        until = moments[-1].date()
    for moment in moments:
        starts_at = timezone.make_aware(moment, tz)
        ends_at = starts_at + duration
        closes = ends_at - close_before if close_before is not None else None
        try:
            with transaction.atomic():
                created.append(
                    activity_create(
                        actor=actor,
                        organization=series.organization,
                        starts_at=starts_at,
                        ends_at=ends_at,
                        signup_closes_at=closes,
                        series=series,
                        **template,
                    )
                )
        except ActivityError as exc:
            if strict:
                raise ActivityError(
                    _("%(d)s 这一次无法安排：%(e)s") % {"d": f"{moment:%Y-%m-%d}", "e": exc},
                    field=exc.field,
                ) from exc
            logger.info("series %s: occurrence %s skipped (%s)", series.pk, moment, exc.field)
            _skipped_tell(
                series=series,
                starts_at=starts_at,
                ends_at=ends_at,
                room=template.get("room"),
                error=exc,
            )
    Series.objects.filter(pk=series.pk).update(generated_until=until)
    series.generated_until = until
    return created


def _skipped_tell(*, series: Series, starts_at, ends_at, room, error: ActivityError) -> None:
    """Write down an occurrence the run could not make and tell the series' organizers,
    naming what was in the way, with a link to arrange that one in another room or at
    another time. Once: the row is unique per series and start, and the message is
    written in its transaction, so a run repeated (or two at once) tells nobody twice."""
    clash = getattr(error.__cause__, "clash", None)
    try:
        with transaction.atomic():
            skipped = SkippedOccurrence.objects.create(
                community_id=series.community_id,
                series=series,
                starts_at=starts_at,
                ends_at=ends_at,
                room=room,
                clash=clash,
                reason=str(error)[:300],
            )
    except IntegrityError:
        return  # told already, by an earlier run or one running beside this one
    audit(
        actor=None,
        community_id=series.community_id,
        action="series.skip",
        obj=series,
        new={"starts_at": starts_at.isoformat(), "room": getattr(room, "pk", None)},
    )
    link = reverse(
        "activities:series_skipped", kwargs={"series_id": series.pk, "skipped_id": skipped.pk}
    )
    with recipients_language():
        title, body = skipped_notice(skipped, series=series)
        for person in series_organizers(series):
            notify(recipient=person, kind=SERIES_SKIPPED, title=title, body=body, link=link)


def skipped_reason(skipped: SkippedOccurrence) -> str:
    """Why the occurrence was not made, in the active language: the booking in the way
    (what, whose, when, as the booking form says it to anyone booking) or the rule broken."""
    if skipped.clash_id is not None:
        from kuihua.venues.services import clash_message

        return clash_message(skipped.clash)
    return skipped.reason


def skipped_notice(skipped: SkippedOccurrence, *, series: Series) -> tuple[str, str]:
    """The organizers' message: which series, which date and time, which room, what was in
    the way, and what to do."""
    start = timezone.localtime(skipped.starts_at)
    end = timezone.localtime(skipped.ends_at)
    title = _("固定活动“%(t)s”%(d)s 这一次未能安排") % {
        "t": series.title[:120],
        "d": f"{start:%Y-%m-%d}",
    }
    place = str(skipped.room) if skipped.room_id else _("原定地点")
    body = _(
        "原定 %(start)s–%(end)s 在%(room)s。%(reason)s。这一次没有生成，其他场次照常。"
        "请另选活动室或时间，单独安排这一次。"
    ) % {
        "start": f"{start:%Y-%m-%d %H:%M}",
        "end": f"{end:%H:%M}" if start.date() == end.date() else f"{end:%Y-%m-%d %H:%M}",
        "room": place,
        "reason": skipped_reason(skipped).rstrip("。"),
    }
    return title, body


def skipped_initial(skipped: SkippedOccurrence, *, series: Series) -> dict[str, Any]:
    """The activity form's values for arranging a skipped occurrence: the series' own
    values at the time it was due."""
    template = _template_from(series) or {}
    close_before = template.get("close_before")
    hours = template.get("hours_credited")
    return {
        "title": template.get("title") or series.title,
        "starts_at": timezone.localtime(skipped.starts_at),
        "ends_at": timezone.localtime(skipped.ends_at),
        "signup_closes_at": (
            timezone.localtime(skipped.ends_at - close_before) if close_before is not None else None
        ),
        "room": skipped.room_id,
        "address": template.get("address", ""),
        "places": template.get("places"),
        "audience": template.get("audience", Activity.Audience.VOLUNTEERS),
        "hours_credited": (
            hours if hours is not None else duration_hours(skipped.starts_at, skipped.ends_at)
        ),
        "min_age": template.get("min_age"),
        "max_age": template.get("max_age"),
        "required_skill": template.get("required_skill", ""),
        "required_training": template.get("required_training", ""),
        "confirm_within_hours": template.get("confirm_within_hours"),
        "description": template.get("description", ""),
    }


@transaction.atomic
def series_occurrence_arrange(*, actor, skipped: SkippedOccurrence, **values: Any) -> Activity:
    """Arrange, as an occurrence of its series, one the daily run could not make: in
    another room or at another time. It counts in the series' project, like the others."""
    skipped = (
        SkippedOccurrence.objects.select_for_update(of=("self",))
        .select_related("series__organization")
        .get(pk=skipped.pk)
    )
    if skipped.activity_id is not None:
        raise ActivityError(_("这一次已经另行安排过了"))
    values.pop("project", None)
    values.pop("status", None)
    unknown = set(values) - CHANGEABLE
    if unknown:
        raise ActivityError(_("不能设置这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    series = skipped.series
    activity = activity_create(
        actor=actor, organization=series.organization, series=series, **values
    )
    skipped.activity = activity
    skipped.save(update_fields=["activity"])
    audit(
        actor=actor,
        community_id=series.community_id,
        action="series.arrange",
        obj=series,
        new={"skipped": skipped.starts_at.isoformat(), "activity": activity.pk},
    )
    return activity


@transaction.atomic
def series_generate(*, actor=None, series: Series, until: dt.date | None = None) -> list[Activity]:
    """Create the occurrences not yet generated, up to `until` (default 8 weeks ahead).

    Runs daily for every series; an occurrence whose room is taken (or that is refused
    for another reason) is skipped, and the organizers are told once (`_skipped_tell`).
    """
    series = (
        Series.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=series.pk)
    )
    until = until or _horizon()
    if series.generated_until is not None and series.generated_until >= until:
        return []
    template = _template_from(series)
    if template is None:
        return []
    return _generate(actor=actor, series=series, until=until, template=template, strict=False)


@transaction.atomic
def series_update(
    *, actor, series: Series, starting: dt.datetime | None = None, **changes: Any
) -> list[Activity]:
    """Change this and every later occurrence (from `starting`, default now) alike.

    Times of day are not changed here; move one occurrence with `activity_update`.
    A change of `project` is the series' attribution (`series_attribute`): every
    occurrence that followed the series follows it, earlier ones too.
    """
    allowed = CHANGEABLE - {"starts_at", "ends_at", "signup_opens_at", "signup_closes_at"}
    unknown = set(changes) - allowed - {"project"}
    if unknown:
        raise ActivityError(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    if "project" in changes:
        series = series_attribute(actor=actor, series=series, project=changes.pop("project"))
        if not changes:
            return []
    starting = starting or timezone.now()
    changed = []
    for activity in (
        Activity.objects.filter(series=series, starts_at__gte=starting)
        .exclude(status=Activity.Status.CANCELLED)
        .order_by("starts_at", "id")
    ):
        changed.append(activity_update(actor=actor, activity=activity, **changes))
    if "title" in changes:
        series.title = changes["title"].strip()
    if series.template:
        series.template = {**series.template, **_template_json(changes)}
    series.save(update_fields=["title", "template"])
    return changed


@transaction.atomic
def series_attribute(*, actor, series: Series, project) -> Series:
    """Say which public-welfare project a series counts in (None: none).

    Its occurrences that counted where the series did (past ones too: the work was
    the series') move with it, with their service records; one an organizer put in
    another project on its own keeps it. New occurrences take the series' project.
    """
    series = Series.objects.select_for_update(of=("self",)).get(pk=series.pk)
    project = resolve_project(
        project, community_id=series.community_id, current=series.project_id, error=ActivityError
    )
    old = series.project_id
    if old == (project.pk if project else None):
        return series
    moved = reattribute(Activity.objects.filter(series=series), old_id=old, new=project)
    series.project = project
    series.save(update_fields=["project"])
    audit(
        actor=actor,
        community_id=series.community_id,
        action="series.attribute",
        obj=series,
        old={"project": old},
        new={"project": series.project_id, "occurrences": moved},
    )
    return series


@transaction.atomic
def series_end(*, actor, series: Series, after: dt.datetime | None = None) -> int:
    """Stop a series: later occurrences are cancelled (people told) and no more are made."""
    after = after or timezone.now()
    count = 0
    for activity in Activity.objects.filter(series=series, starts_at__gte=after).exclude(
        status=Activity.Status.CANCELLED
    ):
        activity_cancel(actor=actor, activity=activity, reason=_("固定活动已停止"))
        count += 1
    Series.objects.filter(pk=series.pk).update(generated_until=dt.date.max)
    audit(
        actor=actor,
        community_id=series.community_id,
        action="series.end",
        obj=series,
        new={"cancelled": count},
    )
    return count


def series_extend_all(*, today: dt.date | None = None) -> int:
    """For the daily task: keep every community's series generated 8 weeks ahead."""
    from kuihua.core.tenancy import sweep_every_community, use_community

    until = _horizon(today)
    with sweep_every_community():
        pending = list(
            Series.objects.exclude(generated_until__gte=until).values_list("pk", "community_id")
        )
    created = 0
    for series_id, community_id in pending:
        with use_community(community_id):
            series = Series.objects.get(pk=series_id)
            created += len(series_generate(series=series, until=until))
    return created
