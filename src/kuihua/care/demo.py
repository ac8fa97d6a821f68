"""Demo of the care programme for a generated community (called by kuihua.demo.write).

The elders who consented to the care programme (the generator records a
Consent "care" for them) are enrolled, up to 120, with the default windows;
eight volunteers of the organizations (accounts without a password yet) are trained
and assigned as visitors and take this month's duty-line shifts;
today so far is recorded as it went, whatever the hour of the generation: most
checked in within each window that has opened, the sweep alerted those who had
not at its close, a visitor found most of them well soon after. A few are paused
(in hospital). Through the services, as always.

The year before today is history, written in bulk as the sweep and the services would
have left it (`_year_before`): each enrolled elder's two windows a day since enrolment,
nearly all checked in with the elder's own 我很好 (a sign of life, not a service: the
year's visits and calls, which count as person-times, are the flagship project's,
demo/projects.py), the few missed ones each an alert that a coordinator acknowledged
and a visitor closed, mostly finding the elder well.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from kuihua.accounts.models import Role, User
from kuihua.care import services
from kuihua.care.models import DEFAULT_WINDOWS, Alert, CareRecipient, CheckIn
from kuihua.care.sweep import ACKNOWLEDGE_WITHIN, parse_time, windows_sweep
from kuihua.core.bulk import insert_rows
from kuihua.organizations.models import Membership
from kuihua.registry.models import Consent, Resident
from kuihua.training.services import training_record

ENROLLED = 120
PAUSED = 0.03  # in hospital, or away at a child's
CHECKED_IN = 0.93  # of a window, once it has closed
FOUND_WELL = 0.6  # of those alerted, found well by a visitor after the alert
SWEPT_AFTER = dt.timedelta(minutes=1)
HISTORY_DAYS = 365
HISTORY_MISSED = 0.015  # of a past window: nobody checked in by its close


def demo_care(*, community, seed: int = 2026, today: dt.date | None = None) -> dict:
    """Enrol consenting elders in `community` (which must be in force). Returns counts."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    visitors = []
    for membership in Membership.objects.select_related("resident").order_by("id")[:8]:
        user = User.objects.create(
            username=f"{community.code}-visitor-{membership.pk}",
            role=Role.VOLUNTEER,
            community=community,
            display_name=membership.resident.name,
            is_active=True,
        )
        training_record(
            actor=None,
            user=user,
            course="幸福来敲门探访培训（礼仪、观察要点、应急处置）",
            completed_on=today - dt.timedelta(days=rng.randrange(30, 400)),
        )
        visitors.append(user)
    consenting = (
        Resident.objects.filter(consents__purpose=Consent.Purpose.CARE, consents__granted=True)
        .exclude(care__isnull=False)
        .distinct()
        .order_by("id")[:ENROLLED]
    )
    now = _moment(today)
    zone = ZoneInfo(settings.TIME_ZONE)
    midnight = dt.datetime.combine(today, dt.time(), tzinfo=zone)
    recipients = []
    enrolled = []  # (recipient, enrolled_at): the history runs from enrolment
    for resident in consenting:
        # Enrolled before today began: today's windows are all watched.
        recipient = services.recipient_enrol(
            actor=None,
            resident=resident,
            risk=rng.choice(list(CareRecipient.Risk.values)),
            primary_visitor=rng.choice(visitors) if visitors else None,
            now=midnight,
        )
        enrolled_at = midnight - dt.timedelta(days=rng.randrange(20, 700), hours=-9)
        CareRecipient.objects.filter(pk=recipient.pk).update(enrolled_at=enrolled_at)
        enrolled.append((recipient, enrolled_at))
        if rng.random() < PAUSED:
            services.recipient_pause(
                actor=None,
                recipient=recipient,
                until=today + dt.timedelta(days=rng.randrange(3, 15)),
                reason=rng.choice(["住院治疗", "去子女家小住"]),
                now=midnight,
            )
            continue
        recipients.append(recipient)
    history = _year_before(
        enrolled, midnight=midnight, rng=random.Random(f"care-history:{seed}"), community=community
    )
    _today_so_far(recipients, now=now, rng=rng)
    # The duty line: the trained volunteers take this month's shifts.
    from kuihua.care.duty import rota_generate
    from kuihua.care.models import DutyPreference

    for user in visitors:
        DutyPreference.objects.create(
            user=user,
            days=rng.choice(list(DutyPreference.Days.values)),
            max_shifts_per_month=rng.choice([8, 10, 12]),
            max_consecutive_days=3,
        )
    _shifts, uncovered = rota_generate(actor=None, year=today.year, month=today.month)
    return {
        "enrolled": len(recipients),
        "visitors": len(visitors),
        "uncovered": len(uncovered),
        **history,
    }


