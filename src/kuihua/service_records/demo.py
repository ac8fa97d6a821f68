"""A year of volunteer service for a generated community (called by kuihua.demo.write).

About one member in five of the organizations (most leaders and deputies, more of
the volunteer teams than of the choirs) served in the last year: on average about
200 hours each, with a long tail (a median near 130, a few retirees over 800).
Each piece of service is one record of an afternoon or a morning, about what the
organization does (the haircut team's 为老义剪, the patrol's 平安巡逻), dated in the
year before the generation day and never before the volunteer joined. Records older
than a fortnight are verified, with their points; the last fortnight's are mostly
still waiting for the organization; a few were rejected. A handful of long-serving
leaders also carry their years before the system, entered from the paper ledger:
thousands of hours, the top star.

Bulk inserts, as the rest of the generator: the rules of the services (one record
at most 24 hours, a hand-entered record has a reason and evidence, points only for
verified hours) are kept by construction here, not by calling them 25,000 times.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone

from kuihua.accounts.models import Role, User
from kuihua.core.models import Community
from kuihua.organizations.models import Membership, Organization
from kuihua.service_records.models import PointsEntry, ServiceRecord, VolunteerProfile
from kuihua.service_records.services import points_rate

BATCH = 2_000
MEAN_HOURS = 200  # a year, per active volunteer
SIGMA = 0.9  # of the log of a volunteer's year: the long tail
MOST_HOURS = 900  # nobody serves more in a year
PENDING_DAYS = 14  # records this recent are mostly not verified yet
LIFETIME_LEADERS = 5
LEDGER_YEARS = 10  # at most, before the system
LEDGER_DAY = (4, 5, 6, 6, 8)  # a paper ledger's line: one day's service

# Share of the members of each category who served in the last year (leaders and
# deputies: ACTIVE_OFFICERS).
ACTIVE_SHARE = {
    "welfare": 0.12,
    "service": 0.1,
    "governance": 0.08,
    "learning": 0.03,
    "culture": 0.02,
}
ACTIVE_OFFICERS = 0.5
TWO_SESSIONS = 0.5  # of the days served: morning and afternoon, one record of the day

# What an organization's volunteers do, by a word in its name, then by its category:
# (project, place, recipients, hours of one session).
PROJECTS_BY_NAME: list[tuple[str, tuple[str, str, str, tuple[float, ...]]]] = [
    ("理发", ("为老义剪", "社区活动中心一楼", "社区老人", (2, 2.5, 3))),
    ("磨刀修伞", ("便民磨刀修伞", "社区广场", "社区居民", (2, 3))),
    ("家电维修", ("家电义务维修", "社区广场", "社区居民", (2, 3, 3.5))),
    ("助餐送餐", ("长者助餐送餐", "社区老年食堂", "高龄、独居老人", (1.5, 2, 2))),
    ("健康护理", ("健康护理上门", "居民家中", "失能、半失能老人", (2, 2.5, 3))),
    ("心理疏导", ("心理疏导值班", "心灵驿站", "有需要的居民", (2, 3))),
    ("编织", ("爱心编织", "社区活动中心", "困难家庭", (2, 3))),
    ("母婴互助", ("母婴互助沙龙", "社区亲子活动室", "新手妈妈", (1.5, 2))),
    ("缝补", ("便民缝补", "社区广场", "社区居民", (2, 3))),
    ("助浴", ("助浴上门服务", "居民家中", "失能老人", (2, 2.5))),
    ("幸福来敲门", ("独居老人探访", "居民家中", "独居老人", (1.5, 2, 2.5))),
    ("夕阳红志愿", ("高龄老人陪伴", "居民家中", "高龄老人", (2, 2.5, 3))),
    ("红十字", ("应急救护宣传与值守", "社区卫生服务站", "社区居民", (2, 3, 4))),
    ("助残", ("助残陪护", "居民家中", "残疾人", (2, 3))),
    ("环保", ("环保宣传与河道保洁", "社区周边河道", "社区居民", (2, 3))),
    ("爱心妈妈", ("困境儿童关爱", "社区亲子活动室", "困境儿童", (2, 2.5))),
    ("护苗", ("青少年课后辅导", "社区四点半课堂", "中小学生", (2, 2.5))),
    ("爱心集市", ("爱心集市义卖", "社区广场", "社区居民", (2.5, 3, 4))),
    ("法律援助", ("法律咨询值班", "社区法律服务室", "社区居民", (2, 3))),
    ("党员先锋", ("党员先锋岗值守", "社区党群服务中心", "社区居民", (2, 3, 4))),
    ("平安巡逻", ("平安巡逻", "各小区", "社区居民", (2, 2, 3))),
    ("调解", ("邻里纠纷调解", "社区调解室", "社区居民", (1.5, 2, 3))),
    ("垃圾分类", ("垃圾分类桶边督导", "各小区垃圾分类点", "社区居民", (1.5, 2))),
    ("停车", ("小区停车秩序引导", "各小区出入口", "社区居民", (2, 2.5))),
    ("消防", ("消防安全宣传", "各小区", "社区居民", (2, 3))),
    ("义管家", ("无物业小区义管家值守", "无物业小区", "小区居民", (2, 3))),
    ("楼道长", ("楼道安全巡查", "各楼道", "楼道居民", (1.5, 2))),
    ("智能手机", ("智能手机教学", "社区老年学堂", "老年居民", (1.5, 2))),
    ("英语角", ("英语角带领", "社区图书室", "社区居民", (1.5, 2))),
    ("阅读", ("亲子阅读带读", "社区图书室", "亲子家庭", (1.5, 2))),
    ("读书会", ("读书会导读", "社区图书室", "社区居民", (1.5, 2))),
]
PROJECTS_BY_CATEGORY = {
    "governance": ("社区治理志愿服务", "社区党群服务中心", "社区居民", (2, 3)),
    "culture": ("文艺志愿演出", "社区活动中心", "社区居民、养老院老人", (2, 2.5, 3)),
    "service": ("便民服务", "社区广场", "社区居民", (2, 3)),
    "welfare": ("关爱帮扶志愿服务", "居民家中", "困难群众", (2, 3)),
    "learning": ("课堂助教", "社区老年学堂", "社区居民", (1.5, 2)),
}
MANUAL_REASON = "活动现场未扫码签到，按纸质签到表补录"
MANUAL_EVIDENCE = "纸质签到表、活动照片"
LEDGER_REASON = "系统启用前的服务记录，按组织纸质服务台账补录"
LEDGER_EVIDENCE = "组织纸质服务台账（已核对）"
QUALITY = (
    [ServiceRecord.Quality.EXCELLENT, ServiceRecord.Quality.GOOD, ServiceRecord.Quality.QUALIFIED],
    [0.35, 0.5, 0.15],
)
MORNING, AFTERNOON, EVENING = (8, 30), (14, 0), (19, 0)


@functools.cache
def _project_of(name: str, category: str) -> tuple[str, str, str, tuple[float, ...]]:
    for word, project in PROJECTS_BY_NAME:
        if word in name:
            return project
    return PROJECTS_BY_CATEGORY[category]


def _project(organization: Organization) -> tuple[str, str, str, tuple[float, ...]]:
    return _project_of(organization.name, organization.category)


def demo_service_records(
    *, community: Community, seed: int = 2026, today: dt.date | None = None
) -> dict:
    """Write a year of service records in `community` (which must be in force)."""
    today = today or timezone.localdate()
    zone = ZoneInfo(settings.TIME_ZONE)
    now = timezone.now()
    rng = random.Random(f"service-records:{seed}")
    verifiers = list(
        User.objects.filter(community=community, role=Role.COORDINATOR).order_by("id")
    ) or [None]
    rate = points_rate()
    mu = math.log(MEAN_HOURS) - SIGMA**2 / 2
    year_start = today - dt.timedelta(days=365)

    records: list[ServiceRecord] = []

    def record(membership, organization, day, hours, *, ledger=False) -> None:
        project, place, recipients, _lengths = _project(organization)
        long_day = hours > 4
        start_hour, start_minute = (
            MORNING if long_day else rng.choice((MORNING, AFTERNOON, AFTERNOON, EVENING))
        )
        started = dt.datetime.combine(day, dt.time(start_hour, start_minute), tzinfo=zone)
        ended = started + dt.timedelta(minutes=round(float(hours) * 60))
        age = (today - day).days
        if ledger:
            source, status = ServiceRecord.Source.MANUAL, ServiceRecord.Status.VERIFIED
        else:
            source = (
                ServiceRecord.Source.MANUAL
                if rng.random() < 0.08
                else ServiceRecord.Source.ATTENDANCE
            )
            waiting = age <= PENDING_DAYS and rng.random() < 0.7 - age * 0.04
            if waiting:
                status = ServiceRecord.Status.PENDING
            elif rng.random() < 0.01:
                status = ServiceRecord.Status.REJECTED
            else:
                status = ServiceRecord.Status.VERIFIED
        manual = source == ServiceRecord.Source.MANUAL
        decided = status != ServiceRecord.Status.PENDING
        decided_at = min(now, ended + dt.timedelta(days=rng.randint(1, 6), hours=rng.randint(1, 8)))
        records.append(
            ServiceRecord(
                community=community,
                volunteer_id=membership.resident_id,
                organization=organization,
                service_item=project,
                date=day,
                started_at=None if manual else started,
                ended_at=None if manual else ended,
                place=place,
                recipients=recipients,
                content=f"{organization.name}：{project}",
                hours=Decimal(str(hours)).quantize(Decimal("0.01")),
                quality=(
                    rng.choices(*QUALITY)[0] if status == ServiceRecord.Status.VERIFIED else ""
                ),
                person_in_charge=organization.leader.name if organization.leader_id else "",
                recorder=rng.choice(verifiers) if manual else None,
                source=source,
                evidence=(LEDGER_EVIDENCE if ledger else MANUAL_EVIDENCE) if manual else "",
                reason=(LEDGER_REASON if ledger else MANUAL_REASON) if manual else "",
                status=status,
                verified_by=rng.choice(verifiers) if decided else None,
                verified_at=decided_at if decided else None,
                reject_reason="服务时长与签到表不符"
                if status == ServiceRecord.Status.REJECTED
                else "",
            )
        )

    def serve(membership, organization, first: dt.date, last: dt.date, target: float, **kw):
        """Sessions on days between `first` and `last` until about `target` hours."""
        lengths = LEDGER_DAY if kw.get("ledger") else _project(organization)[3]
        span = (last - first).days
        if span <= 0 or target <= 0:
            return
        days = []
        served = 0.0
        while served < target:
            hours = rng.choice(lengths)
            if rng.random() < TWO_SESSIONS:
                hours += rng.choice(lengths)
            days.append(hours)
            served += hours
        # Distinct days while there are enough of them.
        offsets = (
            rng.sample(range(span), len(days))
            if len(days) <= span
            else [rng.randrange(span) for _ in days]
        )
        for hours, offset in zip(days, offsets, strict=True):
            record(membership, organization, first + dt.timedelta(days=offset), hours, **kw)

    memberships = list(Membership.objects.select_related("organization__leader").order_by("id"))
    officers = (Membership.Role.LEADER, Membership.Role.DEPUTY, Membership.Role.BACKBONE)
    volunteers = set()
    for membership in memberships:
        organization = membership.organization
        share = (
            ACTIVE_OFFICERS
            if membership.role in officers
            else ACTIVE_SHARE.get(organization.category, 0.1)
        )
        if rng.random() >= share:
            continue
        first = max(year_start, membership.joined_on)
        if first >= today:
            continue
        target = min(MOST_HOURS, rng.lognormvariate(mu, SIGMA))
        target *= (today - first).days / 365
        serve(membership, organization, first, today, target)
        volunteers.add(membership.resident_id)

    # The long-serving: leaders of the oldest organizations, with their paper years.
    leaders = sorted(
        (m for m in memberships if m.role == Membership.Role.LEADER),
        key=lambda m: (m.joined_on, m.pk),
    )[:LIFETIME_LEADERS]
    for membership in leaders:
        first = max(membership.joined_on, year_start - dt.timedelta(days=365 * LEDGER_YEARS))
        years = (year_start - first).days / 365
        serve(
            membership,
            membership.organization,
            first,
            year_start,
            years * rng.uniform(280, 420),
            ledger=True,
        )
        volunteers.add(membership.resident_id)

    ServiceRecord.objects.bulk_create(records, batch_size=BATCH)
    # When each was written: at the check-out, or when the organization entered it.
    ServiceRecord.objects.filter(source=ServiceRecord.Source.ATTENDANCE).update(
        created_at=F("ended_at")
    )
    ServiceRecord.objects.filter(
        verified_at__isnull=False, source=ServiceRecord.Source.MANUAL
    ).update(created_at=F("verified_at"))

    verified = ServiceRecord.objects.filter(status=ServiceRecord.Status.VERIFIED).values_list(
        "pk", "volunteer_id", "hours", "service_item", "verified_by_id"
    )
    PointsEntry.objects.bulk_create(
        (
            PointsEntry(
                community=community,
                resident_id=volunteer,
                kind=PointsEntry.Kind.EARN,
                points=(hours * rate).quantize(Decimal("0.01")),
                hours=hours,
                rate=rate,
                record_id=pk,
                note=project[:200],
                created_by_id=verifier,
            )
            for pk, volunteer, hours, project, verifier in list(verified)
        ),
        batch_size=BATCH,
    )
    PointsEntry.objects.filter(record__isnull=False).update(
        created_at=Subquery(
            ServiceRecord.objects.filter(pk=OuterRef("record_id")).values("verified_at")[:1]
        )
    )

    with_profile = set(VolunteerProfile.objects.values_list("resident_id", flat=True))
    VolunteerProfile.objects.bulk_create(
        VolunteerProfile(community=community, resident_id=resident)
        for resident in sorted(volunteers - with_profile)
    )
    VolunteerProfile.objects.filter(number__isnull=True).update(
        number=Concat(
            Value(f"KH-{community.code.upper()}-"),
            LPad(Cast("id", CharField()), 6, Value("0")),
        )
    )
    return {"records": len(records), "volunteers": len(volunteers)}
