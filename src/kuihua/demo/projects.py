"""Demo of the public-welfare projects (项目化运作) for a generated community (called by
kuihua.demo.write, after the other apps' demos and before the market's).

Twenty-seven projects in seven domains, each led by the organization that does that
work (by a word of its name, else one of a fitting category) with partner
organizations and units, the people it serves (by tag, and some by name), a plan whose
steps are mostly done (a few late, a few still open), a budget by line, its money (a
subsidy from the district's bureaus or the street office, 760,000 yuan across the 27,
donations from the partner enterprises), what it spent against each line (60–95% of
the budget) and its outcome indicators.

What the projects delivered is the community's own work attributed to them (the
activities, series and drives, needs and service offers of their organizations, the
care programme's enrolled elders for 幸福来敲门) and a year of each project's own
sessions with the residents who came; the flagship's accident rate is computed from
the care programme's incidents, never typed. The money goes through the ledger (one
bulk posting per project), so every project's books balance and chain.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from kuihua.accounts.models import Role, User
from kuihua.activities.models import Activity, Attendance, Drive, Series, Signup
from kuihua.care.models import CareRecipient, CheckIn, Incident
from kuihua.core.bulk import insert_rows
from kuihua.core.money import split_fen
from kuihua.ledger import services as ledger_services
from kuihua.ledger.models import Account
from kuihua.matching.models import Need, ServiceDelivery, ServiceOffer
from kuihua.organizations.models import Organization, PartnerUnit
from kuihua.projects import services
from kuihua.projects.models import (
    BudgetLine,
    Funding,
    Milestone,
    OutcomeIndicator,
    Project,
    ProjectDomain,
)
from kuihua.registry.models import Resident, Tag
from kuihua.service_records.models import ServiceRecord

# Besides the common fields of work (kuihua.projects.services.COMMON_DOMAINS), the two
# this community names itself.
EXTRA_DOMAINS = ("文化体育", "环境保护")
FLAGSHIP = "幸福来敲门"


@dataclass(frozen=True)
class Plan:
    """One project of the demo: what it is, who leads it, who it serves, its subsidy
    (yuan) and where that comes from, what its sessions are, what matching categories
    it takes on."""

    domain: int
    name: str
    leads: tuple[str, ...]  # words of the lead organization's name, in preference
    category: str  # the lead's category when no name fits
    summary: str
    tags: tuple[str, ...]
    subsidy: int  # yuan
    source: str
    session: tuple[str, str, int, tuple[int, int]]  # title, place, every n days, people
    categories: tuple[str, ...] = ()
    units: tuple[str, ...] = ()  # words of the partner units' names


STREET = "街道办事处"
PLANS = [
    # 关爱独居老人
    Plan(0, FLAGSHIP, ("幸福来敲门", "夕阳红志愿"), "welfare",
         "独居、高龄老人每日平安签到，志愿者定期上门探访、电话问候，发现异常及时处置。",
         ("living_alone", "advanced_age"), 120_000, "西湖区民政局",
         ("独居老人集体生日会", "社区活动中心多功能厅", 30, (15, 30)),
         ("companionship",), ("民政局", "社区卫生服务中心")),
    Plan(0, "长者助餐暖心食堂", ("助餐送餐",), "service",
         "为高龄、独居老人提供午餐堂食和送餐上门，兼顾慢病老人的饮食。",
         ("advanced_age", "living_alone"), 80_000, "西湖区民政局",
         ("长者助餐日", "社区老年食堂", 7, (20, 40)), ("meal_delivery",), ("养老院",)),
    Plan(0, "银龄健康守护", ("健康护理", "红十字"), "service",
         "失能、半失能老人健康护理上门，血压血糖监测，家庭医生签约随访。",
         ("advanced_age", "ill_disabled"), 50_000, "西湖区卫生健康局",
         ("老年健康讲座与义诊", "社区卫生服务站", 14, (15, 35)),
         ("rehabilitation", "medical_escort"), ("社区卫生服务中心",)),
    Plan(0, "为老义剪", ("理发",), "service",
         "每周三为社区老人免费理发，行动不便的上门服务。",
         ("advanced_age",), 15_000, STREET,
         ("为老义剪服务日", "社区活动中心一楼", 7, (10, 20)), ("haircut",)),
    Plan(0, "助浴上门", ("助浴",), "service",
         "为失能老人提供上门助浴和居家清洁。",
         ("ill_disabled", "advanced_age"), 40_000, "西湖区民政局",
         ("助浴护理培训与服务", "社区活动中心", 30, (6, 12)), ("housekeeping",), ("养老院",)),
    Plan(0, "夕阳红陪伴计划", ("夕阳红志愿", "老年学堂"), "welfare",
         "志愿者与高龄老人结对，陪聊、陪诊、陪伴外出。",
         ("advanced_age", "living_alone"), 25_000, STREET,
         ("银龄茶话会", "社区活动中心", 14, (12, 25)), ("companionship",)),
    # 青少年成长
    Plan(1, "四点半课堂", ("护苗", "青少年"), "welfare",
         "放学后为双职工家庭和困境儿童提供作业辅导、兴趣课程。",
         ("youth",), 45_000, "共青团西湖区委",
         ("四点半课堂", "社区四点半课堂", 7, (12, 25)), ("tutoring",), ("学军小学",)),
    Plan(1, "亲子阅读成长计划", ("亲子阅读", "读书会"), "learning",
         "每月共读一本书，带读志愿者陪伴亲子家庭养成阅读习惯。",
         ("youth",), 20_000, "西湖区文化和广电旅游体育局",
         ("亲子共读会", "社区图书室", 14, (10, 20)), ("child_care",), ("图书馆",)),
    Plan(1, "青少年科普探索营", ("科普", "护苗"), "learning",
         "寒暑假科学实验、自然观察和参观活动。",
         ("youth",), 18_000, "西湖区科学技术协会",
         ("科普实验课", "社区活动中心", 14, (10, 20))),
    Plan(1, "家长课堂", ("家长学校", "母婴互助"), "learning",
         "家庭教育讲座与家长互助小组。",
         ("youth",), 12_000, "西湖区妇女联合会",
         ("家庭教育讲座", "社区活动中心多功能厅", 30, (15, 40))),
    # 困难家庭帮扶
    Plan(2, "困难家庭结对帮扶", ("党员先锋", "红十字"), "welfare",
         "党员志愿者与困难家庭一对一结对，走访、代办、节日慰问。",
         ("low_income",), 40_000, "西湖区民政局",
         ("困难家庭走访慰问", "居民家中", 30, (8, 20)), ("home_repair",), ("民政局",)),
    Plan(2, "巧手编织暖冬行动", ("编织", "缝补"), "service",
         "编织围巾、帽子和拖鞋送给困难家庭和独居老人，部分在爱心集市义卖。",
         ("low_income",), 12_000, STREET,
         ("暖冬编织坊", "社区活动中心", 14, (8, 16))),
    Plan(2, "法律援助进家门", ("法律援助", "调解"), "welfare",
         "律师志愿者每周值班，为困难群众提供法律咨询和援助。",
         ("low_income",), 20_000, "西湖区司法局",
         ("法律咨询值班", "社区法律服务室", 7, (4, 10)), ("legal_aid",), ("司法所",)),
    Plan(2, "心灵驿站", ("心理疏导",), "service",
         "心理咨询师志愿者为困难家庭、空巢老人提供心理疏导。",
         ("low_income", "living_alone"), 18_000, STREET,
         ("心理健康沙龙", "心灵驿站", 14, (6, 14)), ("counselling",)),
    # 残障儿童关爱
    Plan(3, "星星的孩子", ("爱心妈妈",), "welfare",
         "为孤独症等残障儿童家庭提供康复陪伴、喘息服务和融合活动。",
         ("disabled_child",), 55_000, "西湖区残疾人联合会",
         ("融合游戏日", "社区亲子活动室", 14, (6, 14)), ("child_care",), ("卫生服务中心",)),
    Plan(3, "助残陪护", ("助残",), "welfare",
         "助残志愿者陪同就医、康复训练和出行。",
         ("ill_disabled", "disabled_child"), 40_000, "西湖区残疾人联合会",
         ("康复训练陪护", "社区康复站", 14, (5, 12)), ("medical_escort",)),
    Plan(3, "特需家庭互助", ("母婴互助", "爱心妈妈"), "service",
         "特殊需要儿童家庭的妈妈互助小组和育儿支持。",
         ("disabled_child",), 15_000, "西湖区妇女联合会",
         ("特需家庭妈妈互助会", "社区亲子活动室", 30, (6, 12))),
    # 社区发展治理
    Plan(4, "无物业小区义管家", ("义管家",), "governance",
         "无物业小区由居民志愿者自管：收费、保洁、维修和账目公开。",
         (), 30_000, STREET,
         ("义管家议事会", "社区党群服务中心", 30, (10, 20)), ("home_repair",)),
    Plan(4, "平安巡防", ("平安巡逻", "消防"), "governance",
         "夜间平安巡逻、反诈和消防安全宣传。",
         (), 15_000, "西湖区委政法委",
         ("平安巡防及反诈宣传", "各小区", 7, (8, 20)), (), ("派出所",)),
    Plan(4, "邻里和事佬", ("调解", "和事佬"), "governance",
         "邻里纠纷就地调解，定期接待居民来访。",
         (), 12_000, "西湖区司法局",
         ("邻里议事与调解接待", "社区调解室", 14, (6, 15)), (), ("司法所",)),
    Plan(4, "百姓议事会", ("楼道长", "民情观察", "文明劝导"), "governance",
         "楼道长和居民代表议事协商小区公共事务。",
         (), 8_000, STREET,
         ("百姓议事会", "社区党群服务中心会议室", 30, (15, 30))),
    # 文化体育
    Plan(5, "银龄书画进万家", ("书画", "国学"), "culture",
         "书画班教学、送春联和书画作品进家庭。",
         ("advanced_age",), 12_000, "西湖区文化和广电旅游体育局",
         ("书画公益课", "社区活动中心书画室", 7, (10, 25))),
    Plan(5, "邻里文艺汇", ("合唱", "舞蹈", "越剧", "京剧"), "culture",
         "文艺队伍排练、演出，进养老院慰问演出。",
         (), 15_000, "西湖区文化和广电旅游体育局",
         ("邻里文艺汇演", "社区广场", 30, (30, 60))),
    Plan(5, "全民健身", ("太极", "广场舞", "乒乓球", "门球"), "culture",
         "太极拳、广场舞和乒乓球公益教学与比赛。",
         (), 8_000, "西湖区体育发展中心",
         ("全民健身公益课", "社区广场", 7, (15, 30))),
    # 环境保护
    Plan(6, "垃圾分类督导", ("垃圾分类",), "governance",
         "桶边督导、分类知识进家庭，提高分类准确率。",
         (), 20_000, "西湖区城市管理局",
         ("垃圾分类宣传督导", "各小区垃圾分类点", 7, (10, 25)), (), ()),
    Plan(6, "河道守护", ("环保",), "welfare",
         "志愿者定期巡河、清理河道垃圾、开展节水宣传。",
         (), 10_000, "杭州市生态环境局西湖分局",
         ("巡河护河行动", "社区周边河道", 14, (8, 20))),
    Plan(6, "旧物新生", ("爱心集市", "编织"), "welfare",
         "旧衣物、旧物改造再利用，作品在爱心集市义卖。",
         (), 5_000, STREET,
         ("旧物改造工作坊", "社区活动中心", 30, (8, 16))),
]  # fmt: skip

# Budget lines: (name, share of the budget).
LINES = [
    ("人员劳务及志愿者补贴", 30),
    ("服务物资采购", 30),
    ("活动组织及场地", 15),
    ("培训及专业督导", 10),
    ("宣传及印刷", 8),
    ("项目管理", 7),
]
# What an expense of each line reads as in the books.
EXPENSE_WORDS = {
    "人员劳务及志愿者补贴": "志愿者交通餐费补贴及专业人员劳务",
    "服务物资采购": "服务物资采购",
    "活动组织及场地": "活动组织费用",
    "培训及专业督导": "志愿者培训及督导",
    "宣传及印刷": "宣传折页及横幅制作",
    "项目管理": "项目管理及财务审计",
}
# Donors: (a word of a partner unit's name, or a donor's own name).
DONORS = ["杭州银行", "联华超市", "中国移动", "西湖区慈善总会", "爱心企业（匿名）"]
DONATED = 0.6  # of the projects, some donation
STEPS = [
    ("项目启动及服务对象需求调研", 0.05),
    ("招募并培训志愿者", 0.12),
    ("第一季度服务开展", 0.25),
    ("项目中期评估", 0.5),
    ("第三季度服务开展", 0.75),
    ("结项评估及成果汇编", 1.0),
]
LATE = 0.15  # of the steps done, done late
OVERDUE = 0.06  # of the steps due, not done yet
ACCIDENT_RATE = (0.06, 0.08)  # of the flagship's enrolled, hurt in the year
# Indicators by domain: (name, unit, baseline, target, measured range, lower is better).
INDICATORS = {
    0: ("老人生活满意度", "%", 78, 90, (86, 94), False),
    1: ("学业或兴趣有进步的孩子占比", "%", 50, 70, (62, 78), False),
    2: ("家庭困难问题得到解决的比例", "%", 40, 65, (55, 72), False),
    3: ("家长照护压力量表平均分", "分", 32, 24, (22, 28), True),
    4: ("居民对小区治理的满意度", "%", 70, 85, (80, 90), False),
    5: ("参与活动的居民满意度", "%", 85, 92, (89, 97), False),
    6: ("垃圾分类准确率", "%", 62, 85, (78, 90), False),
}


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_default_timezone())


def demo_projects(*, community, seed: int = 2026, today: dt.date | None = None) -> dict:
    """Create the 27 demo projects of `community` (which must be in force), their money
    and their year of work. Returns counts."""
    today = min(today or timezone.localdate(), timezone.localdate())
    rng = random.Random(f"kuihua-demo-projects:{seed}")
    organizations = list(Organization.objects.order_by("id"))
    if not organizations:
        return {"projects": 0}
    coordinator = (
        User.objects.filter(community=community, role=Role.COORDINATOR).order_by("id").first()
    )
    units = list(PartnerUnit.objects.order_by("id"))
    tags = {t.code: t for t in Tag.objects.all()}
    services.domains_add_common(actor=coordinator)
    for name in EXTRA_DOMAINS:
        services.domain_create(actor=coordinator, name=name)
    domains = list(ProjectDomain.objects.order_by("position", "id"))
    enrolled = CareRecipient.objects.count()

    projects: list[Project] = []
    for plan, lead in zip(PLANS, _leads(organizations), strict=True):
        starts = today - dt.timedelta(days=rng.randrange(330, 400))
        finished = plan.name != FLAGSHIP and rng.random() < 0.12
        ends = (
            today - dt.timedelta(days=rng.randrange(5, 40))
            if finished
            else starts + dt.timedelta(days=rng.choice((365, 365, 540, 730)))
        )
        _title, _place, every, (low, high) = plan.session
        planned = min(365, (ends - starts).days) / every * (low + high) / 2
        if plan.name == FLAGSHIP:
            planned += enrolled * 45  # a visit or a call most weeks
        project = services.project_create(
            actor=coordinator,
            domain=domains[plan.domain],
            name=plan.name,
            lead_organization=lead,
            starts_on=starts,
            ends_on=ends,
            summary=plan.summary,
            partner_organizations=_partners(lead, organizations, rng),
            partner_units=[u for u in units if any(word in u.name for word in plan.units)],
            beneficiary_tags=[tags[code] for code in plan.tags if code in tags],
            target_person_times=max(10, round(planned * rng.uniform(0.9, 1.05) / 10) * 10),
        )
        services.project_set_status(
            actor=coordinator, project=project, status=Project.Status.RUNNING
        )
        if finished:
            services.project_set_status(
                actor=coordinator, project=project, status=Project.Status.FINISHED
            )
        projects.append(project)
    by_name = {p.name: p for p in projects}

    counts: dict[str, int] = defaultdict(int)
    counts["projects"] = len(projects)
    counts["milestones"] = _milestones(projects, actor=coordinator, rng=rng, today=today)
    counts |= _attribute(projects, by_name=by_name)
    counts |= _sessions(projects, community=community, rng=rng, today=today)
    counts |= _flagship_care(by_name[FLAGSHIP], community=community, rng=rng, today=today)
    counts |= _money(
        projects, community=community, units=units, actor=coordinator, rng=rng, today=today
    )
    counts["indicators"] = _indicators(projects, actor=coordinator, rng=rng, today=today)
    return dict(counts)


def _leads(organizations: list[Organization]) -> list[Organization]:
    """Each plan's lead: the organization its words name, else one of its category
    that leads the fewest so far, else any that leads the fewest."""
    led: dict[int, int] = defaultdict(int)
    chosen = []
    for plan in PLANS:
        named = next(
            (o for word in plan.leads for o in organizations if word in o.name),
            None,
        )
        if named is None:
            pool = [o for o in organizations if o.category == plan.category] or organizations
            named = min(pool, key=lambda o: (led[o.pk], o.pk))
        led[named.pk] += 1
        chosen.append(named)
    return chosen


def _partners(lead: Organization, organizations, rng) -> list[Organization]:
    """One or two organizations besides the lead: of its kind or volunteers, where the
    community has them."""
    others = [o for o in organizations if o.pk != lead.pk]
    pool = [o for o in others if o.category in (lead.category, "welfare")] or others
    return rng.sample(pool, min(len(pool), rng.choice((1, 1, 2))))


def _milestones(projects: list[Project], *, actor, rng, today: dt.date) -> int:
    """The plan's steps: most of those due done (a few late), a few overdue and still
    open, the later ones to come; the rows `milestone_add` and `milestone_done` make,
    in one insert."""
    rows = []
    for project in projects:
        span = (project.ends_on - project.starts_on).days
        for title, at in STEPS:
            # A longer project plans its first year in these steps, and its end.
            days = span if at == 1 else round(min(span, 365) * at)
            due = project.starts_on + dt.timedelta(days=days)
            done_on, note = None, ""
            if due < today:
                roll = rng.random()
                if roll < OVERDUE:
                    note = "服务对象排期调整，延后完成"
                else:
                    late = roll < OVERDUE + LATE
                    shift = rng.randrange(8, 35) if late else -rng.randrange(0, 6)
                    done_on = min(today, due + dt.timedelta(days=shift))
                    note = "因场地和志愿者排班推迟完成" if late else ""
            rows.append(
                Milestone(
                    community_id=project.community_id,
                    project=project,
                    title=title,
                    due_on=due,
                    done_on=done_on,
                    note=note,
                )
            )
    Milestone.objects.bulk_create(rows)
    return len(rows)


def _attribute(projects: list[Project], *, by_name: dict[str, Project]) -> dict[str, int]:
    """The community's work named to its projects: an organization's activities, series,
    drives and service offers to the first project it leads; needs to the project of
    the provider that delivered them, else of their category; the care programme's
    enrolled elders to the flagship."""
    first_led: dict[int, Project] = {}
    for project in projects:
        first_led.setdefault(project.lead_organization_id, project)
    by_category: dict[str, Project] = {}
    for plan, project in zip(PLANS, projects, strict=True):
        for code in plan.categories:
            by_category.setdefault(code, project)
    counts = defaultdict(int)
    for org_id, project in first_led.items():
        for model in (Activity, Series, Drive):
            counts["activities_attributed"] += model.objects.filter(
                organization_id=org_id, project__isnull=True
            ).update(project=project)
        counts["offers_attributed"] += ServiceOffer.objects.filter(
            organization_id=org_id, project__isnull=True
        ).update(project=project)
    for code, project in by_category.items():
        counts["offers_attributed"] += ServiceOffer.objects.filter(
            project__isnull=True, main_category__code=code
        ).update(project=project)
    # A delivered need goes with the offer that met it; the others by their category.
    targets: dict[int, list[int]] = defaultdict(list)
    for need_id, offer_project in ServiceDelivery.objects.filter(
        offer__project__isnull=False
    ).values_list("need_id", "offer__project_id"):
        targets[offer_project].append(need_id)
    for project_id, ids in targets.items():
        counts["needs_attributed"] += Need.objects.filter(pk__in=ids).update(project_id=project_id)
    for code, project in by_category.items():
        counts["needs_attributed"] += Need.objects.filter(
            project__isnull=True, category__code=code
        ).update(project=project)
    counts["care_attributed"] = CareRecipient.objects.update(project=by_name[FLAGSHIP])
    counts |= _attribute_records(first_led)
    return dict(counts)


def _attribute_records(first_led: dict[int, Project]) -> dict[str, int]:
    """Volunteer service records to the project their organization leads."""
    done = 0
    for org_id, project in first_led.items():
        done += ServiceRecord.objects.filter(organization_id=org_id, project__isnull=True).update(
            project=project
        )
    return {"records_attributed": done}


def _sessions(projects: list[Project], *, community, rng, today: dt.date) -> dict[str, int]:
    """A year of each project's own sessions (up to yesterday) with the residents who
    came: its beneficiaries by tag where it has them, else neighbours at large. Some
    of them are named as the project's beneficiaries."""
    tagged: dict[str, list[int]] = defaultdict(list)
    through = Resident.tags.through
    for code, resident_id in (
        through.objects.filter(tag__community=community)
        .values_list("tag__code", "resident_id")
        .order_by("resident_id")
    ):
        tagged[code].append(resident_id)
    adults = list(
        Resident.objects.filter(birth_date__lte=today - dt.timedelta(days=18 * 365))
        .order_by("id")
        .values_list("pk", flat=True)
    )
    activities, crowds = [], []
    named: dict[int, set[int]] = defaultdict(set)
    for plan, project in zip(PLANS, projects, strict=True):
        title, place, every, (low, high) = plan.session
        pool = sorted({pk for code in plan.tags for pk in tagged.get(code, ())}) or adults
        if not pool:
            continue
        # The project's regulars: a circle of people who come again and again.
        circle = rng.sample(pool, min(len(pool), max(high * 2, 12)))
        named[project.pk].update(circle[: rng.randrange(5, 16)])
        day = max(project.starts_on, today - dt.timedelta(days=365)) + dt.timedelta(
            days=rng.randrange(3, 10)
        )
        last = min(project.ends_on, today - dt.timedelta(days=1))
        while day <= last:
            starts = _at(day, rng.choice((9, 9, 14, 14, 15)), rng.choice((0, 30)))
            hours = rng.choice((1.5, 2, 2, 2.5))
            people = rng.sample(circle, min(len(circle), rng.randint(low, high)))
            activities.append(
                Activity(
                    community=community,
                    organization_id=project.lead_organization_id,
                    project=project,
                    title=title,
                    description=plan.summary,
                    address=place,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=hours),
                    places=max(high, len(people)),
                    places_taken=len(people),
                    audience=Activity.Audience.RESIDENTS,
                    hours_credited=Decimal(str(hours)).quantize(Decimal("0.01")),
                )
            )
            crowds.append(people)
            day += dt.timedelta(days=max(1, every + rng.randint(-1, 2)))
    activities = Activity.objects.bulk_create(activities, batch_size=1000)
    if not activities:
        return {"sessions": 0, "attendances": 0}
    Activity.objects.filter(pk__in=[a.pk for a in activities]).update(
        created_at=F("starts_at") - dt.timedelta(days=7)
    )
    signups = []
    for activity, people in zip(activities, crowds, strict=True):
        for resident_id in people:
            signups.append((activity, resident_id))
    insert_rows(
        Signup,
        ["community_id", "activity_id", "resident_id", "status", "queued_at"],
        (
            (
                community.pk,
                activity.pk,
                resident_id,
                Signup.Status.CONFIRMED,
                activity.starts_at - dt.timedelta(days=rng.randrange(1, 7), hours=rng.randrange(9)),
            )
            for activity, resident_id in signups
        ),
    )
    # Read back by id: the activities were made just now, so every sign-up of an
    # activity from the first of them on is one of these.
    ids = {
        (activity_id, resident_id): pk
        for pk, activity_id, resident_id in Signup.objects.filter(
            activity_id__gte=min(a.pk for a in activities)
        ).values_list("pk", "activity_id", "resident_id")
    }
    rows = []
    for activity, resident_id in signups:
        came = rng.random() < 0.94
        checked_in = activity.starts_at + dt.timedelta(minutes=rng.randrange(-15, 20))
        rows.append(
            (
                community.pk,
                ids[(activity.pk, resident_id)],
                checked_in if came else None,
                activity.ends_at if came else None,
                (Attendance.Method.QR if rng.random() < 0.7 else Attendance.Method.MANUAL)
                if came
                else "",
                Attendance.Method.AUTO if came else "",
                not came,
            )
        )
    insert_rows(
        Attendance,
        [
            "community_id",
            "signup_id",
            "checked_in_at",
            "checked_out_at",
            "check_in_method",
            "check_out_method",
            "no_show",
        ],
        rows,
    )
    for project in projects:
        if named.get(project.pk):
            project.beneficiaries.add(*sorted(named[project.pk]))
    return {"sessions": len(activities), "attendances": sum(1 for r in rows if r[2])}


