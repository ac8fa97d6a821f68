"""Every write of the charity market (爱心集市): the rule, market days, stalls, items,
sales, and where a sale's points and money go.

The invariants, and what holds each (docs/adr/0015-market-points-and-proceeds.md):

- One sale per idempotency key and community: the unique constraint; the sale row
  is inserted first in the sale's transaction, so a second request with the key
  waits for the first and gets it back (a different request with the key is
  refused: `IdempotencyConflict`, the API's 409).
- Stock never goes below 0: it moves by one conditional UPDATE (`stock >= quantity`).
- Points are never spent twice: a points sale spends through
  `service_records.services.points_debit`, which locks the buyer's volunteer profile
  row, then sums their entries and refuses beyond the balance ("积分余额不足"). The
  spending entry's note names the sale and `Sale.points_entry` links it.
- Money is split by the community's `MarketRule` (70% to the organization unless set
  otherwise): the organization's share is its percent of the amount rounded half up
  to the fen (`split_fen`), the public-welfare fund gets the rest, so the two add up
  to the amount exactly. Each share is posted as one balanced entry (debit cash or bank by
  the method, credit market income) to the organization's own fund and to the
  community's public-welfare fund, in the sale's transaction.
- Lock order, the same for every sale: the sale's key, the item's row (stock), then
  the buyer's profile (points) or the organization's row (opening its fund), its
  fund's ledger, the welfare fund's ledger.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.activities.models import Activity
from kuihua.core.audit import audit
from kuihua.core.errors import ApplicationError
from kuihua.core.money import MAX_FEN, split_fen, yuan
from kuihua.ledger import services as ledger_services
from kuihua.ledger.models import Ledger
from kuihua.ledger.services import BANK, CASH, FUND_CHART, MARKET_INCOME
from kuihua.market import selectors
from kuihua.market.models import MarketDay, MarketRule, Sale, Stall, StallItem
from kuihua.organizations.models import Organization
from kuihua.registry.models import Resident
from kuihua.service_records.models import VolunteerProfile
from kuihua.service_records.services import points_debit

KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
DEFAULT_ORGANIZATION_PERCENT = 70
MAX_QUANTITY = 999
MAX_POINTS = Decimal("99999.99")
BUYERS_SHOWN = 10


class MarketError(ApplicationError):
    """A market rule was broken."""


class IdempotencyConflict(MarketError):
    """The idempotency key was already used for a different sale (the API's 409)."""


def _require(actor, perm: str, message: str) -> None:
    if actor is None or not actor.has_perm(perm):
        raise MarketError(message)


def _may(actor, stall: Stall, action: str) -> None:
    """`actor` may `action` ("sell" or "manage") at `stall`: a coordinator, or a leader
    of the stall's organization; anyone else is refused."""
    _require(actor, "market.sell", _("只有摊位所属组织的负责人或社区工作者可以操作"))
    if actor.has_perm("market.manage"):
        return
    if stall.organization_id not in selectors.led_organization_ids(actor):
        raise MarketError(_("只能在本组织的摊位上操作"))


# --- the rule -------------------------------------------------------------------------


def organization_percent() -> int:
    """The organization's share of market proceeds in the community, in percent."""
    percent = MarketRule.objects.values_list("organization_percent", flat=True).first()
    return DEFAULT_ORGANIZATION_PERCENT if percent is None else percent


def proceeds_split(amount_fen: int, percent: int) -> tuple[int, int]:
    """(organization, welfare) by `core.money.split_fen`: they add up to `amount_fen`
    exactly, and the odd fen goes to the larger remainder, to the organization on a tie
    (its share rounds half up, the public-welfare fund takes the rest)."""
    organization, welfare = split_fen(amount_fen, [percent, 100 - percent])
    return organization, welfare


@transaction.atomic
def market_rule_set(*, actor, organization_percent: int) -> MarketRule:
    """Set how the community splits market proceeds from now on (sales made stay as made)."""
    _require(actor, "market.manage", _("只有社区工作者可以设置集市收入分配规则"))
    try:
        percent = int(organization_percent)
    except (TypeError, ValueError):
        raise MarketError(_("比例应为0到100之间的整数"), field="organization_percent") from None
    if not 0 <= percent <= 100:
        raise MarketError(_("比例应为0到100之间的整数"), field="organization_percent")
    rule = MarketRule.objects.select_for_update().first()
    old = rule.organization_percent if rule else DEFAULT_ORGANIZATION_PERCENT
    if rule is None:
        try:
            with transaction.atomic():
                rule = MarketRule.objects.create(organization_percent=percent)
        except IntegrityError:
            rule = MarketRule.objects.select_for_update().get()
    rule.organization_percent = percent
    rule.save(update_fields=["organization_percent", "updated_at"])
    audit(
        actor=actor,
        community_id=rule.community_id,
        action="market_rule.set",
        obj=rule,
        old={"organization_percent": old},
        new={"organization_percent": percent},
    )
    return rule


# --- market days and stalls -------------------------------------------------------------


@transaction.atomic
def market_day_open(*, actor, activity: Activity) -> MarketDay:
    """Open the market day of `activity`: an occurrence of a series (the monthly
    market), published, with a room booking or an address. One market day per activity."""
    _require(actor, "market.manage", _("只有社区工作者可以开设集市日"))
    if activity.series_id is None:
        raise MarketError(_("集市日必须是每月集市固定活动中的一次"), field="activity")
    if activity.status != Activity.Status.PUBLISHED:
        raise MarketError(_("这次活动未发布或已取消"), field="activity")
    if activity.booking_id is None and not activity.address.strip():
        raise MarketError(_("这次活动还没有预订活动室或填写地点"), field="activity")
    if MarketDay.objects.filter(activity=activity).exists():
        raise MarketError(_("这次活动已经开设了集市日"), field="activity")
    try:
        with transaction.atomic():
            day = MarketDay.objects.create(
                community_id=activity.community_id,
                activity=activity,
                date=timezone.localtime(activity.starts_at).date(),
            )
    except IntegrityError:
        raise MarketError(_("这次活动已经开设了集市日"), field="activity") from None
    audit(
        actor=actor,
        community_id=day.community_id,
        action="market_day.open",
        obj=day,
        new={"activity": activity.pk, "date": day.date.isoformat()},
    )
    return day


@transaction.atomic
def market_day_close(*, actor, market_day: MarketDay) -> MarketDay:
    """收摊: no more sales on the day (already closed: nothing changes)."""
    _require(actor, "market.manage", _("只有社区工作者可以结束集市日"))
    now = timezone.now()
    if MarketDay.objects.filter(pk=market_day.pk, closed_at__isnull=True).update(closed_at=now):
        market_day.closed_at = now
        audit(
            actor=actor,
            community_id=market_day.community_id,
            action="market_day.close",
            obj=market_day,
            new={"closed_at": now.isoformat()},
        )
    else:
        market_day.refresh_from_db(fields=["closed_at"])
    return market_day


def _open(market_day: MarketDay) -> None:
    if MarketDay.objects.filter(pk=market_day.pk, closed_at__isnull=False).exists():
        raise MarketError(_("本次集市已经收摊"))


@transaction.atomic
def stall_add(
    *, actor, market_day: MarketDay, organization: Organization, name: str, number: int = 0
) -> Stall:
    _require(actor, "market.manage", _("只有社区工作者可以安排摊位"))
    _open(market_day)
    name = (name or "").strip()[:60] or organization.name[:60]
    if Stall.objects.filter(market_day=market_day, organization=organization).exists():
        raise MarketError(_("这个组织在本次集市已经有摊位"), field="organization")
    try:
        with transaction.atomic():
            stall = Stall.objects.create(
                community_id=market_day.community_id,
                market_day=market_day,
                organization=organization,
                name=name,
                number=max(int(number or 0), 0),
            )
    except IntegrityError:
        raise MarketError(_("这个组织在本次集市已经有摊位"), field="organization") from None
    audit(
        actor=actor,
        community_id=stall.community_id,
        action="stall.add",
        obj=stall,
        new={"market_day": market_day.pk, "organization": organization.pk, "name": name},
    )
    return stall


# --- items --------------------------------------------------------------------------


def _clean_item(*, name, kind, price_fen, price_points, stock) -> dict:
    name = (name or "").strip()
    if not name:
        raise MarketError(_("请填写名称"), field="name")
    if kind not in StallItem.Kind.values:
        raise MarketError(_("类型不正确"), field="kind")
    if price_fen is not None:
        if not isinstance(price_fen, int) or isinstance(price_fen, bool):
            raise MarketError(_("价格格式不正确"), field="price_fen")
        if price_fen <= 0 or price_fen > MAX_FEN:
            raise MarketError(_("价格必须大于0"), field="price_fen")
    if price_points is not None:
        try:
            price_points = Decimal(str(price_points)).quantize(Decimal("0.01"))
        except (ArithmeticError, ValueError):
            raise MarketError(_("积分价格格式不正确"), field="price_points") from None
        if price_points <= 0 or price_points > MAX_POINTS:
            raise MarketError(_("积分价格必须大于0"), field="price_points")
    if price_fen is None and price_points is None:
        raise MarketError(_("请至少填写一种价格（元或积分）"), field="price_fen")
    if stock is not None and (not isinstance(stock, int) or isinstance(stock, bool) or stock < 0):
        raise MarketError(_("库存应为不小于0的整数"), field="stock")
    return {
        "name": name[:60],
        "kind": kind,
        "price_fen": price_fen,
        "price_points": price_points,
        "stock": stock,
    }


def _item_snapshot(item: StallItem) -> dict:
    return {
        "name": item.name,
        "kind": item.kind,
        "price_fen": item.price_fen,
        "price_points": None if item.price_points is None else str(item.price_points),
        "stock": item.stock,
    }


@transaction.atomic
def item_add(
    *,
    actor,
    stall: Stall,
    name: str,
    kind: str = StallItem.Kind.GOODS,
    price_fen: int | None = None,
    price_points=None,
    stock: int | None = None,
) -> StallItem:
    _may(actor, stall, selectors.MANAGE)
    fields = _clean_item(
        name=name, kind=kind, price_fen=price_fen, price_points=price_points, stock=stock
    )
    if StallItem.objects.filter(stall=stall, name=fields["name"]).exists():
        raise MarketError(_("本摊位已有同名商品"), field="name")
    try:
        with transaction.atomic():
            item = StallItem.objects.create(community_id=stall.community_id, stall=stall, **fields)
    except IntegrityError:
        raise MarketError(_("本摊位已有同名商品"), field="name") from None
    audit(
        actor=actor,
        community_id=item.community_id,
        action="stall_item.add",
        obj=item,
        new=_item_snapshot(item),
    )
    return item


ITEM_FIELDS = ("name", "kind", "price_fen", "price_points", "stock")


@transaction.atomic
def item_update(*, actor, item: StallItem, **changes) -> StallItem:
    """Change an item's name, kind, prices or stock (sales made keep their amounts)."""
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"item_update: unknown fields {sorted(unknown)}")
    _may(actor, item.stall, selectors.MANAGE)
    locked = StallItem.objects.select_for_update().get(pk=item.pk)
    old = _item_snapshot(locked)
    merged = {f: changes.get(f, getattr(locked, f)) for f in ITEM_FIELDS}
    fields = _clean_item(**merged)
    if (
        fields["name"] != locked.name
        and StallItem.objects.filter(stall_id=locked.stall_id, name=fields["name"]).exists()
    ):
        raise MarketError(_("本摊位已有同名商品"), field="name")
    for f, value in fields.items():
        setattr(locked, f, value)
    locked.save(update_fields=list(ITEM_FIELDS))
    audit(
        actor=actor,
        community_id=locked.community_id,
        action="stall_item.update",
        obj=locked,
        old=old,
        new=_item_snapshot(locked),
    )
    for f in ITEM_FIELDS:
        setattr(item, f, getattr(locked, f))
    return item


