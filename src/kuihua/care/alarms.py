"""The alarm pipeline: escalation, telling the people on duty, then the family.

Alerts are raised by the sweep (`sweep.py`) and by check-ins (`services.check_in`).
Unacknowledged after ACKNOWLEDGE_WITHIN, an alert escalates (`alerts_escalate`);
notifications leave through `alerts_notify`, which marks what it sent in the same
transaction, so nobody is told twice and nobody is forgotten; at level 2 the
emergency contacts are told one by one (`contacts_tell`). See docs/adr/0007-care-alarms.md.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.care.duty import on_duty_now
from kuihua.care.models import Alert
from kuihua.care.services import duty_officers
from kuihua.care.sweep import ACKNOWLEDGE_WITHIN
from kuihua.core.tenancy import sweep_every_community, use_community
from kuihua.notifications.services import notify


def alerts_escalate(*, now: dt.datetime | None = None) -> int:
    """Unacknowledged level-1 alerts past their time go to level 2; how many."""
    now = now or timezone.now()
    with sweep_every_community():
        return Alert.objects.filter(
            acknowledged_at__isnull=True, level=1, escalate_at__lte=now
        ).update(level=2, contact_due_at=now)


CONTACT_EVERY = dt.timedelta(minutes=5)


def _send_to_contact(contact, text: str) -> None:
    """An SMS through the notifications' SMS provider (KUIHUA_SMS_SENDER, a setting or
    an environment variable) when one is configured; always a log line with the
    number masked. The default set-up sends nothing outside."""
    import logging

    from kuihua.core.masking import mask_phone
    from kuihua.notifications.channels import sms_to_number

    sms_to_number(contact.phone, text)
    logging.getLogger("kuihua.care").info(
        "care: emergency contact %s (%s) told of alert", contact.priority, mask_phone(contact.phone)
    )


def _contact_text(alert: Alert) -> str:
    """What the family reads: what happened, and when (a window missed yesterday says so)."""
    name = alert.recipient.resident.name
    happened = alert.window_closes_at or alert.raised_at
    when = timezone.localtime(happened).strftime("%m-%d %H:%M")
    if alert.kind == Alert.Kind.MISSED:
        text = _("【社区关爱】%(name)s 未在 %(when)s 前报平安，社区正在联系，请您尽快确认。")
    elif alert.kind == Alert.Kind.NO_ANSWER:
        text = _("【社区关爱】志愿者 %(when)s 上门看望 %(name)s，敲门无人应答，请您尽快联系确认。")
    else:
        text = _(
            "【社区关爱】志愿者 %(when)s 看望 %(name)s 时发现情况异常，社区正在处理，请您尽快联系。"
        )
    return text % {"name": name, "when": when}


def contacts_tell(*, now: dt.datetime | None = None) -> int:
    """Escalated, unacknowledged alerts reach the emergency contacts one by one, in order,
    every CONTACT_EVERY until someone acknowledges; how many contacts were told.

    Each contact is told, then counted, in one transaction per alert: a crash
    between the two tells that contact once more, never skips one.
    """
    from kuihua.registry.models import EmergencyContact

    now = now or timezone.now()
    told = 0
    with sweep_every_community():
        due = list(
            Alert.objects.filter(
                level__gte=2,
                acknowledged_at__isnull=True,
                resolved_at__isnull=True,
                contact_due_at__lte=now,
            ).values_list("pk", "community_id")
        )
    for pk, community_id in due:
        with use_community(community_id), transaction.atomic():
            alert = (
                Alert.objects.select_for_update(of=("self",))
                .select_related("recipient__resident")
                .get(pk=pk)
            )
            if alert.acknowledged_at is not None or alert.contact_due_at is None:
                continue
            contacts = list(
                EmergencyContact.objects.filter(resident_id=alert.recipient.resident_id).order_by(
                    "priority", "id"
                )
            )
            if alert.contacts_told >= len(contacts):
                alert.contact_due_at = None  # everyone in the chain has been told
            else:
                contact = contacts[alert.contacts_told]
                _send_to_contact(contact, _contact_text(alert))
                alert.contacts_told += 1
                alert.contact_due_at = now + CONTACT_EVERY
                told += 1
            alert.save(update_fields=["contacts_told", "contact_due_at"])
    return told


def alerts_notify(*, batch: int = 500) -> int:
    """Tell the people each alert's level asks for, once; how many alerts were told.

    Level 1: the primary and backup visitors and whoever is on duty now.
    Level 2: the coordinators, asked to call the emergency contacts in order.
    Who is on duty is read once per community and batch, not once per alert.
    """
    told = 0
    while True:
        with transaction.atomic(), sweep_every_community():
            pending = list(
                Alert.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(notified_level__lt=F("level"), resolved_at__isnull=True)
                .select_related("recipient__resident", "recipient__primary_visitor")
                .prefetch_related("recipient__backup_visitors")
                .order_by("raised_at", "id")[:batch]
            )
            if not pending:
                return told
            answering: dict[tuple[int, bool], list] = {}
            for alert in pending:
                key = (alert.community_id, alert.level >= 2)
                with use_community(alert.community_id):
                    if key not in answering:
                        answering[key] = (
                            duty_officers(alert.community_id)
                            if key[1]
                            else on_duty_now(alert.community_id)
                        )
                    _tell(alert, answering[key])
                alert.notified_level = alert.level
            Alert.objects.bulk_update(pending, ["notified_level"])
            told += len(pending)


def _tell(alert: Alert, answering: list) -> None:
    """Notify about `alert`: its visitors (level 1) and `answering` (on duty, or coordinators)."""
    recipient = alert.recipient
    name = recipient.resident.name
    link = reverse("care:alert_detail", kwargs={"alert_id": alert.pk})
    title = _("关爱报警：%(name)s %(kind)s") % {"name": name, "kind": alert.get_kind_display()}
    if alert.level >= 2:
        people = list(answering)
        body = _("已超过 %(m)s 分钟无人响应，请立即处理，并按顺序联系紧急联系人。") % {
            "m": int(ACKNOWLEDGE_WITHIN.total_seconds() // 60)
        }
        title = _("【升级】") + title
    else:
        people = [recipient.primary_visitor, *recipient.backup_visitors.all(), *answering]
        body = _("请尽快上门或电话确认老人是否平安，并在系统中点“响应”。")
    seen = set()
    for person in people:
        if person is not None and person.pk not in seen:
            seen.add(person.pk)
            notify(recipient=person, kind="care_alert", title=title, body=body, link=link)
