"""Reads of the care programme: one person, alert, shift or swap for a user (404 when not
theirs to see or act on), the live board of today's windows, open alerts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuihua.care.models import Alert, CareRecipient, CheckIn, DutyShift, Incident, SwapRequest
from kuihua.care.sweep import parse_time

DONE, PENDING, OPEN, LATE, ALERTED, PAUSED = "done", "pending", "open", "late", "alerted", "paused"
UNWATCHED = "unwatched"
LABELS = {
    DONE: _("已签到"),
    PENDING: _("未到时间"),
    OPEN: _("签到中"),
    LATE: _("已超时"),
    ALERTED: _("已报警"),
    PAUSED: _("暂停"),
    # Closed before the person was enrolled or resumed: nobody was waiting for it.
    UNWATCHED: _("未纳入"),
}
# Each state's sign beside its words, so that no state is told by its colour alone.
# Text symbols found in common fonts, not emoji (a desk without an emoji font shows a box).
SYMBOLS = {
    DONE: "✓",
    PENDING: "○",
    OPEN: "◔",
    LATE: "✗",
    ALERTED: "⚠",
    PAUSED: "‖",
    UNWATCHED: "⊘",
}


# --- one object for a user: fetched in the community in force, then the rule ------------

# What a user may do with an enrolled person, and the django-rules permission that says so.
RECIPIENT_RULES = {
    "view": "care.view_recipient",
    "visit": "care.record_visit",
    "manage": "care.manage",
}
# The person's page (plan, pause, saved link, health conditions on request) is the
# coordinators': what `care:recipient_detail` asks, and when a name links to it.
RECIPIENT_PAGE_ACTION = "manage"


def _require(user, perm: str, obj=None) -> None:
    # 404, not 403: what a user may not act on is not disclosed either.
    if not user.has_perm(perm, obj):
        raise Http404


def recipients_with_visitors() -> QuerySet[CareRecipient]:
    return CareRecipient.objects.select_related("resident", "primary_visitor").prefetch_related(
        "backup_visitors"
    )


def access_recipient(user, recipient_id: int, *, action: str = "view") -> CareRecipient:
    """The enrolled person if `user` may `action` them (view, visit, manage), else 404."""
    recipient = get_object_or_404(recipients_with_visitors(), pk=recipient_id)
    if not may_act_on_recipient(user, recipient, action=action):
        raise Http404
    return recipient


def may_act_on_recipient(user, recipient: CareRecipient, *, action: str = "view") -> bool:
    """Whether `access_recipient(user, recipient.pk, action=action)` would open."""
    perm = RECIPIENT_RULES[action]
    return user.has_perm(perm, None if perm == "care.manage" else recipient)


def access_alert(user, alert_id: int) -> Alert:
    """The alert if `user` tends it (the duty officer, the person's visitors), else 404."""
    alert = get_object_or_404(
        Alert.objects.select_related("recipient__resident", "check_in"), pk=alert_id
    )
    _require(user, "care.tend_alert", alert)
    return alert


def access_incident(user, incident_id: int) -> Incident:
    """An incident for the coordinators, else 404."""
    incident = get_object_or_404(Incident.objects.all(), pk=incident_id)
    _require(user, "care.manage")
    return incident


def access_shift(user, shift_id: int) -> DutyShift:
    """A duty shift its holder may hand over, else 404."""
    shift = get_object_or_404(DutyShift.objects.all(), pk=shift_id)
    _require(user, "care.swap_shift", shift)
    return shift


def access_swap(user, swap_id: int) -> SwapRequest:
    """A swap request for a coordinator to decide, else 404."""
    swap = get_object_or_404(SwapRequest.objects.all(), pk=swap_id)
    _require(user, "care.manage")
    return swap


# --- the board ---------------------------------------------------------------------------


@dataclass
class BoardRow:
    recipient: CareRecipient
    windows: list[dict] = field(default_factory=list)
    # Whether the user may open the person's page (`board_for`); else the name is text.
    linked: bool = False

    @property
    def visitor(self) -> str:
        user = self.recipient.primary_visitor
        return (user.display_name or user.username) if user else ""

    @property
    def worst(self) -> int:
        order = [ALERTED, LATE, OPEN, PENDING, DONE, UNWATCHED, PAUSED]
        return min((order.index(w["state"]) for w in self.windows), default=len(order))


def board(*, now: dt.datetime | None = None) -> dict:
    """Today's windows of everyone enrolled — done, pending, open, late, alerted — the
    open alerts first, and the counts. Three queries, whatever the number of people."""
    now = now or timezone.now()
    zone = ZoneInfo(settings.TIME_ZONE)
    today = now.astimezone(zone).date()
    start = dt.datetime.combine(today, dt.time(), tzinfo=zone)
    recipients = list(
        CareRecipient.objects.filter(active=True)
        .select_related("resident", "primary_visitor")
        .order_by("id")
    )
    checked = {}
    for recipient_id, at in CheckIn.objects.filter(
        at__gte=start, result=CheckIn.Result.WELL
    ).values_list("recipient_id", "at"):
        checked.setdefault(recipient_id, []).append(at)
    alerted = set(
        Alert.objects.filter(kind=Alert.Kind.MISSED, window_closes_at__gte=start).values_list(
            "recipient_id", "window_closes_at"
        )
    )
    rows, counts = [], dict.fromkeys(LABELS, 0)
    for recipient in recipients:
        row = BoardRow(recipient)
        paused = recipient.paused_until is not None and today <= recipient.paused_until
        for begin, end in recipient.windows:
            opens = dt.datetime.combine(today, parse_time(begin), tzinfo=zone)
            closes = dt.datetime.combine(today, parse_time(end), tzinfo=zone)
            if paused:
                state = PAUSED
            elif any(at >= opens for at in checked.get(recipient.pk, ())):
                state = DONE
            elif (recipient.pk, closes) in alerted:
                state = ALERTED
            elif now < opens:
                state = PENDING
            elif now < closes:
                state = OPEN
            elif recipient.next_closes_at is not None and closes < recipient.next_closes_at:
                state = UNWATCHED  # the sweep's cursor never stood on it
            else:
                state = LATE
            counts[state] += 1
            row.windows.append(
                {
                    "opens": begin,
                    "closes": end,
                    "state": state,
                    "label": LABELS[state],
                    "symbol": SYMBOLS[state],
                }
            )
        rows.append(row)
    rows.sort(key=lambda r: (r.worst, r.recipient.pk))
    open_alerts = list(
        Alert.objects.filter(resolved_at__isnull=True)
        .select_related("recipient__resident", "acknowledged_by")
        .order_by("acknowledged_at", "-level", "raised_at")[:100]
    )
    summary = [
        {"state": k, "label": label, "symbol": SYMBOLS[k], "n": counts[k]}
        for k, label in LABELS.items()
    ]
    return {"rows": rows, "counts": counts, "summary": summary, "open_alerts": open_alerts}


def board_for(user, *, now: dt.datetime | None = None) -> dict:
    """`board`, each person's name linking to their page where `user` may open it."""
    shown = board(now=now)
    for row in shown["rows"]:
        row.linked = may_act_on_recipient(user, row.recipient, action=RECIPIENT_PAGE_ACTION)
    return shown


@dataclass(frozen=True)
class ProgrammeRows:
    """The rows behind the care programme's figures of one year (querysets, unevaluated),
    so that a grouped reading (the dashboard's, by community) counts the same rows."""

    enrolled: QuerySet  # CareRecipient: enrolled before the year ended
    contacts: QuerySet  # CheckIn: visits and calls in the year (a person's own is not a service)
    delivered: QuerySet  # ServiceDelivery: to enrolled people, in the year
    incidents: QuerySet  # Incident: in the year, of any kind
    accidents: QuerySet  # Incident: falls and other accidents in the year (a hospital stay is not)


def programme_rows(*, year: int) -> ProgrammeRows:
    """The rows the year's figures count (see `programme_figures`)."""
    from kuihua.matching.models import ServiceDelivery

    zone = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime(year, 1, 1, tzinfo=zone)
    end = dt.datetime(year + 1, 1, 1, tzinfo=zone)
    enrolled = CareRecipient.objects.filter(enrolled_at__lt=end)
    incidents = Incident.objects.filter(occurred_on__year=year)
    return ProgrammeRows(
        enrolled=enrolled,
        contacts=CheckIn.objects.filter(
            at__gte=start, at__lt=end, channel__in=(CheckIn.Channel.VISIT, CheckIn.Channel.CALL)
        ),
        delivered=ServiceDelivery.objects.filter(
            delivered_at__gte=start,
            delivered_at__lt=end,
            resident_id__in=enrolled.values("resident_id"),
        ),
        incidents=incidents,
        accidents=incidents.filter(kind__in=(Incident.Kind.FALL, Incident.Kind.ACCIDENT)),
    )


def programme_figures(*, year: int) -> dict:
    """The year's facts: people enrolled, person-times served, incidents, the accident rate.

    Person-times served: visits and calls recorded (a person's own check-in is not
    a service), plus services delivered to enrolled people through the matching,
    each delivery of a recurring need once: the units of docs/person-time.md, over
    the whole programme rather than one project. The accident rate: the share of
    the people enrolled during the year who had a fall or another accident.
    """
    rows = programme_rows(year=year)
    people = rows.enrolled.count()
    hurt = rows.accidents.values("recipient_id").distinct().count()
    return {
        "year": year,
        "people": people,
        "person_times": rows.contacts.count() + rows.delivered.count(),
        "incidents": rows.incidents.count(),
        "people_with_accidents": hurt,
        "accident_rate": round(hurt / people, 4) if people else None,
    }


def visits_of(user) -> list[CareRecipient]:
    """The people `user` visits (primary or backup), with today's last check-in."""
    if not user.is_authenticated:
        return []
    from django.db.models import Q

    return list(
        CareRecipient.objects.filter(Q(primary_visitor=user) | Q(backup_visitors=user), active=True)
        .select_related("resident__household__building__compound")
        .distinct()
        .order_by("resident__name_pinyin", "id")
    )


def alert_contacts(user, alert) -> list:
    """The person's emergency contacts, whole phones and all, for whoever handles `alert`
    (the duty officer, the person's visitors): the look is access-logged
    (`kuihua.core.disclosure.reveal`)."""
    from kuihua.core import disclosure

    resident = alert.recipient.resident
    contacts = list(resident.emergency_contacts.order_by("priority", "id"))
    if not contacts:
        return contacts
    return disclosure.reveal(
        user=user,
        subject=resident,
        values={"emergency_contacts": contacts},
        fields=["emergency_contacts.name", "emergency_contacts.phone"],
        purpose=f"alert:{alert.pk}",
    )["emergency_contacts"]


# --- the workbench (dashboard.workbench): what waits for a user today --------------------


def open_alerts_for(user) -> QuerySet[Alert]:
    """Alerts not yet resolved that `user` tends: every one for the duty officer (a
    coordinator, the shift holder), else those about the people they visit. Not yet
    answered first, then the highest level, then the oldest (as on the board)."""
    if not user.is_authenticated:
        return Alert.objects.none()
    alerts = Alert.objects.filter(resolved_at__isnull=True)
    if not user.has_perm("care.handle_alert"):
        from django.db.models import Q

        visited = CareRecipient.objects.filter(
            Q(primary_visitor=user) | Q(backup_visitors=user)
        ).values("pk")
        alerts = alerts.filter(recipient__in=visited)
    return alerts.select_related("recipient__resident").order_by(
        "acknowledged_at", "-level", "raised_at", "id"
    )


@dataclass
class WindowDue:
    """One of today's check-in windows of one person with no sign of life yet."""

    recipient: CareRecipient
    opens: dt.datetime
    closes: dt.datetime
    overdue: bool  # closed (else open now)


def windows_due(user, *, now: dt.datetime | None = None) -> list[WindowDue]:
    """Today's windows, opened already, with no check-in since they opened and no alert
    raised for them, of the people `user` looks after (everyone for the duty officer,
    else those they visit): the overdue ones (closed, 逾期未签到) first, oldest first.
    An overdue window is one the sweep has not yet turned into an alert. Three queries,
    whatever the number of people."""
    if not user.is_authenticated:
        return []
    now = now or timezone.now()
    zone = ZoneInfo(settings.TIME_ZONE)
    today = now.astimezone(zone).date()
    start = dt.datetime.combine(today, dt.time(), tzinfo=zone)
    recipients = CareRecipient.objects.filter(active=True).select_related("resident")
    if not user.has_perm("care.handle_alert"):
        from django.db.models import Q

        recipients = recipients.filter(Q(primary_visitor=user) | Q(backup_visitors=user))
    ids = recipients.values("pk")
    recipients = list(recipients.distinct().order_by("id"))
    checked: dict[int, list[dt.datetime]] = {}
    for recipient_id, at in CheckIn.objects.filter(
        recipient_id__in=ids, at__gte=start, result=CheckIn.Result.WELL
    ).values_list("recipient_id", "at"):
        checked.setdefault(recipient_id, []).append(at)
    alerted = set(
        Alert.objects.filter(
            recipient_id__in=ids, kind=Alert.Kind.MISSED, window_closes_at__gte=start
        ).values_list("recipient_id", "window_closes_at")
    )
    due = []
    for recipient in recipients:
        if recipient.paused_until is not None and today <= recipient.paused_until:
            continue
        for begin, end in recipient.windows:
            opens = dt.datetime.combine(today, parse_time(begin), tzinfo=zone)
            closes = dt.datetime.combine(today, parse_time(end), tzinfo=zone)
            if now < opens or (recipient.pk, closes) in alerted:
                continue
            if any(at >= opens for at in checked.get(recipient.pk, ())):
                continue
            if recipient.next_closes_at is not None and closes < recipient.next_closes_at:
                continue  # closed before the person was enrolled or resumed
            due.append(WindowDue(recipient, opens, closes, overdue=now >= closes))
    due.sort(key=lambda w: (not w.overdue, w.closes, w.recipient.pk))
    return due