# --- buyers ---------------------------------------------------------------------------

# A resident's market code is their volunteer number ("KH-<community code>-000123",
# VolunteerProfile.number, on their volunteer card and "my points" page): points are
# earned as a volunteer, so whoever has points has one.
CODE_RE = re.compile(r"^KH-[A-Z0-9_-]+-\d{6,}$", re.IGNORECASE)


def buyer_find(*, actor, code_or_query: str) -> list[Resident]:
    """The buyer by their market code (their volunteer number, scanned or typed), or the
    community's residents who hold points by name, pinyin, initials or the last four
    phone digits (at most BUYERS_SHOWN). Only for those who may sell."""
    from kuihua.registry.selectors import resident_search

    _require(actor, "market.sell", _("只有摊位负责人或社区工作者可以查找购买人"))
    text = (code_or_query or "").strip()
    if not text:
        return []
    if CODE_RE.match(text):
        profile = (
            VolunteerProfile.objects.select_related("resident").filter(number=text.upper()).first()
        )
        return [profile.resident] if profile is not None else []
    # Only those who hold points (a volunteer profile): the search is for paying in points,
    # not a way into the registry.
    holders = Resident.objects.filter(volunteer_profile__isnull=False)
    found = resident_search(holders, text).order_by("name", "pk")
    return list(found[:BUYERS_SHOWN])


