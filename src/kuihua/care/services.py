"""Every write of the care programme: enrolment, check-ins, alerts (training: kuihua.training).

Alerts come from two places: the sweep (`sweep.py`, a window closed without a
check-in) and a check-in that found nobody answering or something wrong, which
raises one at once. Each alert is acknowledged, then resolved with an outcome;
unacknowledged after ACKNOWLEDGE_WITHIN it escalates, and who is told what is
the alarm pipeline's (`alarms.py`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import itertools
import re
import secrets

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.accounts.models import Role, User
from kuihua.care.models import (
    DEFAULT_WINDOWS,
    Alert,
    CareRecipient,
    CheckIn,
    Incident,
)
from kuihua.care.sweep import ACKNOWLEDGE_WITHIN, next_window
from kuihua.core.attribution import OPEN_STATUSES, resolve_project
from kuihua.core.audit import audit
from kuihua.core.errors import ApplicationError
from kuihua.core.tenancy import (
    community_of,
    current_community_ids,
    sweep_every_community,
    use_community,
)
from kuihua.notifications.services import notify, recipients_language
from kuihua.training.selectors import has_training, trained_user_ids

TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MAX_PAUSE = dt.timedelta(days=366)


class CareError(ApplicationError):
    """A rule of the care programme was broken; the message is for the user, translated."""


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def windows_clean(windows) -> list[list[str]]:
    """[["08:00", "10:00"], …] checked: HH:MM, start before end, no overlap; sorted."""
    cleaned = []
    for pair in windows or []:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise CareError(_("签到时段格式不对"), field="windows")
        start, end = (str(v).strip() for v in pair)
        if not (TIME.match(start) and TIME.match(end)):
            raise CareError(_("时间请写成 08:00 这样的格式"), field="windows")
        if start >= end:
            raise CareError(
                _("时段的开始要早于结束：%(s)s–%(e)s") % {"s": start, "e": end}, field="windows"
            )
        cleaned.append([start, end])
    cleaned.sort()
    if not cleaned:
        raise CareError(_("至少要有一个签到时段"), field="windows")
    for (_s1, e1), (s2, _e2) in itertools.pairwise(cleaned):
        if s2 < e1:
            raise CareError(_("签到时段不能重叠"), field="windows")
    return cleaned


def trained_visitors():
    """Accounts of the community with a training record: who may be assigned as visitors."""
    return User.objects.filter(
        pk__in=trained_user_ids(), is_active=True, community_id__in=current_community_ids()
    ).order_by("username")


def is_trained(user) -> bool:
    """Any training recorded for `user` in their community (care asks for no course by name)."""
    return has_training(user)


def _check_visitors(primary, backups) -> None:
    for visitor in [primary, *backups]:
        if visitor is not None and not is_trained(visitor):
            raise CareError(
                _("%(name)s 还没有培训记录，不能安排为探访人") % {"name": visitor},
                field="primary_visitor" if visitor == primary else "backup_visitors",
            )


@transaction.atomic
def recipient_enrol(
    *,
    actor,
    resident,
    risk: str = CareRecipient.Risk.MEDIUM,
    conditions: str = "",
    windows=None,
    primary_visitor=None,
    backup_visitors=(),
    now: dt.datetime | None = None,
    project=None,
) -> CareRecipient:
    """Enrol `resident`; the first window watched is the next one to close.

    `project`: the public-welfare project the person is enrolled in; the visits and
    calls they receive count in its person-times (docs/person-time.md).
    """
    if CareRecipient.objects.filter(resident=resident).exists():
        raise CareError(_("该居民已在关爱名单中"), field="resident")
    if risk not in CareRecipient.Risk.values:
        raise CareError(_("请选择风险等级"), field="risk")
    windows = windows_clean(DEFAULT_WINDOWS if windows is None else windows)
    _check_visitors(primary_visitor, backup_visitors)
    project = resolve_project(project, community_id=resident.community_id, error=CareError)
    opens, closes = next_window(windows, now or timezone.now())
    try:
        with transaction.atomic():  # the one-to-one link decides a simultaneous second enrolment
            recipient = CareRecipient.objects.create(
                resident=resident,
                risk=risk,
                conditions=(conditions or "").strip(),
                windows=windows,
                primary_visitor=primary_visitor,
                project=project,
                next_opens_at=opens,
                next_closes_at=closes,
            )
    except IntegrityError:
        raise CareError(_("该居民已在关爱名单中"), field="resident") from None
    recipient.backup_visitors.set(backup_visitors)
    audit(
        actor=actor,
        community_id=recipient.community_id,
        action="care.enrol",
        obj=recipient,
        new={"risk": risk, "windows": windows, "project": recipient.project_id},
    )
    return recipient


@transaction.atomic
def recipient_attribute(*, actor, recipient: CareRecipient, project) -> CareRecipient:
    """Say which public-welfare project a person is enrolled in (None: none). Their
    visits and calls count in the project they are in when the figures are read."""
    recipient = CareRecipient.objects.select_for_update().get(pk=recipient.pk)
    project = resolve_project(
        project,
        community_id=recipient.community_id,
        current=recipient.project_id,
        error=CareError,
    )
    old = recipient.project_id
    recipient.project = project
    recipient.save(update_fields=["project"])
    audit(
        actor=actor,
        community_id=recipient.community_id,
        action="care.attribute",
        obj=recipient,
        old={"project": old},
        new={"project": recipient.project_id},
    )
    return recipient


@transaction.atomic
def recipient_pause(
    *, actor, recipient: CareRecipient, until: dt.date | None, reason: str = "", now=None
) -> CareRecipient:
    """Pause check-ins up to and including `until` (None resumes); the cursor moves on."""
    now = now or timezone.now()
    if until is not None and until < timezone.localdate(now):
        raise CareError(_("暂停结束日期不能早于今天"), field="until")
    if until is not None and until > timezone.localdate(now) + MAX_PAUSE:
        raise CareError(_("一次最多暂停一年，请选择一年以内的日期"), field="until")
    recipient = CareRecipient.objects.select_for_update().get(pk=recipient.pk)
    recipient.paused_until = until
    recipient.pause_reason = (reason or "").strip()[:100] if until else ""
    if recipient.next_closes_at is None or recipient.next_closes_at > now:
        recipient.next_opens_at, recipient.next_closes_at = next_window(
            recipient.windows, now, paused_until=until
        )
    # else a window closed before the pause and is not swept yet: the cursor stays on
    # it, so the sweep still raises it if it was missed, then moves on past the pause.
    recipient.save(
        update_fields=["paused_until", "pause_reason", "next_opens_at", "next_closes_at"]
    )
    audit(
        actor=actor,
        community_id=recipient.community_id,
        action="care.pause" if until else "care.resume",
        obj=recipient,
        new={"until": until.isoformat() if until else None, "reason": recipient.pause_reason},
    )
    return recipient


@transaction.atomic
def check_in(
    *,
    actor,
    recipient: CareRecipient,
    channel: str,
    result: str = CheckIn.Result.WELL,
    note: str = "",
    at: dt.datetime | None = None,
) -> CheckIn:
    """Record a check-in. "No answer" and "concern" raise an alert at once."""
    if channel not in CheckIn.Channel.values:
        raise CareError(_("请选择签到方式"), field="channel")
    if result not in CheckIn.Result.values:
        raise CareError(_("请选择情况"), field="result")
    at = at or timezone.now()
    record = CheckIn.objects.create(
        community_id=recipient.community_id,
        recipient=recipient,
        at=at,
        channel=channel,
        result=result,
        note=(note or "").strip()[:200],
        by=_actor(actor),
    )
    if result == CheckIn.Result.WELL:
        # Later of the two: a late entry of an old visit must not hide a newer silence.
        CareRecipient.objects.filter(pk=recipient.pk).filter(last_check_in_at__isnull=True).update(
            last_check_in_at=at
        )
        CareRecipient.objects.filter(pk=recipient.pk, last_check_in_at__lt=at).update(
            last_check_in_at=at
        )
        _close_answered_alerts(actor=actor, record=record)
    else:
        Alert.objects.create(
            community_id=recipient.community_id,
            recipient=recipient,
            kind=Alert.Kind.NO_ANSWER if result == CheckIn.Result.NO_ANSWER else Alert.Kind.CONCERN,
            check_in=record,
            raised_at=at,
            escalate_at=at + ACKNOWLEDGE_WITHIN,
        )
    return record


def _close_answered_alerts(*, actor, record: CheckIn) -> int:
    """A well check-in answers the person's open alerts for silence (a missed window, a
    knock nobody answered) raised before it: they close as found well, which also stops
    their escalation and the calls to the family. A concern a visitor reported stays
    open for the duty officer. Conditional UPDATEs: an alert someone closes at the
    same moment is closed once."""
    answered = Alert.objects.filter(
        recipient_id=record.recipient_id,
        kind__in=(Alert.Kind.MISSED, Alert.Kind.NO_ANSWER),
        resolved_at__isnull=True,
        raised_at__lte=record.at,
    )
    now, by = timezone.now(), _actor(actor)
    with recipients_language():  # the note is read by the duty officer, not the actor
        note = _("已签到平安（%(channel)s）") % {"channel": record.get_channel_display()}
    answered.filter(acknowledged_at__isnull=True).update(acknowledged_at=now, acknowledged_by=by)
    return answered.update(
        resolved_at=now, resolved_by=by, outcome=Alert.Outcome.FOUND_WELL, note=note
    )


# --- the self check-in link ---------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def self_link_issue(*, actor, recipient: CareRecipient) -> str:
    """A new secret for the person's saved link (the old one stops working); returns it."""
    token = secrets.token_urlsafe(24)
    CareRecipient.objects.filter(pk=recipient.pk).update(self_token_digest=_digest(token))
    audit(actor=actor, community_id=recipient.community_id, action="care.link", obj=recipient)
    return token


