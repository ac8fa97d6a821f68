"""The stall holder's phone: 我的摊位 (today's market day, their stall), the items as big
buttons, and the sale form (quantity, how paid, for points who pays).

The sale form carries the key it was rendered with, so a double tap or a resubmit
records the sale once; a refusal (积分余额不足, sold out, market closed) is shown in the
form and records nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.core.errors import ApplicationError
from kuihua.core.money import yuan
from kuihua.core.pages import require
from kuihua.market import selectors, services
from kuihua.market.forms import SaleForm, new_idempotency_key, points_text, price_text
from kuihua.market.models import Sale
from kuihua.market.views import show_error


def takings_rows(takings) -> dict:
    """A stall's takings for the page: yuan as text, points without trailing zeros."""
    return {
        "cash": yuan(takings.cash_fen),
        "transfer": yuan(takings.transfer_fen),
        "points": points_text(takings.points),
        "organization": yuan(takings.organization_fen),
        "welfare": yuan(takings.welfare_fen),
        "sales": takings.sales,
        "amount": yuan(takings.amount_fen),
    }


@login_required
def home(request):
    """A coordinator's list of market days; a stall holder's 我的摊位; anyone else's points."""
    user = request.user
    if user.has_perm("market.manage"):
        return redirect("market:days")
    if not user.has_perm("market.sell"):
        return redirect("market:points")
    today = timezone.localdate()
    stalls = list(
        selectors.stalls_for(user, action="sell")
        .filter(market_day__date__gte=today)
        .order_by("market_day__date", "number", "id")
    )
    context = {
        "today_stalls": [s for s in stalls if s.market_day.date == today],
        "later_stalls": [s for s in stalls if s.market_day.date > today],
        "has_own": user.resident_id is not None,
    }
    return render(request, "market/my_stalls.html", context)


@login_required
def stall(request, stall_id: int):
    """A stall's items as big buttons with their prices, and what it took today."""
    user = request.user
    require(user, "market.sell")
    stall = selectors.access_stall(user, stall_id, action="sell")
    items = [
        {"item": item, "price": price_text(item), "sold_out": item.stock == 0}
        for item in stall.items.all()
    ]
    context = {
        "stall": stall,
        "day": stall.market_day,
        "items": items,
        "takings": takings_rows(selectors.stall_takings(stall)),
        "is_open": stall.market_day.closed_at is None,
        "is_today": stall.market_day.date == timezone.localdate(),
        "can_manage": user.has_perm("market.manage"),
        "recent": stall.sales.select_related("item", "buyer")[:10],
    }
    return render(request, "market/stall.html", context)


def _buyers(user, query: str, form_errors: list) -> list:
    """The community's residents matching a code or a name, as `buyer_find` finds them."""
    if not query:
        return []
    try:
        return list(services.buyer_find(actor=user, code_or_query=query))
    except ApplicationError as exc:
        form_errors.append(exc)
        return []


def _chosen(form, buyers):
    """The resident who pays in points: the one picked, or the only one found."""
    data = form.cleaned_data
    if not data.get("buyer"):
        form.add_error("buyer", _("用积分付，请先扫居民的码，或输入居民码、姓名。"))
        return None
    picked = data.get("buyer_id")
    if picked:
        return next((b for b in buyers if b.pk == picked), None)
    if len(buyers) == 1:
        return buyers[0]
    if not buyers:
        form.add_error("buyer", _("没有找到这位居民（只查有积分的居民），请核对居民码或姓名。"))
    else:
        form.add_error("buyer_id", _("找到 %(n)s 位，请点选是哪一位。") % {"n": len(buyers)})
    return None


def _done_message(request, sale: Sale, created: bool) -> None:
    item = sale.item
    if sale.method == Sale.Method.POINTS:
        paid = _("%(points)s 积分") % {"points": points_text(sale.points)}
    else:
        paid = _("%(amount)s 元（%(method)s）") % {
            "amount": yuan(sale.amount_fen),
            "method": sale.get_method_display(),
        }
    text = _("已记下：%(item)s × %(n)s，%(paid)s。") % {
        "item": item.name,
        "n": sale.quantity,
        "paid": paid,
    }
    if not created:
        text = _("这笔已经记过了，没有重复记：%(item)s × %(n)s，%(paid)s。") % {
            "item": item.name,
            "n": sale.quantity,
            "paid": paid,
        }
    if sale.method == Sale.Method.POINTS and sale.buyer_id:
        balance = selectors.points_balance(sale.buyer)
        text += " " + _("%(name)s 还剩 %(balance)s 积分。") % {
            "name": sale.buyer.name,
            "balance": points_text(balance),
        }
    (messages.success if created else messages.info)(request, text)


@login_required
def sell(request, item_id: int):
    """Sell one item: quantity (+/−), cash, transfer or points; for points, the buyer by
    their code or a name search among the community's residents."""
    user = request.user
    require(user, "market.sell")
    item = selectors.access_item(user, item_id, action="sell")
    stall = item.stall
    posted = request.method == "POST"
    query = request.POST.get("buyer", "").strip() if posted else ""
    finding = posted and "find" in request.POST
    paying_points = request.POST.get("method") == Sale.Method.POINTS if posted else False
    find_errors: list[ApplicationError] = []
    buyers = _buyers(user, query, find_errors) if (finding or paying_points) else []
    find_error = ""
    if finding:
        # Only the search: the form comes back as typed, with the residents found to pick.
        initial = {k: request.POST.get(k, "") for k in ("quantity", "method", "buyer")}
        initial["idempotency_key"] = request.POST.get("idempotency_key") or None
        initial = {k: v for k, v in initial.items() if v}
        if len(buyers) == 1:
            initial["buyer_id"] = buyers[0].pk
        form = SaleForm(initial=initial, item=item, buyers=buyers)
        if find_errors:
            find_error = str(find_errors[0])
        elif not query:
            find_error = _("请先输入居民码或姓名。")
        elif not buyers:
            find_error = _("没有找到这位居民（只查有积分的居民），请核对居民码或姓名。")
    else:
        form = SaleForm(request.POST if posted else None, item=item, buyers=buyers)
    if posted and not finding and form.is_valid():
        data = form.cleaned_data
        buyer = None
        if data["method"] == Sale.Method.POINTS:
            for exc in find_errors:
                show_error(form, exc)
            buyer = None if find_errors else _chosen(form, buyers)
        if not form.errors:
            try:
                sale, created = services.sale_record(
                    actor=user,
                    item=item,
                    quantity=data["quantity"],
                    method=data["method"],
                    idempotency_key=data["idempotency_key"] or form.initial["idempotency_key"],
                    buyer=buyer,
                )
            except ApplicationError as exc:
                show_error(form, exc)
                if exc.field == "idempotency_key":
                    # The key was used for another sale (the form sent again after a
                    # change): the same answers come back with a new key to confirm.
                    form.data = form.data.copy()
                    form.data["idempotency_key"] = new_idempotency_key()
            else:
                _done_message(request, sale, created)
                return redirect("market:stall", stall_id=stall.pk)
    context = {
        "stall": stall,
        "item": item,
        "price": price_text(item),
        "form": form,
        "buyers": buyers,
        "find_error": find_error,
        "is_open": stall.market_day.closed_at is None,
    }
    return render(request, "market/sell.html", context)


urlpatterns = [
    path("", home, name="home"),
    path("stalls/<int:stall_id>/", stall, name="stall"),
    path("items/<int:item_id>/sell/", sell, name="sell"),
]
