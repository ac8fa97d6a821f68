"""A child process for the kill tests: seeds, sweeps slowly, queues the worker's task,
counts (see test_sweep_killed.py).

Run as `python -m kuihua.care.tests.sweep_child CMD …` with DJANGO_SETTINGS_MODULE and the
database's URL set. Nothing here imports Django at module level.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter


def setup(people: int) -> None:
    import datetime as dt

    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)
    from kuihua.care.models import CareRecipient
    from kuihua.core.tenancy import use_community
    from kuihua.registry.models import Resident
    from kuihua.tenants import community_create

    community = community_create(name="关爱测试社区", code="care-kill")
    with use_community(community):
        residents = Resident.objects.bulk_create(
            Resident(community=community, name=f"老人{i}", name_pinyin=f"laoren{i}")
            for i in range(people)
        )
        # One window each, a minute long, closed an hour ago: every one of them is due
        # once. The window is that very minute of the day, so the next one is tomorrow's,
        # whatever the hour the test runs (a fixed 08:00-10:00 was due twice between
        # 10:00 and 11:00, when today's real window had closed after the one set here).
        closes = timezone.localtime(timezone.now() - dt.timedelta(hours=1)).replace(
            second=0, microsecond=0
        )
        if closes.hour == 0 and closes.minute == 0:
            closes -= dt.timedelta(minutes=2)  # a window stays within one day
        opens = closes - dt.timedelta(minutes=1)
        CareRecipient.objects.bulk_create(
            CareRecipient(
                community=community,
                resident=r,
                windows=[[opens.strftime("%H:%M"), closes.strftime("%H:%M")]],
                next_opens_at=opens,
                next_closes_at=closes,
            )
            for r in residents
        )


def sweep(batch: int, pause: float) -> None:
    """The worker's sweep, a batch at a time with a pause between (to be killed in)."""
    from django.utils import timezone

    from kuihua.care.sweep import SWEEP_PERIOD, _sweep_batch

    now = timezone.now()
    while _sweep_batch(now, batch, SWEEP_PERIOD) is not None:
        print("batch", flush=True)
        time.sleep(pause)


def escalate(batch: int, pause: float) -> None:
    """Every alert overdue: escalate them all, then tell the coordinators a batch at a time,
    printing after each alert told (so the parent knows which batches have committed)."""
    import datetime as dt

    from django.utils import timezone

    from kuihua.accounts.models import Role, User
    from kuihua.care import alarms
    from kuihua.care.sweep import ACKNOWLEDGE_WITHIN
    from kuihua.core.models import Community

    community = Community.objects.get(code="care-kill")
    User.objects.get_or_create(
        username="care-coordinator", defaults={"role": Role.COORDINATOR, "community": community}
    )
    alarms.alerts_escalate(now=timezone.now() + ACKNOWLEDGE_WITHIN + dt.timedelta(minutes=1))
    tell = alarms._tell

    def told_slowly(alert, answering):
        tell(alert, answering)
        print("told", flush=True)
        time.sleep(pause)

    alarms._tell = told_slowly  # the pause to be killed in; the telling is the real one
    alarms.alerts_notify(batch=batch)


def escalations() -> None:
    """Per alert, how many coordinators' messages say it escalated."""
    from django.db.models import Count

    from kuihua.care.models import Alert
    from kuihua.core.tenancy import unscoped
    from kuihua.notifications.models import Message

    with unscoped():
        per_alert = dict(
            Message.objects.filter(kind="care_alert", title__startswith="【升级】")
            .values_list("link")
            .annotate(n=Count("id"))
        )
        alerts = list(Alert.objects.values_list("pk", "level", "notified_level"))
    print(
        json.dumps(
            {
                "alerts": len(alerts),
                "escalated": sum(1 for _pk, level, _n in alerts if level == 2),
                "marked_told": sum(1 for _pk, _l, told in alerts if told == 2),
                "messages": sorted(Counter(per_alert.values()).items()),
                "alerts_with_a_message": len(per_alert),
            }
        )
    )


def enqueue() -> None:
    """Queue the worker's periodic care task now (as the scheduler does each minute)."""
    from kuihua.care.tasks import care_sweep

    care_sweep()


def count() -> None:
    from django.db.models import Count

    from kuihua.care.models import Alert, CareRecipient
    from kuihua.core.tenancy import unscoped

    with unscoped():
        alerts = Alert.objects.filter(kind="missed")
        doubled = (
            alerts.values("recipient_id", "window_closes_at")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count()
        )
        print(
            json.dumps(
                {
                    "alerts": alerts.count(),
                    "people_alerted": alerts.values("recipient_id").distinct().count(),
                    "doubled": doubled,
                    "people": CareRecipient.objects.count(),
                }
            )
        )


if __name__ == "__main__":
    import django

    django.setup()
    command, *args = sys.argv[1:]
    if command == "setup":
        setup(int(args[0]))
    elif command == "sweep":
        sweep(int(args[0]), float(args[1]))
    elif command == "enqueue":
        enqueue()
    elif command == "escalate":
        escalate(int(args[0]), float(args[1]))
    elif command == "escalations":
        escalations()
    else:
        count()