def recipient_by_token(token: str) -> CareRecipient | None:
    """The person a saved link belongs to (any community), or None."""
    if not token or len(token) > 100:
        return None
    digest = _digest(token)
    community_id = community_of(CareRecipient, self_token_digest=digest, active=True)
    if community_id is None:
        return None
    with use_community(community_id):
        return (
            CareRecipient.objects.filter(self_token_digest=digest, active=True)
            .select_related("resident")
            .first()
        )


# --- alerts ----------------------------------------------------------------------------


def _lock_alert(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().get(pk=alert.pk)


@transaction.atomic
def alert_acknowledge(*, actor, alert: Alert) -> Alert:
    alert = _lock_alert(alert)
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = _actor(actor)
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return alert


@transaction.atomic
def alert_resolve(*, actor, alert: Alert, outcome: str, note: str = "") -> Alert:
    if outcome not in Alert.Outcome.values:
        raise CareError(_("请选择处理结果"), field="outcome")
    alert = _lock_alert(alert)
    if alert.resolved_at is not None:
        raise CareError(_("该报警已处理完毕"))
    now = timezone.now()
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, _actor(actor)
    alert.resolved_at, alert.resolved_by = now, _actor(actor)
    alert.outcome, alert.note = outcome, (note or "").strip()[:200]
    alert.save()
    if outcome in (Alert.Outcome.HOSPITAL, Alert.Outcome.INCIDENT):
        Incident.objects.create(
            community_id=alert.community_id,
            recipient_id=alert.recipient_id,
            kind=Incident.Kind.HOSPITAL
            if outcome == Alert.Outcome.HOSPITAL
            else Incident.Kind.ACCIDENT,
            occurred_on=timezone.localdate(now),
            alert=alert,
            note=alert.note,
            recorded_by=_actor(actor),
        )
    audit(
        actor=actor,
        community_id=alert.community_id,
        action="care.alert.resolve",
        obj=alert,
        new={"outcome": outcome},
    )
    return alert


def duty_officers(community_id: int) -> list[User]:
    """The community's coordinators: who answers when no volunteer holds the duty shift."""
    return list(
        User.objects.filter(community_id=community_id, role=Role.COORDINATOR, is_active=True)
    )


# --- incidents, regular services, birthdays ------------------------------------------


@transaction.atomic
def incident_record(
    *, actor, recipient: CareRecipient, kind: str, occurred_on: dt.date, note: str = ""
) -> Incident:
    if kind not in Incident.Kind.values:
        raise CareError(_("请选择事件类型"), field="kind")
    if occurred_on > timezone.localdate():
        raise CareError(_("发生日期不能晚于今天"), field="occurred_on")
    incident = Incident.objects.create(
        recipient=recipient,
        kind=kind,
        occurred_on=occurred_on,
        note=(note or "").strip()[:300],
        recorded_by=_actor(actor),
    )
    audit(
        actor=actor,
        community_id=incident.community_id,
        action="care.incident",
        obj=incident,
        new={"kind": kind, "on": occurred_on.isoformat()},
    )
    return incident


def regular_service_order(*, actor, recipient: CareRecipient, category, **need_fields):
    """A regular service from the care plan (meals on weekdays, a monthly haircut …) as a
    need in the matching (service orders to organizations and partner institutions).

    Details are shared only if the person consented to share them with providers.
    """
    from kuihua.matching.models import Need
    from kuihua.matching.services import need_raise
    from kuihua.registry.models import Consent

    consented = (
        Consent.objects.filter(
            resident_id=recipient.resident_id, purpose=Consent.Purpose.SHARE_WITH_PROVIDER
        )
        .order_by("-recorded_at", "-id")
        .values_list("granted", flat=True)
        .first()
    )
    # The service is part of the person's care: it counts in their project (while open).
    if recipient.project_id and recipient.project.status in OPEN_STATUSES:
        need_fields.setdefault("project", recipient.project_id)
    return need_raise(
        actor=actor,
        resident=recipient.resident,
        category=category,
        channel=Need.Channel.COORDINATOR,
        consent_to_share=bool(consented),
        **need_fields,
    )


def birthdays_remind(*, today: dt.date | None = None) -> int:
    """A week ahead of an enrolled person's birthday, tell their visitors and the
    coordinators (once a year: the year is marked in the same transaction)."""
    today = today or timezone.localdate()
    ahead = today + dt.timedelta(days=7)
    told = 0
    born = Q(resident__birth_date__month=ahead.month, resident__birth_date__day=ahead.day)
    if (ahead.month, ahead.day) == (2, 28) and not calendar.isleap(ahead.year):
        # Born on 29 February: celebrated on the 28th in the other years.
        born |= Q(resident__birth_date__month=2, resident__birth_date__day=29)
    with sweep_every_community():
        due = list(
            CareRecipient.objects.filter(born, active=True)
            .exclude(birthday_reminded_year=ahead.year)
            .values_list("pk", "community_id")
        )
    for pk, community_id in due:
        with use_community(community_id), transaction.atomic():
            marked = (
                CareRecipient.objects.filter(pk=pk)
                .exclude(birthday_reminded_year=ahead.year)
                .update(birthday_reminded_year=ahead.year)
            )
            if not marked:
                continue  # another run told them
            recipient = CareRecipient.objects.select_related("resident", "primary_visitor").get(
                pk=pk
            )
            age = ahead.year - recipient.resident.birth_date.year
            people = [recipient.primary_visitor, *duty_officers(community_id)]
            for person in {p.pk: p for p in people if p is not None}.values():
                notify(
                    recipient=person,
                    kind="care_birthday",
                    title=_("%(name)s %(date)s 过 %(age)s 岁生日")
                    % {
                        "name": recipient.resident.name,
                        "date": ahead.strftime("%m-%d"),
                        "age": age,
                    },
                    body=_("可以提前安排一次上门看望。"),
                )
            told += 1
    return told