def _flagship_care(project: Project, *, community, rng, today: dt.date) -> dict[str, int]:
    """The flagship's year with its enrolled elders: a visit every fortnight or so and a
    call most weeks since they were enrolled (before today; today is the care demo's),
    and the falls and accidents of the year, about one person in twelve (the baseline
    before the project was one in seven)."""
    recipients = list(
        CareRecipient.objects.filter(project=project)
        .order_by("id")
        .values_list("pk", "resident_id", "enrolled_at", "primary_visitor_id")
    )
    project.beneficiaries.add(*[resident for _pk, resident, _at_, _v in recipients])
    midnight = _at(today, 0)
    year_ago = midnight - dt.timedelta(days=365)
    rows = []
    for pk, _resident, enrolled_at, visitor in recipients:
        moment = max(timezone.localtime(enrolled_at), year_ago) + dt.timedelta(
            hours=rng.randrange(24, 24 * 7)
        )
        while moment < midnight:
            visit = rng.random() < 0.4
            at = moment.replace(hour=rng.choice((9, 10, 15, 16)), minute=rng.randrange(60))
            if at < midnight:
                result = CheckIn.Result.WELL if rng.random() < 0.97 else CheckIn.Result.CONCERN
                rows.append(
                    (
                        community.pk,
                        pk,
                        at,
                        CheckIn.Channel.VISIT if visit else CheckIn.Channel.CALL,
                        result,
                        "" if result == CheckIn.Result.WELL else "精神不太好，已告知家属",
                        visitor,
                    )
                )
            moment += dt.timedelta(days=rng.randrange(5, 10))
    insert_rows(
        CheckIn, ["community_id", "recipient_id", "at", "channel", "result", "note", "by_id"], rows
    )
    hurt = round(len(recipients) * rng.uniform(*ACCIDENT_RATE))
    incidents = []
    for pk, _resident, enrolled_at, _visitor in rng.sample(recipients, hurt):
        first = max(timezone.localdate(enrolled_at), project.starts_on)
        day = first + dt.timedelta(days=rng.randrange(max(1, (today - first).days)))
        kind = Incident.Kind.FALL if rng.random() < 0.75 else Incident.Kind.ACCIDENT
        incidents.append(
            Incident(
                community=community,
                recipient_id=pk,
                kind=kind,
                occurred_on=day,
                note="在家中跌倒，探访志愿者发现后送医，已康复"
                if kind == Incident.Kind.FALL
                else "做饭时烫伤手臂，邻居帮忙处理并通知家属",
            )
        )
    Incident.objects.bulk_create(incidents)
    return {"care_contacts": len(rows), "incidents": len(incidents)}


