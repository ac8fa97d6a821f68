"""Demo of the charity market (爱心集市) for a generated community (called by
kuihua.demo.write, after the projects' demo).

Twelve market days, the second Saturday afternoon of each of the last twelve months,
are the occurrences of the monthly market series, held in the centre's 多功能厅 (booked
as any occurrence is). On each, six to ten organizations keep a stall: the market's
own sale group with its 手工拖鞋, the knitters, the knife grinders (磨剪刀, a service),
the barbers, the repairers and the calligraphers; each item is priced in yuan, in
points, or both. Neighbours pay in cash, by transfer, or in points they have earned
as volunteers (only those who have earned enough by that day: a balance is never
negative). Proceeds are split by the community's rule (70% to the organization's own
fund, the rest to the public-welfare fund); twice in the year the fund passes part of
what it holds to public-welfare projects, recorded as their market funding.

The rule, the series, the market days, the stalls and the items go through the
services. The sales (a few thousand at full scale) are written as `sale_record` writes
each, in bulk: the sale rows, the points entries with their notes (linked to their
sale), and the two shares posted to the two ledgers by the ledger's bulk posting,
dated the market day.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.accounts.models import Role, User
from kuihua.activities.models import Activity
from kuihua.activities.series import series_create
from kuihua.core.bulk import insert_rows
from kuihua.core.money import yuan
from kuihua.ledger import services as ledger_services
from kuihua.ledger.models import Account
from kuihua.ledger.services import BANK, CASH, MARKET_INCOME
from kuihua.market import services
from kuihua.market.models import MarketDay, Sale, Stall, StallItem
from kuihua.organizations.models import Category, Organization
from kuihua.projects import services as project_services
from kuihua.projects.models import Funding, Project
from kuihua.service_records.models import PointsEntry
from kuihua.venues.models import Room

MARKET_DAYS = 12
STALLS = (6, 10)
ORGANIZATION_PERCENT = 70
ROOM = "多功能厅"
HOURS = ((13, 30), (16, 30))
POINTS_SHARE = 0.2  # of the sales of an item with a points price, paid in points
CASH_SHARE = 0.55  # of the sales paid in money, in cash (the rest by transfer)
# (a word of the organization's name, its stall's items: name, kind, yuan, points,
# sales of a market day). A price of None: not sold that way.
GOODS, SERVICE = StallItem.Kind.GOODS, StallItem.Kind.SERVICE
STALL_ITEMS: list[tuple[str, list[tuple[str, str, int | None, int | None, tuple[int, int]]]]] = [
    ("爱心集市", [("手工拖鞋", GOODS, 25, 25, (6, 14)), ("布艺杯垫", GOODS, 8, 8, (4, 10)),
                ("旧衣改造环保袋", GOODS, 15, None, (3, 8))]),
    ("编织", [("毛线帽", GOODS, 35, 35, (2, 6)), ("手织围巾", GOODS, 60, None, (1, 4)),
             ("编织杯套", GOODS, 10, 10, (3, 9))]),
    ("磨刀修伞", [("磨剪刀", SERVICE, 5, 5, (8, 20)), ("磨菜刀", SERVICE, 8, 8, (8, 20)),
               ("修雨伞", SERVICE, 10, None, (2, 6))]),
    ("理发", [("理发", SERVICE, 10, 10, (6, 15))]),
    ("家电维修", [("小家电检修", SERVICE, 10, 10, (3, 8)),
               ("更换插头灯泡", SERVICE, 5, None, (2, 6))]),
    ("缝补", [("改裤脚", SERVICE, 5, 5, (4, 10)), ("换拉链", SERVICE, 10, 10, (2, 6))]),
    ("书画", [("书法斗方", GOODS, 20, 20, (2, 6)), ("手绘扇面", GOODS, 30, None, (1, 4))]),
    ("助餐送餐", [("手工粽子（四只装）", GOODS, 20, None, (5, 12)),
               ("青团", GOODS, 12, None, (4, 10))]),
    ("健康护理", [("艾灸体验", SERVICE, 10, 10, (3, 8))]),
    ("环保", [("环保酵素", GOODS, 15, 15, (2, 6)), ("多肉盆栽", GOODS, 10, 10, (3, 8))]),
    ("母婴互助", [("儿童旧衣物（打包）", GOODS, 10, 10, (2, 6))]),
    ("亲子阅读", [("二手绘本", GOODS, 5, 5, (4, 10))]),
    ("老年学堂", [("手工剪纸", GOODS, 10, 10, (2, 6))]),
    ("心理疏导", [("解压手工香包", GOODS, 12, 12, (2, 5))]),
]  # fmt: skip
ANY_STALL = [("爱心义卖手工品", GOODS, 10, 10, (2, 6))]
# Where the public-welfare fund's grants go: (project, share of a grant round).
GRANTS = [("困难家庭结对帮扶", 40), ("星星的孩子", 35), ("旧物新生", 25)]
GRANT_ROUNDS = (6, 12)  # after these market days
GRANT_SHARE = 0.7  # of what the fund holds then
OTHER_INCOME = [("成员自愿缴纳活动经费", (200, 800)), ("共建单位赞助", (500, 3000))]


@dataclass
class PlannedSale:
    stall: Stall
    item: StallItem
    quantity: int
    method: str
    at: dt.datetime
    buyer_id: int | None = None
    amount_fen: int = 0
    points: Decimal = Decimal("0.00")
    organization_fen: int = 0
    welfare_fen: int = 0
    key: str = ""
    pk: int | None = None


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(settings.TIME_ZONE))


def market_dates(today: dt.date, count: int = MARKET_DAYS) -> list[dt.date]:
    """The second Saturdays of the months before today, the last `count`, oldest first."""
    dates = []
    month = today.replace(day=1)
    while len(dates) < count:
        first_saturday = month + dt.timedelta(days=(5 - month.weekday()) % 7)
        second = first_saturday + dt.timedelta(days=7)
        if second < today:
            dates.append(second)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return dates[::-1]


def demo_market(*, community, seed: int = 2026, today: dt.date | None = None) -> dict:
    """A year of the monthly charity market in `community` (which must be in force).
    Returns counts."""
    today = min(today or timezone.localdate(), timezone.localdate())
    rng = random.Random(f"kuihua-demo-market:{seed}")
    coordinator = (
        User.objects.filter(community=community, role=Role.COORDINATOR).order_by("id").first()
    )
    organizations = list(Organization.objects.order_by("id"))
    if coordinator is None or not organizations:
        return {"market_days": 0}
    services.market_rule_set(actor=coordinator, organization_percent=ORGANIZATION_PERCENT)
    days = _market_days(coordinator, organizations, today)
    counts: dict[str, int] = defaultdict(int)
    counts["market_days"] = len(days)
    earned = _points_earned(community)
    have: dict[int, Decimal] = defaultdict(Decimal)
    planned: list[PlannedSale] = []
    for day in days:
        # What each neighbour may spend today: earned before the market opened, less
        # what they spent at earlier markets (and today, as they spend it).
        opens = _at(day.date, *HOURS[0])
        while earned and earned[-1][0] <= opens:
            _when, resident, points = earned.pop()
            have[resident] += points
        stalls = _stalls(day, coordinator, organizations, rng)
        counts["stalls"] += len(stalls)
        for stall, goods in stalls:
            planned += _sales(day, stall, goods, rng, have=have)
    _write_sales(planned, community=community, actor=coordinator)
    counts["sales"] = len(planned)
    counts["points_sales"] = sum(1 for s in planned if s.method == Sale.Method.POINTS)
    _post_proceeds(planned, days=days, actor=coordinator, rng=rng, today=today)
    counts["grants"] = _grants(days, actor=coordinator, today=today)
    for day in days:
        MarketDay.objects.filter(pk=day.pk).update(closed_at=_at(day.date, *HOURS[1]))
    return dict(counts)


def _market_days(coordinator, organizations, today: dt.date) -> list[MarketDay]:
    """The monthly market series, its last twelve occurrences opened as market days."""
    host = next(
        (o for o in organizations if "爱心集市" in o.name),
        next((o for o in organizations if o.category == Category.WELFARE), organizations[0]),
    )
    room = Room.objects.filter(name=ROOM).order_by("id").first()
    dates = market_dates(today)
    (sh, sm), (eh, em) = HOURS
    series = series_create(
        actor=coordinator,
        organization=host,
        title="爱心集市",
        first_starts_at=_at(dates[0], sh, sm),
        first_ends_at=_at(dates[0], eh, em),
        rule="FREQ=MONTHLY;BYDAY=+2SA",
        room=room,
        address="" if room else "社区广场",
        audience=Activity.Audience.RESIDENTS,
        description="每月第二个周六下午：各社会组织摆摊义卖手工作品、提供磨剪刀等便民服务，"
        "收入按比例进入组织自有资金和社区公益金。",
        until=dates[-1],
    )
    occurrences = list(Activity.objects.filter(series=series).order_by("starts_at"))
    return [services.market_day_open(actor=coordinator, activity=a) for a in occurrences]


def _goods_of(organization: Organization):
    for word, goods in STALL_ITEMS:
        if word in organization.name:
            return goods
    return None


def _stalls(day: MarketDay, coordinator, organizations, rng) -> list[tuple[Stall, list]]:
    """The day's stalls: the organizations with something of their own to sell or do
    (the market's own group always), then others with their handiwork."""
    makers = [o for o in organizations if _goods_of(o) is not None]
    others = [o for o in organizations if _goods_of(o) is None]
    want = rng.randint(*STALLS)
    regulars = [o for o in makers if "爱心集市" in o.name or "磨刀" in o.name]
    chosen = regulars + rng.sample(
        [o for o in makers if o not in regulars], min(len(makers) - len(regulars), want)
    )
    if len(chosen) < want:
        chosen += rng.sample(others, min(len(others), want - len(chosen)))
    chosen = chosen[:want]
    made = []
    for number, organization in enumerate(chosen, start=1):
        stall = services.stall_add(
            actor=coordinator,
            market_day=day,
            organization=organization,
            name=f"{organization.name}摊位",
            number=number,
        )
        made.append((stall, _goods_of(organization) or ANY_STALL))
    return made


def _points_earned(community) -> list[tuple[dt.datetime, int, Decimal]]:
    """Every points entry so far as (when, resident, points), the latest first (to be
    taken from the end as the market days go by)."""
    return list(
        PointsEntry.objects.filter(community=community)
        .order_by("-created_at", "-id")
        .values_list("created_at", "resident_id", "points")
    )


def _sales(day, stall, goods, rng, *, have) -> list[PlannedSale]:
    """The stall's items and the day's sales: money split by the rule, points only from
    a neighbour who has earned enough. The items are the rows `item_add` makes, with
    the stock left after the day (as each sale's conditional update leaves it)."""
    opens, closes = _at(day.date, *HOURS[0]), _at(day.date, *HOURS[1])
    minutes = int((closes - opens).total_seconds() // 60)
    planned, items = [], []
    for name, kind, price, points, (low, high) in goods:
        item = StallItem(
            community_id=stall.community_id,
            stall=stall,
            name=name,
            kind=kind,
            price_fen=price * 100 if price else None,
            price_points=Decimal(points).quantize(Decimal("0.01")) if points else None,
            stock=rng.randint(0, 6) if kind == GOODS else None,  # left at the end
        )
        items.append(item)
        for _n in range(rng.randint(low, high)):
            quantity = 1 if rng.random() < 0.8 else 2
            at = opens + dt.timedelta(minutes=rng.randrange(minutes), seconds=rng.randrange(60))
            sale = PlannedSale(stall=stall, item=item, quantity=quantity, method="", at=at)
            cost = Decimal(points or 0) * quantity
            buyer = None
            if points and (price is None or rng.random() < POINTS_SHARE):
                able = [resident for resident, held in have.items() if held >= cost]
                buyer = rng.choice(able) if able else None
            if buyer is not None:
                sale.method, sale.buyer_id, sale.points = Sale.Method.POINTS, buyer, cost
                have[buyer] -= cost
            elif price is None:
                continue  # nobody with enough points came by
            else:
                sale.method = Sale.Method.CASH if rng.random() < CASH_SHARE else "transfer"
                sale.amount_fen = price * 100 * quantity
                sale.organization_fen, sale.welfare_fen = services.proceeds_split(
                    sale.amount_fen, ORGANIZATION_PERCENT
                )
            sale.key = f"demo-market-{day.date:%Y%m%d}-{stall.number:02d}-{len(planned):03d}"
            planned.append(sale)
    StallItem.objects.bulk_create(items)
    return planned


def _write_sales(planned: list[PlannedSale], *, community, actor) -> None:
    """The sale rows, as `sale_record` inserts them (with the time they were made), and
    each points sale's spending entry, linked to it."""
    insert_rows(
        Sale,
        [
            "community_id",
            "stall_id",
            "item_id",
            "quantity",
            "method",
            "amount_fen",
            "points",
            "buyer_id",
            "organization_fen",
            "welfare_fen",
            "idempotency_key",
            "sold_by_id",
            "sold_at",
        ],
        (
            (
                community.pk,
                s.stall.pk,
                s.item.pk,
                s.quantity,
                s.method,
                s.amount_fen,
                s.points,
                s.buyer_id,
                s.organization_fen,
                s.welfare_fen,
                s.key,
                actor.pk,
                s.at,
            )
            for s in planned
        ),
    )
    ids = dict(
        Sale.objects.filter(idempotency_key__startswith="demo-market-").values_list(
            "idempotency_key", "pk"
        )
    )
    for sale in planned:
        sale.pk = ids[sale.key]
    points = [s for s in planned if s.method == Sale.Method.POINTS]
    notes = {
        s.pk: _("爱心集市 %(stall)s：%(item)s × %(n)s（销售 #%(sale)s）")
        % {"stall": s.stall.name, "item": s.item.name, "n": s.quantity, "sale": s.pk}
        for s in points
    }
    insert_rows(
        PointsEntry,
        ["community_id", "resident_id", "kind", "points", "note", "created_by_id", "created_at"],
        (
            (
                community.pk,
                s.buyer_id,
                PointsEntry.Kind.SPEND,
                -s.points,
                notes[s.pk][:200],
                actor.pk,
                s.at,
            )
            for s in points
        ),
    )
    entry_of = dict(
        PointsEntry.objects.filter(
            kind=PointsEntry.Kind.SPEND, note__in=[n[:200] for n in notes.values()]
        ).values_list("note", "pk")
    )
    _link(Sale, "points_entry_id", [(entry_of[notes[s.pk][:200]], s.pk) for s in points])


def _link(model, column: str, pairs: list[tuple[int, int]]) -> None:
    """Set `column` of many rows by id, in one prepared statement."""
    if not pairs:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s",  # noqa: S608
            pairs,
        )


def _post_proceeds(planned, *, days, actor, rng, today) -> None:
    """Each money sale's two shares, as `sale_record` posts them (debit cash or the bank,
    credit market income) but dated the market day, in one bulk posting per ledger; the
    fund's cash taken to the bank after each market; and the organizations' other income
    of the year (members' contributions, sponsors), so the market is a share of it."""
    welfare = ledger_services.public_welfare_fund()
    funds: dict[int, object] = {}
    items: dict[int, list[tuple]] = defaultdict(list)
    owners: dict[int, list[tuple[int, str]]] = defaultdict(list)  # ledger → (sale, column)
    accounts: dict[int, dict[str, Account]] = {}

    def chart(ledger) -> dict[str, Account]:
        if ledger.pk not in accounts:
            accounts[ledger.pk] = {a.code: a for a in Account.objects.filter(ledger=ledger)}
        return accounts[ledger.pk]

    cash_taken: dict[dt.date, int] = defaultdict(int)
    for sale in sorted(planned, key=lambda s: (s.at, s.pk)):
        if sale.method == Sale.Method.POINTS:
            continue
        organization = sale.stall.organization
        if organization.pk not in funds:
            funds[organization.pk] = services.organization_fund(organization)
        money = CASH if sale.method == Sale.Method.CASH else BANK
        memo = _("爱心集市 %(stall)s：%(item)s × %(n)s，共 %(amount)s 元（销售 #%(sale)s）") % {
            "stall": sale.stall.name,
            "item": sale.item.name,
            "n": sale.quantity,
            "amount": yuan(sale.amount_fen),
            "sale": sale.pk,
        }
        day = timezone.localtime(sale.at).date()
        for ledger, share, column in (
            (funds[organization.pk], sale.organization_fen, "organization_entry_id"),
            (welfare, sale.welfare_fen, "welfare_entry_id"),
        ):
            if not share:
                continue
            codes = chart(ledger)
            legs = [(codes[money], share), (codes[MARKET_INCOME], -share)]
            items[ledger.pk].append((day, memo, legs, f"market_sale:{sale.pk}"))
            owners[ledger.pk].append((sale.pk, column))
        if sale.method == Sale.Method.CASH and sale.welfare_fen:
            cash_taken[day] += sale.welfare_fen
    codes = chart(welfare)
    for day, fen in sorted(cash_taken.items()):
        legs = [(codes[BANK], fen), (codes[CASH], -fen)]
        items[welfare.pk].append((day, f"{day:%Y年%m月}爱心集市现金收入存入银行", legs, "deposit"))
    for ledger in funds.values():
        codes = chart(ledger)
        for memo, (low, high) in OTHER_INCOME:
            for _k in range(rng.randint(1, 3)):
                fen = rng.randint(low, high) * 100
                day = today - dt.timedelta(days=rng.randrange(5, 360))
                legs = [(codes[BANK], fen), (codes["4001"], -fen)]
                items[ledger.pk].append((day, memo, legs, "income"))
    linked: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for ledger in [welfare, *funds.values()]:
        rows = sorted(items[ledger.pk], key=lambda item: item[0])
        entries = ledger_services.entries_post_many(ledger=ledger, items=rows, actor=actor)
        by_sale = {e.source: e.pk for e in entries if e.source.startswith("market_sale:")}
        for (sale_pk, column), item in zip(
            owners[ledger.pk],
            [i for i in items[ledger.pk] if i[3].startswith("market_sale:")],
            strict=True,
        ):
            linked[column].append((by_sale[item[3]], sale_pk))
    for column, pairs in linked.items():
        _link(Sale, column, pairs)


def _grants(days: list[MarketDay], *, actor, today: dt.date) -> int:
    """Twice a year the public-welfare fund passes most of what it holds to projects:
    paid from its bank account, and recorded in each project as market funding."""
    welfare = ledger_services.public_welfare_fund()
    projects = {p.name: p for p in Project.objects.filter(name__in=[n for n, _s in GRANTS])}
    if not projects:
        return 0
    outgo = Account.objects.filter(ledger=welfare, name="资助公益项目").first()
    if outgo is None:
        outgo = ledger_services.category_add(
            ledger=welfare, name="资助公益项目", kind=Account.Kind.EXPENSE, actor=actor
        )
    bank = ledger_services.account(welfare, BANK)
    made = 0
    for after in GRANT_ROUNDS:
        if after > len(days):
            continue
        on = min(today, days[after - 1].date + dt.timedelta(days=10))
        held = sum(
            bank.legs.filter(entry__posted=True, entry__date__lte=on).values_list(
                "amount_fen", flat=True
            )
        )
        grant = int(held * GRANT_SHARE) // 10000 * 10000  # whole hundreds of yuan
        shares = [(projects[n], s) for n, s in GRANTS if n in projects]
        total = sum(s for _p, s in shares)
        for project, share in shares:
            fen = grant * share // total // 100 * 100
            if fen <= 0:
                continue
            source = _("社区公益金（爱心集市义卖收入）")
            ledger_services.entry_post(
                ledger=welfare,
                date=on,
                memo=f"资助公益项目：{project.name}",
                legs=[(outgo, fen), (bank, -fen)],
                actor=actor,
                source="grant",
            )
            project_services.funding_record(
                actor=actor,
                project=project,
                kind=Funding.Kind.MARKET,
                source=source,
                amount_fen=fen,
                received_on=on,
                conditions="用于项目服务对象的物资和活动，结项时报告使用情况。",
            )
            made += 1
    return made
