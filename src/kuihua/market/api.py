"""爱心集市 over JSON (mounted at /api/market; docs/adr/0015-market-points-and-proceeds.md).

Who sees what is decided by the doors in `selectors`: any member reads the market
days, stalls and prices and their own points; a coordinator, or the leader or deputy
of a stall's organization, sells and keeps items there; a coordinator opens market
days, gives stalls and sets the rule. Anything else is 404, as another community's
object is. Each handler parses input and calls a service.

A sale is recorded once per idempotency key (`Idempotency-Key` header or the body's
`idempotency_key`): the first answer is 201, the same request again is 200 with the
same sale, a different request with the key is 409.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Header, Router, Status

from kuihua.activities.models import Activity
from kuihua.core.api_support import ServiceError, body_ref, error_responses, paginated, require
from kuihua.core.masking import mask_name
from kuihua.market import selectors, services
from kuihua.market.schemas import (
    BuyerOut,
    ItemIn,
    ItemOut,
    ItemPatch,
    MarketDayIn,
    MarketDayOut,
    MyPointsOut,
    ProceedsOut,
    RuleIn,
    RuleOut,
    SaleIn,
    SaleOut,
    SelfFinancingOut,
    StallDetailOut,
    StallIn,
    StallOut,
)
from kuihua.market.selectors import MANAGE, SELL
from kuihua.organizations.models import Organization
from kuihua.registry.models import Resident
from kuihua.service_records.models import VolunteerProfile

router = Router(tags=["market"])

KEY_HEADER = Header(
    None,
    alias="Idempotency-Key",
    max_length=64,
    description="one key per sale form: 8–64 of A–Z a–z 0–9 _ . : -",
)
HISTORY_SHOWN = 100


def _with_may_sell(user, stalls):
    mine = selectors.led_organization_ids(user)
    coordinator = user.has_perm("market.manage")
    for stall in stalls:
        stall.may_sell = coordinator or stall.organization_id in mine
    return stalls


# --- market days --------------------------------------------------------------------------


@router.get(
    "/days",
    response={200: list[MarketDayOut], **error_responses(422)},
    summary="The community's market days, the latest first",
)
@paginated
def list_days(request):
    require(request.user, "market.view")
    return selectors.market_days_for(request.user)


@router.post(
    "/days",
    response={201: MarketDayOut, **error_responses(400, 404, 422)},
    summary="Open the market day of an occurrence of the monthly market series (coordinators)",
)
def open_day(request, payload: MarketDayIn):
    require(request.user, "market.manage")

    def fetch(user, pk):
        activity = Activity.objects.filter(pk=pk).first()
        if activity is None:
            raise Http404
        return activity

    activity = body_ref(fetch, request.user, payload.activity_id, "activity_id")
    day = services.market_day_open(actor=request.user, activity=activity)
    return Status(201, selectors.access_market_day(request.user, day.pk))


@router.get(
    "/days/{int:market_day_id}",
    response={200: MarketDayOut, **error_responses(404)},
    summary="A market day",
)
def get_day(request, market_day_id: int):
    return selectors.access_market_day(request.user, market_day_id)


@router.post(
    "/days/{int:market_day_id}/close",
    response={200: MarketDayOut, **error_responses(404)},
    summary="Close a market day (收摊): no more sales (coordinators)",
)
def close_day(request, market_day_id: int):
    day = selectors.access_market_day(request.user, market_day_id, action=MANAGE)
    services.market_day_close(actor=request.user, market_day=day)
    return day


@router.get(
    "/days/{int:market_day_id}/stalls",
    response={200: list[StallOut], **error_responses(404, 422)},
    summary="A market day's stalls",
)
@paginated
def list_stalls(request, market_day_id: int):
    day = selectors.access_market_day(request.user, market_day_id)
    return _with_may_sell(
        request.user, list(selectors.stalls_for(request.user).filter(market_day=day))
    )


@router.post(
    "/days/{int:market_day_id}/stalls",
    response={201: StallOut, **error_responses(400, 404, 422)},
    summary="Give an organization a stall on a market day (coordinators)",
)
def add_stall(request, market_day_id: int, payload: StallIn):
    day = selectors.access_market_day(request.user, market_day_id, action=MANAGE)

    def fetch(user, pk):
        org = Organization.objects.filter(pk=pk).first()
        if org is None:
            raise Http404
        return org

    organization = body_ref(fetch, request.user, payload.organization_id, "organization_id")
    stall = services.stall_add(
        actor=request.user,
        market_day=day,
        organization=organization,
        name=payload.name,
        number=payload.number,
    )
    return Status(
        201, _with_may_sell(request.user, [selectors.access_stall(request.user, stall.pk)])[0]
    )


# --- stalls and items -----------------------------------------------------------------------


@router.get(
    "/stalls/{int:stall_id}",
    response={200: StallDetailOut, **error_responses(404)},
    summary="A stall with its items, and its takings for those who sell there",
)
def get_stall(request, stall_id: int):
    (stall,) = _with_may_sell(request.user, [selectors.access_stall(request.user, stall_id)])
    stall.takings = selectors.stall_takings(stall) if stall.may_sell else None
    return stall


@router.get(
    "/stalls/{int:stall_id}/items",
    response={200: list[ItemOut], **error_responses(404, 422)},
    summary="A stall's items and prices",
)
@paginated
def list_items(request, stall_id: int):
    stall = selectors.access_stall(request.user, stall_id)
    return stall.items.all()


@router.post(
    "/stalls/{int:stall_id}/items",
    response={201: ItemOut, **error_responses(400, 404, 422)},
    summary="Add an item to a stall (its organization's leaders, coordinators)",
)
def add_item(request, stall_id: int, payload: ItemIn):
    stall = selectors.access_stall(request.user, stall_id, action=MANAGE)
    item = services.item_add(actor=request.user, stall=stall, **payload.dict())
    return Status(201, item)


@router.get(
    "/items/{int:item_id}",
    response={200: ItemOut, **error_responses(404)},
    summary="An item and its prices",
)
def get_item(request, item_id: int):
    return selectors.access_item(request.user, item_id)


@router.patch(
    "/items/{int:item_id}",
    response={200: ItemOut, **error_responses(400, 404, 422)},
    summary="Change an item's name, prices or stock (its organization's leaders, coordinators)",
)
def update_item(request, item_id: int, payload: ItemPatch):
    item = selectors.access_item(request.user, item_id, action=MANAGE)
    return services.item_update(actor=request.user, item=item, **payload.dict(exclude_unset=True))


# --- sales ------------------------------------------------------------------------------


def _key(header: str | None, body: str | None) -> str:
    if header and body and header != body:
        raise ServiceError(
            _("请求头和正文里的防重复码不一致。"), field="idempotency_key", status=400
        )
    return header or body or ""


@router.post(
    "/items/{int:item_id}/sales",
    response={201: SaleOut, 200: SaleOut, **error_responses(400, 404, 409, 422)},
    summary="Record a sale of an item, once per idempotency key (those who sell at its stall)",
)
def record_sale(request, item_id: int, payload: SaleIn, idempotency_key: str | None = KEY_HEADER):
    item = selectors.access_item(request.user, item_id, action=SELL)
    key = _key(idempotency_key, payload.idempotency_key)
    buyer = None
    if payload.buyer_id is not None:

        def fetch(user, pk):
            found = Resident.objects.filter(pk=pk).first()
            if found is None:
                raise Http404
            return found

        buyer = body_ref(fetch, request.user, payload.buyer_id, "buyer_id", _("找不到这位居民"))
    try:
        sale, created = services.sale_record(
            actor=request.user,
            item=item,
            quantity=payload.quantity,
            method=payload.method,
            idempotency_key=key,
            buyer=buyer,
        )
    except services.IdempotencyConflict as exc:
        raise ServiceError(exc.message, field=exc.field, status=409) from None
    return Status(201 if created else 200, selectors.access_sale(request.user, sale.pk))


@router.get(
    "/stalls/{int:stall_id}/sales",
    response={200: list[SaleOut], **error_responses(404, 422)},
    summary="A stall's sales, the latest first (those who sell there)",
)
@paginated
def list_sales(request, stall_id: int):
    stall = selectors.access_stall(request.user, stall_id, action=SELL)
    return selectors.sales_for(request.user).filter(stall=stall)


@router.get(
    "/sales/{int:sale_id}",
    response={200: SaleOut, **error_responses(404)},
    summary="A sale (those who sell at its stall, and its buyer)",
)
def get_sale(request, sale_id: int):
    return selectors.access_sale(request.user, sale_id)


@router.get(
    "/buyers",
    response={200: list[BuyerOut], **error_responses(400, 404)},
    summary="Find the buyer paying in points: by their market code, or by name, pinyin "
    "or the last four phone digits (those who sell)",
)
def find_buyers(request, q: str = ""):
    require(request.user, "market.sell")
    found = services.buyer_find(actor=request.user, code_or_query=q[:40])
    codes = dict(
        VolunteerProfile.objects.filter(resident__in=found).values_list("resident_id", "number")
    )
    whole = request.user.has_perm("market.manage")
    return [
        {"id": r.pk, "name": r.name if whole else mask_name(r.name), "code": codes.get(r.pk)}
        for r in found
    ]


# --- my points ------------------------------------------------------------------------------


@router.get(
    "/me/points",
    response={200: MyPointsOut, **error_responses(404)},
    summary="My points: the balance, my market code and the history, each spending with "
    "the sale it paid for",
)
def my_points(request):
    require(request.user, "market.view")
    resident_id = getattr(request.user, "resident_id", None)
    resident = Resident.objects.filter(pk=resident_id).first() if resident_id else None
    if resident is None:
        raise Http404
    history = []
    for entry in selectors.points_history(resident)[:HISTORY_SHOWN]:
        sale = selectors.sale_of(entry)
        history.append(
            {
                "id": entry.pk,
                "kind": entry.kind,
                "kind_label": str(entry.get_kind_display()),
                "points": entry.points,
                "note": entry.note,
                "created_at": entry.created_at,
                "sale": None
                if sale is None
                else {
                    "id": sale.pk,
                    "stall_name": sale.stall.name,
                    "item_name": sale.item.name,
                    "quantity": sale.quantity,
                },
            }
        )
    code = (
        VolunteerProfile.objects.filter(resident=resident).values_list("number", flat=True).first()
    )
    return {"balance": selectors.points_balance(resident), "code": code, "history": history}


# --- the rule and self-financing -----------------------------------------------------------


def _rule() -> dict:
    percent = services.organization_percent()
    return {"organization_percent": percent, "welfare_percent": 100 - percent}


@router.get(
    "/rule",
    response={200: RuleOut, **error_responses(404)},
    summary="How the community splits market proceeds between an organization's fund and "
    "the public-welfare fund",
)
def get_rule(request):
    require(request.user, "market.view")
    return _rule()


@router.put(
    "/rule",
    response={200: RuleOut, **error_responses(400, 404, 422)},
    summary="Set how market proceeds are split from now on (coordinators)",
)
def set_rule(request, payload: RuleIn):
    require(request.user, "market.manage")
    services.market_rule_set(actor=request.user, organization_percent=payload.organization_percent)
    return _rule()


@router.get(
    "/organizations/{int:organization_id}/self-financing",
    response={200: SelfFinancingOut, **error_responses(404, 422)},
    summary="An organization's self-financing over time: its fund's income from the market "
    "against its fund's income, per month (its leaders, coordinators)",
)
def self_financing(request, organization_id: int, months: int = 12):
    if not 1 <= months <= 36:
        raise ServiceError(_("月数应在1到36之间"), field="months", status=422)
    user = request.user
    if not (
        user.has_perm("market.manage") or organization_id in selectors.led_organization_ids(user)
    ):
        raise Http404
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise Http404
    found = selectors.self_financing(organization, months=months)
    return {
        "organization_id": organization.pk,
        "months": [
            {
                "month": f"{m.month:%Y-%m}",
                "market_fen": m.market_fen,
                "income_fen": m.income_fen,
                "share_percent": m.share_percent,
            }
            for m in found.months
        ],
        "market_fen": found.market_fen,
        "income_fen": found.income_fen,
        "share_percent": found.share_percent,
    }


@router.get(
    "/proceeds",
    response={200: ProceedsOut, **error_responses(404, 422)},
    summary="The community's market proceeds per month: money, its split, points spent",
)
def proceeds(request, months: int = 12):
    require(request.user, "market.view")
    if not 1 <= months <= 36:
        raise ServiceError(_("月数应在1到36之间"), field="months", status=422)
    found = selectors.community_proceeds(months=months)
    return {
        "months": [
            {
                "month": f"{m.month:%Y-%m}",
                "sales": m.sales,
                "amount_fen": m.amount_fen,
                "organization_fen": m.organization_fen,
                "welfare_fen": m.welfare_fen,
                "points": m.points,
            }
            for m in found
        ]
    }
