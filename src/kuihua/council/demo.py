"""Demo of the residents' council for a generated community (called by kuihua.demo.write).

A year of it: rules of procedure from the template, fifteen delegates, about thirty
topics raised by residents, organizations and on behalf of the property manager, a
partner unit and the street office (consulted on, scheduled, answered, merged,
decided), four meetings (three held with attendance and approved minutes, one ahead),
two owners' votes of one compound under the Civil Code (one passing at three
quarters, one failing on quorum), a household vote open now, and decisions in every
state, some overdue.

Votes and decisions go through the services. Their times are then moved into the
past with a queryset update, because the services (rightly) refuse a vote that has
already closed or a deadline already gone: the demo writes history, not today's acts.
Topics, meetings and attendance are written as rows, as the registry's are.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from kuihua.accounts.models import User
from kuihua.core.identity import age_on
from kuihua.council import decisions, procedure, services
from kuihua.council.models import (
    AgendaItem,
    Attendee,
    Decision,
    Delegate,
    EligibleVoter,
    Meeting,
    Minutes,
    OnBehalfOf,
    Topic,
    TopicComment,
    TopicSupport,
    Vote,
)
from kuihua.organizations.models import Organization, PartnerUnit
from kuihua.registry import services as registry_services
from kuihua.registry.models import Compound, Household, Ownership, Resident

DELEGATES = 15
TOPICS = [
    ("楼道堆物清理", "三幢二单元楼道里堆了很多纸箱和旧家具，影响消防通道。"),
    ("增设电动车充电桩", "电动车在楼道里充电太危险，希望在车棚装充电桩。"),
    ("小区加装电梯意向征集", "老楼没有电梯，老人上下楼困难，想问问大家的意见。"),
    ("广场舞音量扰民", "晚上跳舞的音响太响，影响孩子写作业和老人休息。"),
    ("垃圾分类投放点调整", "投放点离二号楼太近，夏天有异味。"),
    ("停车位不足", "晚上回来找不到车位，外来车辆占位。"),
    ("健身器材维修", "中心花园的健身器材坏了两件，存在安全隐患。"),
    ("增设老年助餐点", "独居老人吃饭不方便，希望社区食堂能送餐。"),
    ("雨污管道堵塞", "一下大雨，北门一带就积水。"),
    ("宠物粪便管理", "草坪上狗粪多，希望倡议文明养犬。"),
    ("楼顶防水维修", "六楼顶层漏水，需要动用维修资金。"),
    ("公共区域照明", "地下车库几盏灯不亮，晚上不安全。"),
    ("快递柜位置", "快递柜放在消防通道旁边，取件时堵路。"),
    ("绿化带改停车位", "有人提出把部分绿化带改成停车位。"),
    ("小区门禁升级", "门禁经常坏，外来人员随意进出。"),
    ("儿童游乐设施", "小区没有儿童游乐的地方。"),
    ("高空抛物治理", "最近有高空抛物，希望装摄像头。"),
    ("物业费收缴公开", "希望物业公开收支明细。"),
    ("周末集市摆摊秩序", "集市摊位占了人行道。"),
    ("夏季纳凉点", "希望社区活动中心夏天开放纳凉。"),
    ("共享单车乱停放", "小区门口共享单车堆成一片。"),
    ("楼道小广告清理", "楼道里小广告很多，影响美观。"),
    ("二次供水水箱清洗", "自来水有时发黄，希望清洗水箱。"),
    ("社区食堂菜价", "希望食堂给高龄老人优惠。"),
    ("消防通道畅通", "消防通道经常被私家车占用。"),
    ("车棚改造", "自行车棚年久失修，顶棚漏雨。"),
    ("小区围墙修缮", "东侧围墙有裂缝。"),
    ("噪音施工时间", "装修施工中午和晚上也在干。"),
    ("老年活动室开放时间", "希望周末也开放老年活动室。"),
    ("井盖松动", "五号楼前的井盖松动，走上去会响。"),
]
COMMENTS = [
    "同意，早该解决了。",
    "建议先做个问卷，听听大家的意见。",
    "我家也遇到同样的问题。",
    "费用怎么出？希望公开。",
    "支持，老人孩子多，安全第一。",
    "可以请物业先拿个方案。",
]


def _adults(today: dt.date):
    people = Resident.objects.order_by("id").only("id", "name", "birth_date", "household_id")
    return [r for r in people if r.birth_date is None or 30 <= age_on(r.birth_date, today) <= 75]


def _voters_compound() -> tuple[Compound, int] | None:
    """The compound with the most owners: its missing areas are entered (as a steward
    would before the vote), so an owners' vote can open there."""
    busiest = (
        Ownership.objects.values("household__building__compound")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if busiest is None:
        return None
    return Compound.objects.get(pk=busiest["household__building__compound"]), busiest["n"]


def _cast_owners_vote(
    *, vote: Vote, rng: random.Random, take_part: float, agree: float, at: dt.datetime
):
    """Ballots for `take_part` of the roll; `agree` of them yes, nudged so that heads
    and area both land on the same side of the threshold (a believable result)."""
    voters = list(EligibleVoter.objects.filter(vote=vote).order_by("id"))
    rng.shuffle(voters)
    voting = voters[: int(len(voters) * take_part)]
    choices = ["agree" if rng.random() < agree else "against" for _ in voting]
    if agree >= 0.75:
        total = sum((v.area for v in voting), Decimal("0"))
        # Move the largest "against" homes to "agree" until the area clears 3/4 too.
        order = sorted(range(len(voting)), key=lambda i: -voting[i].area)
        for i in order:
            yes = sum((v.area for v, c in zip(voting, choices, strict=True) if c == "agree"))
            if yes * 4 >= total * 3 + 40 and choices.count("agree") * 4 >= len(voting) * 3 + 4:
                break
            choices[i] = "agree"
    for voter, choice in zip(voting, choices, strict=True):
        method = "paper" if rng.random() < 0.3 else "online"
        services.ballot_cast(
            actor=None, vote=vote, voter=voter, choice=choice, method=method, now=at
        )


def _past_vote(*, title, matter, compound, opened, closes, rng, take_part, agree, topic):
    vote = services.vote_open(
        actor=None,
        title=title,
        matter=matter,
        compound=compound,
        topic=topic,
        closes_at=timezone.now() + dt.timedelta(days=1),
    )
    _cast_owners_vote(vote=vote, rng=rng, take_part=take_part, agree=agree, at=timezone.now())
    services.vote_close(actor=None, vote=vote)
    Vote.objects.filter(pk=vote.pk).update(opened_at=opened, closes_at=closes, closed_at=closes)
    return Vote.objects.get(pk=vote.pk)


def demo_council(*, community, seed: int = 2026, today: dt.date | None = None) -> dict:
    """Seed a year of the council in `community` (which must be in force)."""
    today = today or timezone.localdate()
    rng = random.Random(f"kuihua-demo-council:{seed}")
    now = timezone.now()

    def day(days_ago: int, hour: int = 19) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(hour))
        )

    procedure.rules_adopt_first(
        actor=None,
        text="本社区百姓议事会议事规则：议题由居民、社会组织和驻区单位提出，经征求意见后列入议程；"
        "会议提前七天通知，议事代表过半数到会方可开会；表决以户为单位，参与者过半数同意为通过；"
        "涉及业主共有部分的事项，按《民法典》第二百七十八条由业主表决。",
    )
    adults = _adults(today)
    rng.shuffle(adults)
    kinds = [Delegate.Kind.RESIDENT] * 11 + [
        Delegate.Kind.PROPERTY_MANAGER,
        Delegate.Kind.PARTNER,
        Delegate.Kind.DEPARTMENT,
        Delegate.Kind.RESIDENT,
    ]
    delegates = Delegate.objects.bulk_create(
        Delegate(
            community_id=community.pk,
            resident=r,
            kind=kinds[i % len(kinds)],
            since=today - dt.timedelta(days=400),
        )
        for i, r in enumerate(adults[:DELEGATES])
    )
    raisers = adults[DELEGATES : DELEGATES + 60]
    organizations = list(Organization.objects.order_by("id")[:10])
    partner = PartnerUnit.objects.order_by("id").first()
    users = list(User.objects.filter(community=community, is_active=True).order_by("id")[:40])

    # --- topics: a year of them ---------------------------------------------------------
    topics = []
    for i, (title, body) in enumerate(TOPICS):
        raised = day(360 - i * 12, hour=rng.randrange(8, 21))
        topic = Topic(community_id=community.pk, title=title, body=body)
        roll = i % 6
        if roll == 3 and organizations:
            topic.organization = rng.choice(organizations)
        elif roll == 4:
            topic.on_behalf_of = OnBehalfOf.PROPERTY_MANAGER
            topic.on_behalf_name = "安居物业服务有限公司"
        elif roll == 5:
            if partner is not None and i % 2:
                topic.on_behalf_of, topic.partner = OnBehalfOf.PARTNER, partner
                topic.on_behalf_name = partner.name
            else:
                topic.on_behalf_of, topic.on_behalf_name = OnBehalfOf.DEPARTMENT, "街道城管科"
        else:
            topic.resident = rng.choice(raisers) if raisers else None
        topic.save()
        Topic.objects.filter(pk=topic.pk).update(raised_at=raised)
        topic.raised_at = raised
        topics.append(topic)
        for k in range(rng.randrange(0, 4)):
            author = rng.choice(users) if users else None
            TopicComment.objects.create(
                topic=topic,
                author=author,
                author_name=str(author) if author else "居民",
                body=COMMENTS[(i + k) % len(COMMENTS)],
            )
        supporters = rng.sample(users, k=min(len(users), rng.randrange(0, 25)))
        TopicSupport.objects.bulk_create(
            TopicSupport(community_id=community.pk, topic=topic, user=u) for u in supporters
        )
        Topic.objects.filter(pk=topic.pk).update(supporters=len(supporters))

    # --- meetings: three held, one ahead ------------------------------------------------
    rules = procedure.rules_in_force()
    meetings = []
    for n, days_ago in enumerate((300, 200, 90, -10)):
        starts = day(days_ago, hour=19)
        held = days_ago > 0
        meeting = Meeting.objects.create(
            title=f"百姓议事会第{'一二三四'[n]}季度例会",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            place="社区党群服务中心议事厅",
            rules=rules,
            status=Meeting.Status.HELD if held else Meeting.Status.PLANNED,
            checkin_code=secrets.token_urlsafe(16),
            invitations_sent_at=starts - dt.timedelta(days=8),
        )
        meetings.append(meeting)
        on_agenda = [t for t in topics if t.raised_at < starts][-3:]
        AgendaItem.objects.bulk_create(
            AgendaItem(
                community_id=community.pk, meeting=meeting, topic=t, title=t.title, position=p
            )
            for p, t in enumerate(on_agenda)
        )
        present = set(rng.sample(range(len(delegates)), k=min(len(delegates), 11)))
        Attendee.objects.bulk_create(
            Attendee(
                community_id=community.pk,
                meeting=meeting,
                resident_id=d.resident_id,
                name=adults[i].name,
                invited_at=meeting.invitations_sent_at,
                attended_at=(starts - dt.timedelta(minutes=rng.randrange(1, 20)))
                if held and i in present
                else None,
                method=("qr" if i % 2 else "list") if held and i in present else "",
            )
            for i, d in enumerate(delegates)
        )
        if held:
            Minutes.objects.create(
                meeting=meeting,
                body="到会议事代表十一人，超过半数，会议有效。会议讨论了："
                + "；".join(t.title for t in on_agenda)
                + "。形成决议见决议公示。",
                approved_at=starts + dt.timedelta(days=3),
            )
            Topic.objects.filter(pk__in=[t.pk for t in on_agenda]).update(
                status=Topic.Status.SCHEDULED
            )
        else:
            Topic.objects.filter(pk__in=[t.pk for t in on_agenda]).update(
                status=Topic.Status.SCHEDULED
            )

    # Some topics answered (not for the council), one merged into another.
    for t in topics[1:12:4]:
        Topic.objects.filter(pk=t.pk, status=Topic.Status.OPEN).update(
            status=Topic.Status.ANSWERED,
            answer="经核实，此事属于物业服务合同范围，已转交物业在两周内处理，社区跟踪落实。",
            answered_at=t.raised_at + dt.timedelta(days=5),
        )
    Topic.objects.filter(pk=topics[24].pk).update(status=Topic.Status.MERGED, merged_into=topics[5])

    # --- votes ---------------------------------------------------------------------------
    counts = {"votes": 0}
    found = _voters_compound()
    if found is not None:
        compound, _owners = found
        homes = Household.objects.filter(
            building__compound=compound, exclusive_area__isnull=True, ownerships__isnull=False
        ).distinct()
        for home in homes:
            registry_services.home_area_set(
                actor=None, household=home, area=str(rng.randrange(60, 120))
            )
        # Homes never sold are the developer's, one owner by head (as the law counts it).
        unsold = Household.objects.filter(
            building__compound=compound, ownerships__isnull=True
        ).distinct()
        for home in unsold:
            if home.exclusive_area is None:
                registry_services.home_area_set(actor=None, household=home, area="90")
            registry_services.owner_add(
                actor=None, household=home, name="翠苑置业有限公司", phone="02588886666"
            )
        passing = _past_vote(
            title=f"{compound.name}车棚改建为电动车充电车棚（改变共有部分用途）",
            matter="8",
            compound=compound,
            opened=day(150, 9),
            closes=day(130, 18),
            rng=rng,
            take_part=0.86,
            agree=0.8,
            topic=topics[1],
        )
        failing = _past_vote(
            title=f"{compound.name}使用专项维修资金维修楼顶防水",
            matter="5",
            compound=compound,
            opened=day(60, 9),
            closes=day(40, 18),
            rng=rng,
            take_part=0.55,
            agree=0.9,
            topic=topics[10],
        )
        counts.update(passing=passing.pk, failing=failing.pk, votes=2)
    # Open now, for every household: the demo's resident can vote today.
    services.vote_open(
        actor=None,
        title="老年活动室周末是否开放（每户一票）",
        topic=topics[28],
        closes_at=now + dt.timedelta(days=6),
    )
    counts["votes"] += 1

    # --- decisions in every state ----------------------------------------------------
    plan = [
        # (topic, owner, deadline from today, status, done days ago)
        (topics[0], "安居物业服务有限公司", -20, Decision.Status.DONE, 25),
        (topics[1], "义管家 · 小区业主代表", -40, Decision.Status.DONE, 35),
        (topics[6], "社区居委会", -15, Decision.Status.IN_PROGRESS, None),  # overdue
        (topics[8], "街道城管科", -5, Decision.Status.TODO, None),  # overdue
        (topics[12], "安居物业服务有限公司", 20, Decision.Status.IN_PROGRESS, None),
        (topics[16], "社区居委会", 45, Decision.Status.TODO, None),
        (topics[13], "社区居委会", -60, Decision.Status.DROPPED, None),
        (topics[19], "社区党群服务中心", 30, Decision.Status.TODO, None),
    ]
    for topic, owner, offset, status, done_ago in plan:
        decision = decisions.decision_record(
            actor=None,
            title=topic.title,
            body=f"议事会决定：{topic.body}由{owner}负责落实。",
            owner_name=owner,
            # The service takes deadlines from today on (the real today, not the plan's):
            # a far one here, the planned one written below.
            deadline=timezone.localdate() + dt.timedelta(days=400),
            topic=topic,
            meeting=meetings[2] if offset < 0 else meetings[1],
        )
        if status != Decision.Status.TODO:
            steps = {
                Decision.Status.IN_PROGRESS: [("in_progress", "已联系施工方，正在报价。")],
                Decision.Status.DONE: [
                    ("in_progress", "已开工。"),
                    ("done", "已完工，居民代表验收通过。"),
                ],
                Decision.Status.DROPPED: [
                    ("dropped", "经业主表决未通过，此事不再推进。"),
                ],
            }[status]
            for step, note in steps:
                decisions.decision_progress(actor=None, decision=decision, note=note, status=step)
        Decision.objects.filter(pk=decision.pk).update(
            deadline=today + dt.timedelta(days=offset),
            review_on=today + dt.timedelta(days=offset + 60) if status == "done" else None,
            done_on=today - dt.timedelta(days=done_ago) if done_ago else None,
            created_at=day(abs(offset) + 60),
        )
    counts.update(
        topics=len(topics), meetings=len(meetings), delegates=len(delegates), decisions=len(plan)
    )
    return counts