def _money(projects, *, community, units, actor, rng, today: dt.date) -> dict[str, int]:
    """Each project's budget by line, its subsidy (in two tranches when it is large:
    60% at the start, the rest after the mid-term review) and donations, through the
    services; then what it spent against its lines, month by month, posted in one bulk
    posting per project exactly as `expense_record` posts each."""
    counts = defaultdict(int)
    street = f"{community.street}办事处" if community.street else "街道办事处"
    for plan, project in zip(PLANS, projects, strict=True):
        subsidy = plan.subsidy * 100
        source = street if plan.source == STREET else plan.source
        first = project.starts_on + dt.timedelta(days=rng.randrange(7, 25))
        second = project.starts_on + dt.timedelta(days=rng.randrange(170, 200))
        conditions = (
            "专款专用，按预算科目列支；首笔拨付60%，中期评估合格后拨付余款；"
            "结项时提交服务台账和财务报告。"
        )
        fundings = []
        if second < today and subsidy >= 2_000_000:
            head, rest = split_fen(subsidy, [60, 40])
            fundings += [
                (Funding.Kind.SUBSIDY, source, conditions, head, first),
                (Funding.Kind.SUBSIDY, source, conditions, rest, second),
            ]
        else:
            fundings.append((Funding.Kind.SUBSIDY, source, conditions, subsidy, first))
        donated = 0
        if rng.random() < DONATED:
            donor = rng.choice(DONORS)
            unit = next((u for u in units if donor in u.name), None)
            donated = rng.randrange(5, 60) * 100_00
            day = project.starts_on + dt.timedelta(days=rng.randrange(20, 200))
            fundings.append(
                (
                    Funding.Kind.DONATION,
                    unit.name if unit else donor,
                    "用于项目服务物资",
                    donated,
                    day,
                )
            )
        # The budget: what was granted and pledged, by line.
        amounts = split_fen(subsidy + donated, [share for _name, share in LINES])
        lines = _budget_lines(project, amounts)
        fundings = sorted((f for f in fundings if f[4] <= today), key=lambda f: f[4])
        for kind, source_, cond, amount, day in fundings:
            services.funding_record(
                actor=actor,
                project=project,
                kind=kind,
                source=source_,
                conditions=cond,
                amount_fen=amount,
                received_on=day,
            )
        items = _expenses(
            project,
            lines=lines,
            bank=ledger_services.account(project.ledger, ledger_services.BANK),
            received=[(day, amount) for _k, _s, _c, amount, day in fundings],
            rng=rng,
            today=today,
        )
        ledger_services.entries_post_many(ledger=project.ledger, items=items, actor=actor)
        counts["fundings"] += len(fundings)
        counts["expenses"] += len(items)
    return dict(counts)