# --- sales --------------------------------------------------------------------------


def _check_key(key: str) -> str:
    key = (key or "").strip()
    if not KEY_RE.match(key):
        raise MarketError(_("缺少有效的防重复码，请刷新页面后再提交。"), field="idempotency_key")
    return key


def _same_request(existing: Sale, *, item, quantity, method, buyer) -> Sale:
    if (existing.item_id, existing.quantity, existing.method, existing.buyer_id) != (
        item.pk,
        quantity,
        method,
        buyer.pk if buyer is not None else None,
    ):
        raise IdempotencyConflict(
            _("这个防重复码已经用于另一笔销售，请刷新页面后重新填写。"),
            field="idempotency_key",
        )
    return existing


def _validate_sale(*, item: StallItem, quantity, method: str, buyer) -> tuple[int, Decimal]:
    """(amount_fen, points) of the sale, or the first rule it breaks."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not quantity > 0:
        raise MarketError(_("数量必须是正整数"), field="quantity")
    if quantity > MAX_QUANTITY:
        raise MarketError(_("一次最多卖 %(n)s 件") % {"n": MAX_QUANTITY}, field="quantity")
    if method not in Sale.Method.values:
        raise MarketError(_("付款方式不正确"), field="method")
    if method == Sale.Method.POINTS:
        if item.price_points is None:
            raise MarketError(_("这件商品不能用积分兑换"), field="method")
        if buyer is None:
            raise MarketError(_("积分兑换需要先选择购买的居民"), field="buyer")
        return 0, item.price_points * quantity
    if item.price_fen is None:
        raise MarketError(_("这件商品只能用积分兑换"), field="method")
    amount = item.price_fen * quantity
    if amount > MAX_FEN:
        raise MarketError(_("金额过大"), field="quantity")
    return amount, Decimal("0.00")


def sale_record(
    *,
    actor,
    item: StallItem,
    quantity: int,
    method: str,
    idempotency_key: str,
    buyer: Resident | None = None,
) -> tuple[Sale, bool]:
    """Record a sale at `item`'s stall, once per idempotency key.

    Returns (sale, created): a repeat of the same request returns the first sale and
    False; the same key with a different request is refused. A points sale spends
    quantity × the item's points from `buyer`; a money sale posts the organization's
    and the welfare fund's shares to their ledgers; all in the sale's transaction.
    """
    key = _check_key(idempotency_key)
    # The prices as they are now, not as a page loaded them a minute ago.
    item = StallItem.objects.get(pk=item.pk)
    stall = Stall.objects.select_related("market_day", "organization").get(pk=item.stall_id)
    _may(actor, stall, selectors.SELL)
    # A replay is answered with the first sale even if the price changed or the day
    # closed since: it is the same sale, not a new one.
    found = Sale.objects.filter(idempotency_key=key).first()
    if found is not None:
        return _same_request(found, item=item, quantity=quantity, method=method, buyer=buyer), False
    amount_fen, points = _validate_sale(item=item, quantity=quantity, method=method, buyer=buyer)
    if buyer is not None and buyer.community_id != stall.community_id:
        raise MarketError(_("找不到这位居民"), field="buyer")
    _open(stall.market_day)
    try:
        with transaction.atomic():
            return _record(
                actor=actor,
                stall=stall,
                item=item,
                quantity=quantity,
                method=method,
                key=key,
                buyer=buyer,
                amount_fen=amount_fen,
                points=points,
            ), True
    except IntegrityError:
        found = Sale.objects.filter(idempotency_key=key).first()
        if found is None:
            raise
        return _same_request(found, item=item, quantity=quantity, method=method, buyer=buyer), False


def _record(*, actor, stall, item, quantity, method, key, buyer, amount_fen, points) -> Sale:
    organization_fen, welfare_fen = (0, 0)
    if method != Sale.Method.POINTS:
        organization_fen, welfare_fen = proceeds_split(amount_fen, organization_percent())
    # The key first: a second request with it waits here for this one to end.
    sale = Sale.objects.create(
        community_id=stall.community_id,
        stall=stall,
        item=item,
        quantity=quantity,
        method=method,
        amount_fen=amount_fen,
        points=points,
        buyer=buyer,
        organization_fen=organization_fen,
        welfare_fen=welfare_fen,
        idempotency_key=key,
        sold_by=actor if getattr(actor, "pk", None) else None,
    )
    # Closed while the request waited? A sale already past this point when the day
    # closes still lands: closing stops the stalls, it does not undo what was sold.
    _open(stall.market_day)
    taken = StallItem.objects.filter(pk=item.pk, stock__gte=quantity).update(
        stock=F("stock") - quantity
    )
    if not taken and StallItem.objects.filter(pk=item.pk, stock__isnull=False).exists():
        raise MarketError(_("库存不足"), field="quantity")
    if method == Sale.Method.POINTS:
        sale.points_entry = points_debit(
            actor=actor,
            resident=buyer,
            points=points,
            note=_("爱心集市 %(stall)s：%(item)s × %(n)s（销售 #%(sale)s）")
            % {"stall": stall.name, "item": item.name, "n": quantity, "sale": sale.pk},
        )
        updates = ["points_entry"]
    else:
        sale.organization_entry, sale.welfare_entry = _post_proceeds(
            actor=actor, sale=sale, stall=stall, item=item
        )
        updates = ["organization_entry", "welfare_entry"]
    sale.save(update_fields=updates)
    audit(
        actor=actor,
        community_id=sale.community_id,
        action="market_sale.record",
        obj=sale,
        new={
            "stall": stall.pk,
            "item": item.pk,
            "quantity": quantity,
            "method": method,
            "amount_fen": amount_fen,
            "points": str(points),
            "buyer": buyer.pk if buyer is not None else None,
            "organization_fen": sale.organization_fen,
            "welfare_fen": sale.welfare_fen,
        },
    )
    return sale


def organization_fund(organization: Organization) -> Ledger:
    """The organization's own fund (自有资金), opened with its first income: under the
    organization's row lock, so two first sales at once open it once."""
    if organization.fund_ledger_id:
        return Ledger.objects.get(pk=organization.fund_ledger_id)
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    if locked.fund_ledger_id is None:
        ledger = ledger_services.ledger_open(
            name=(_("%(org)s自有资金") % {"org": locked.name})[:100],
            kind=Ledger.Kind.ORGANIZATION,
            chart=FUND_CHART,
        )
        Organization.objects.filter(pk=locked.pk).update(fund_ledger=ledger)
        locked.fund_ledger_id = ledger.pk
    organization.fund_ledger_id = locked.fund_ledger_id
    return Ledger.objects.get(pk=locked.fund_ledger_id)