def _year_before(
    enrolled: list, *, midnight: dt.datetime, rng: random.Random, community
) -> dict[str, int]:
    """The year before `midnight` (today's start), in bulk: every window of every enrolled
    elder since enrolment, checked in within it by the elder, or missed and then an alert
    raised at its close, acknowledged by a coordinator within minutes and closed by a
    visitor's visit."""
    zone = ZoneInfo(settings.TIME_ZONE)
    coordinators = list(
        User.objects.filter(community=community, role=Role.COORDINATOR)
        .order_by("id")
        .values_list("pk", flat=True)
    ) or [None]
    first_day = midnight.date() - dt.timedelta(days=HISTORY_DAYS)
    check_ins, alerts = [], []
    for recipient, enrolled_at in enrolled:
        visitor = recipient.primary_visitor_id
        windows = [(parse_time(b), parse_time(e)) for b, e in recipient.windows]
        day = max(first_day, timezone.localdate(enrolled_at) + dt.timedelta(days=1))
        while day < midnight.date():
            for begin, end in windows:
                opens = dt.datetime.combine(day, begin, tzinfo=zone)
                closes = dt.datetime.combine(day, end, tzinfo=zone)
                if rng.random() >= HISTORY_MISSED:
                    at = opens + (closes - opens) * rng.random()
                    check_ins.append((community.pk, recipient.pk, at, "self", "well", "", None))
                    continue
                raised = closes + SWEPT_AFTER
                acknowledged = raised + dt.timedelta(minutes=rng.randrange(2, 14))
                found = acknowledged + dt.timedelta(minutes=rng.randrange(10, 90))
                well = rng.random() < 0.9
                officer = rng.choice(coordinators)
                if well:
                    well_at = (community.pk, recipient.pk, found, "visit", CheckIn.Result.WELL)
                    check_ins.append((*well_at, "", visitor))
                alerts.append(
                    Alert(
                        community=community,
                        recipient_id=recipient.pk,
                        kind=Alert.Kind.MISSED,
                        window_opens_at=opens,
                        window_closes_at=closes,
                        raised_at=raised,
                        escalate_at=raised + ACKNOWLEDGE_WITHIN,
                        notified_level=1,
                        acknowledged_at=acknowledged,
                        acknowledged_by_id=officer,
                        resolved_at=found,
                        resolved_by_id=visitor if well else officer,
                        outcome=Alert.Outcome.FOUND_WELL if well else Alert.Outcome.VISITED,
                        note="志愿者上门确认平安" if well else "上门查看，已联系家属",
                    )
                )
            day += dt.timedelta(days=1)
    insert_rows(
        CheckIn,
        ["community_id", "recipient_id", "at", "channel", "result", "note", "by_id"],
        check_ins,
    )
    Alert.objects.bulk_create(alerts, batch_size=1000)
    # The last sign of life before today, as the check-ins would have left it.
    CareRecipient.objects.filter(last_check_in_at__isnull=True).update(
        last_check_in_at=Subquery(
            CheckIn.objects.filter(recipient=OuterRef("pk")).order_by("-at").values("at")[:1]
        )
    )
    return {"check_ins_before_today": len(check_ins), "alerts_before_today": len(alerts)}


def _moment(today: dt.date) -> dt.datetime:
    """Now, on the generation day (the time of day of now on another day)."""
    now = timezone.now()
    if timezone.localdate(now) == today:
        return now
    return dt.datetime.combine(today, timezone.localtime(now).time(), tzinfo=now.tzinfo)


def _today_so_far(recipients: list, *, now: dt.datetime, rng: random.Random) -> None:
    """Today's windows up to `now`, as the day went: most people checked in within
    the window; the sweep raised an alert at the close for those who had not, and
    a visitor found most of them well soon after; a window still open is partly done."""
    zone = ZoneInfo(settings.TIME_ZONE)
    today = now.astimezone(zone).date()
    for begin, end in DEFAULT_WINDOWS:
        opens = dt.datetime.combine(today, parse_time(begin), tzinfo=zone)
        closes = dt.datetime.combine(today, parse_time(end), tzinfo=zone)
        if now <= opens:
            break
        # The share checked in by now grows through the window to CHECKED_IN.
        share = CHECKED_IN * min(1.0, (now - opens) / (closes - opens))
        missed = []
        for recipient in recipients:
            if rng.random() >= share:
                missed.append(recipient)
                continue
            at = opens + (min(now, closes) - opens) * rng.random()
            channel = rng.choice(["visit", "self", "self", "call"])
            services.check_in(
                actor=None if channel == "self" else recipient.primary_visitor,
                recipient=recipient,
                channel=channel,
                at=at,
            )
        if now < closes + SWEPT_AFTER:
            break  # still open (or just closed): nobody is alerted yet
        windows_sweep(now=closes + SWEPT_AFTER)
        for recipient in missed:
            found = closes + dt.timedelta(minutes=rng.randrange(15, 120))
            if found < now and rng.random() < FOUND_WELL:
                services.check_in(
                    actor=recipient.primary_visitor, recipient=recipient, channel="visit", at=found
                )
        # The duty officer is on the others (acknowledged: no more escalation).
        officers = services.duty_officers(recipients[0].community_id) if recipients else []
        if officers and now - closes > dt.timedelta(minutes=30):
            for alert in Alert.objects.filter(
                window_closes_at=closes, resolved_at__isnull=True, acknowledged_at__isnull=True
            ).order_by("id"):
                services.alert_acknowledge(actor=officers[0], alert=alert)
