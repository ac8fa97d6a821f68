"""Demo activities for a generated community (called by kuihua.demo.write).

A weekly choir, a Saturday reading club, a twice-weekly blood-pressure station,
a monthly charity market (series, generated 8 weeks ahead) and a 50-place
vaccination-helper drive, with sign-ups by members of the organizations: the
first vaccination shift is full with a waitlist (and knows when it filled).
Everything goes through the services, so the data obeys the same rules as the
product.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import F
from django.utils import timezone

from kuihua.activities.drives import drive_create, shifts_create
from kuihua.activities.models import Activity
from kuihua.activities.series import series_create
from kuihua.activities.signups import services as signups
from kuihua.organizations.models import Category, Membership, Organization


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _next(today: dt.date, weekday: int) -> dt.date:
    """The next `weekday` (0 = Monday) after today."""
    return today + dt.timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _organization(category: str) -> Organization | None:
    return (
        Organization.objects.filter(category=category).order_by("id").first()
        or Organization.objects.order_by("id").first()
    )


def _sign_up(activity: Activity, residents: list, count: int) -> int:
    done = 0
    for resident in residents:
        if done >= count:
            break
        try:
            signups.signup_create(actor=None, activity=activity, resident=resident)
        except signups.SignupError:
            continue
        done += 1
    return done


def demo_activities(*, community, seed: int = 2026, today: dt.date | None = None) -> dict:
    """Create the demo activities in `community` (which must be in force). Returns counts."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    culture = _organization(Category.CULTURE_SPORTS)
    learning = _organization(Category.LEARNING)
    service = _organization(Category.SERVICE)
    welfare = _organization(Category.WELFARE)
    if culture is None:
        return {"activities": 0, "signups": 0}
    volunteers = [
        m.resident
        for m in Membership.objects.select_related("resident").order_by("id")[:400]
        if m.resident.birth_date is None or (today.year - m.resident.birth_date.year) >= 16
    ]
    rng.shuffle(volunteers)

    choir = series_create(
        actor=None,
        organization=culture,
        title="合唱团排练",
        first_starts_at=_at(_next(today, 2), 19),
        first_ends_at=_at(_next(today, 2), 21),
        rule="weekly",
        places=40,
        address="社区活动中心二楼多功能厅",
        description="每周三晚合唱排练，欢迎喜欢唱歌的居民。",
    )
    reading = series_create(
        actor=None,
        organization=learning,
        title="周六读书会",
        first_starts_at=_at(_next(today, 5), 9, 30),
        first_ends_at=_at(_next(today, 5), 11),
        rule="weekly",
        places=15,
        audience=Activity.Audience.RESIDENTS,
        address="社区图书室",
        description="每周六上午共读一本书，亲子家庭优先。",
    )
    blood_pressure = series_create(
        actor=None,
        organization=service,
        title="血压测量点值守",
        first_starts_at=_at(_next(today, 1), 8, 30),
        first_ends_at=_at(_next(today, 1), 10, 30),
        rule="FREQ=WEEKLY;BYDAY=TU,FR",
        places=3,
        address="社区卫生服务站门口",
        description="为老年居民免费测量血压并登记。",
    )
    market_day = _next(today, 5) + dt.timedelta(days=7)
    market = series_create(
        actor=None,
        organization=welfare,
        title="爱心集市志愿服务",
        first_starts_at=_at(market_day, 9),
        first_ends_at=_at(market_day, 11, 30),
        rule="monthly",
        places=20,
        address="社区广场",
        description="每月爱心集市：摆摊、引导、义卖登记。",
    )
    drive = drive_create(
        actor=None,
        organization=welfare,
        title="疫苗接种志愿者招募",
        description="协助社区卫生服务中心做好接种引导、信息登记和留观陪护。",
    )
    vaccination_day = today + dt.timedelta(days=3)
    shifts = shifts_create(
        actor=None,
        drive=drive,
        first_day=vaccination_day,
        last_day=vaccination_day,
        times=[(dt.time(8, 0), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 0))],
        places=25,
        address="社区卫生服务中心",
        required_skill="",
    )

    taken = 0
    pool = iter(range(len(volunteers)))

    def some(n: int) -> list:
        picked = []
        for _ in range(n):
            index = next(pool, None)
            if index is None:
                break
            picked.append(volunteers[index])
        return picked

    # The first vaccination shift is full, with three on the waitlist.
    taken += _sign_up(shifts[0], some(28), 28)
    # The sign-up that took its last place recorded when it filled (filled_at); as in
    # the model, where the drive's places went in half a day, its sign-up opened 4½
    # hours before that, so the dashboard's fill time has something to show.
    Activity.objects.filter(pk=shifts[0].pk, filled_at__isnull=False).update(
        signup_opens_at=F("filled_at") - dt.timedelta(hours=4, minutes=30)
    )
    taken += _sign_up(shifts[1], some(12), 12)
    for series, count in ((choir, 18), (reading, 8), (blood_pressure, 2), (market, 10)):
        upcoming = series.occurrences.filter(starts_at__gt=timezone.now()).order_by("starts_at")[:2]
        people = some(count)
        for occurrence in upcoming:
            taken += _sign_up(occurrence, people, count)
    return {
        "activities": Activity.objects.count(),
        "signups": taken,
    }