def _post_proceeds(*, actor, sale: Sale, stall: Stall, item: StallItem):
    """Post the sale's two shares (a zero share posts nothing): debit cash or the bank,
    credit market income, in the organization's fund and in the welfare fund."""
    money = CASH if sale.method == Sale.Method.CASH else BANK
    memo = _("爱心集市 %(stall)s：%(item)s × %(n)s，共 %(amount)s 元（销售 #%(sale)s）") % {
        "stall": stall.name,
        "item": item.name,
        "n": sale.quantity,
        "amount": yuan(sale.amount_fen),
        "sale": sale.pk,
    }
    today = timezone.localdate()
    entries = []
    for ledger_of, share in (
        (lambda: organization_fund(stall.organization), sale.organization_fen),
        (ledger_services.public_welfare_fund, sale.welfare_fen),
    ):
        if not share:
            entries.append(None)
            continue
        ledger = ledger_of()
        entries.append(
            ledger_services.entry_post(
                ledger=ledger,
                date=today,
                memo=memo,
                legs=[
                    (ledger_services.account(ledger, money), share),
                    (ledger_services.account(ledger, MARKET_INCOME), -share),
                ],
                actor=actor,
                source=f"market_sale:{sale.pk}",
            )
        )
    return entries[0], entries[1]