def _budget_lines(project: Project, amounts: list[int]) -> list[BudgetLine]:
    """The project's budget lines, in two inserts: the rows `budget_line_set` makes one
    line at a time (an expense account coded 5001 upwards, and its amount)."""
    accounts = Account.objects.bulk_create(
        Account(
            community_id=project.community_id,
            ledger=project.ledger,
            code=f"5{k:03d}",
            name=name,
            kind=Account.Kind.EXPENSE,
        )
        for k, (name, _share) in enumerate(LINES, start=1)
    )
    return BudgetLine.objects.bulk_create(
        BudgetLine(
            community_id=project.community_id, project=project, account=account, amount_fen=fen
        )
        for account, fen in zip(accounts, amounts, strict=True)
    )


def _expenses(project, *, lines, bank, received, rng, today) -> list[tuple]:
    """What the project spent, line by line, month by month up to today: about 60–95%
    of its budget, never more than it had received by then (as `expense_record`
    refuses)."""
    life = max(1, (project.ends_on - project.starts_on).days)
    gone = min(1.0, max(0, (today - project.starts_on).days) / life)
    # Spent up to today: 60–95% of the budget, more of it early in a longer project
    # (equipment, training and the first round of services come first).
    rate = rng.uniform(0.6, 0.95) * (1 if gone >= 0.9 else 0.85 + 0.15 * gone)
    months = []
    day = project.starts_on + dt.timedelta(days=rng.randrange(20, 35))
    while day <= min(today, project.ends_on):
        months.append(day)
        day += dt.timedelta(days=rng.randrange(26, 34))
    if not months:
        return []
    spent: list[tuple] = []
    for line in lines:
        target = min(
            line.amount_fen, int(round(line.amount_fen * rate * rng.uniform(0.85, 1.1), -2))
        )
        shares = split_fen(target, [rng.randint(6, 14) for _ in months])
        for month, fen in zip(months, shares, strict=True):
            spent.append((month, round(fen, -2), line))
    spent.sort(key=lambda row: (row[0], row[2].account.code))
    items, total = [], 0
    for month, fen, line in spent:
        have = sum(amount for day, amount in received if day <= month) - total
        fen = min(fen, have)
        if fen <= 0:
            continue
        total += fen
        items.append(
            (
                month,
                f"{line.account.name}：{month:%Y年%m月}{EXPENSE_WORDS[line.account.name]}",
                [(line.account, fen), (bank, -fen)],
                services.EXPENSE_SOURCE,
            )
        )
    return items


def _indicators(projects, *, actor, rng, today: dt.date) -> int:
    """The flagship's accident rate, computed by Kuihua from the care programme's
    records (baseline 15%, target 8%); for every project one indicator of its domain,
    measured by hand at the mid-term review."""
    made = 0
    for plan, project in zip(PLANS, projects, strict=True):
        if plan.name == FLAGSHIP:
            services.indicator_add(
                actor=actor,
                project=project,
                name="关爱对象意外发生率",
                baseline=15,
                target=8,
                source=OutcomeIndicator.Source.CARE_ACCIDENT_RATE,
                lower_is_better=True,
            )
            made += 1
        name, unit, base, target, (low, high), lower = INDICATORS[plan.domain]
        indicator = services.indicator_add(
            actor=actor,
            project=project,
            name=name,
            unit=unit,
            baseline=base,
            target=target,
            lower_is_better=lower,
        )
        services.indicator_measure(
            actor=actor,
            indicator=indicator,
            measured=rng.randint(low, high),
            measured_on=min(today, project.starts_on + dt.timedelta(days=rng.randrange(170, 200))),
            method="中期评估问卷调查（抽样）" if unit == "%" else "照护压力量表测评（抽样）",
        )
        made += 1
    return made
