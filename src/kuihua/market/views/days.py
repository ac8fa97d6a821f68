"""The coordinator's desk: market days (opened from an occurrence of the monthly market
series, with its room booking), their stalls and items, closing a day, the takings per
stall and how they were split, the community's split rule, and each organization's
self-financing share over the last 12 months."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.activities.models import Activity
from kuihua.activities.selectors import access_activity_for_manage, activities_managed_by
from kuihua.core.errors import ApplicationError
from kuihua.core.money import yuan
from kuihua.core.pages import post_only, require
from kuihua.market import selectors, services
from kuihua.market.forms import DayOpenForm, ItemForm, RuleForm, StallForm, price_text
from kuihua.market.models import MarketRule
from kuihua.market.views import show_error
from kuihua.market.views.selling import takings_rows
from kuihua.organizations.selectors import organizations_visible_to


def start_of_today() -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))


def _series_occurrences(user):
    """Today's and upcoming published occurrences of a monthly series (the market) that
    are not a market day yet."""
    return (
        activities_managed_by(user)
        .filter(
            # the monthly market: a monthly series, not the daily patrol or the weekly choir
            series__rule__icontains="FREQ=MONTHLY",
            status=Activity.Status.PUBLISHED,
            starts_at__gte=start_of_today(),
            market_day__isnull=True,
        )
        .select_related("room", "booking", "series")
        .order_by("starts_at")
    )


@login_required
def days(request):
    """Every market day of the community, and a form to open the next one."""
    user = request.user
    require(user, "market.manage")
    form = DayOpenForm(
        request.POST if request.method == "POST" else None,
        activities=_series_occurrences(user),
    )
    if request.method == "POST" and form.is_valid():
        activity = access_activity_for_manage(user, form.cleaned_data["activity"].pk)
        try:
            day = services.market_day_open(actor=user, activity=activity)
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(
                request, _("%(date)s 的集市已开设。") % {"date": f"{day.date:%Y-%m-%d}"}
            )
            return redirect("market:day", market_day_id=day.pk)
    market_days = selectors.market_days_for(user).select_related(
        "activity__room", "activity__booking"
    )
    context = {"form": form, "market_days": market_days, "today": timezone.localdate()}
    return render(request, "market/days.html", context)


@login_required
def day(request, market_day_id: int):
    """A market day: its room, its stalls with their takings and split; add a stall."""
    user = request.user
    require(user, "market.manage")
    market_day = selectors.access_market_day(user, market_day_id, action="manage")
    form = StallForm(
        request.POST if request.method == "POST" else None,
        organizations=organizations_visible_to(user)
        .exclude(market_stalls__market_day=market_day)
        .order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            stall = services.stall_add(
                actor=user,
                market_day=market_day,
                organization=data["organization"],
                name=data["name"],
                number=data["number"] or 0,
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("已给 %(org)s 安排摊位。") % {"org": stall.organization})
            return redirect("market:stall_items", stall_id=stall.pk)
    stalls = list(market_day.stalls.select_related("organization"))
    takings = selectors.stalls_takings(market_day)
    rows = [{"stall": s, "takings": takings_rows(takings[s.pk])} for s in stalls]
    context = {
        "day": market_day,
        "activity": market_day.activity,
        "rows": rows,
        "form": form,
        "is_open": market_day.closed_at is None,
        "totals": takings_rows(selectors.market_day_takings(market_day)),
    }
    return render(request, "market/day.html", context)


@login_required
def day_close(request, market_day_id: int):
    user = request.user
    require(user, "market.manage")
    market_day = selectors.access_market_day(user, market_day_id, action="manage")
    if (refused := post_only(request)) is not None:
        return refused
    try:
        services.market_day_close(actor=user, market_day=market_day)
    except ApplicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已收摊，这天不再记新的买卖。"))
    return redirect("market:day", market_day_id=market_day.pk)


@login_required
def stall_items(request, stall_id: int):
    """A stall's items with prices and stock; add one."""
    user = request.user
    require(user, "market.sell")
    stall = selectors.access_stall(user, stall_id, action="sell")
    form = ItemForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_add(actor=user, stall=stall, **form.cleaned_data)
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("已添加 %(name)s。") % {"name": item.name})
            return redirect("market:stall_items", stall_id=stall.pk)
    context = {
        "stall": stall,
        "day": stall.market_day,
        "items": [{"item": i, "price": price_text(i)} for i in stall.items.all()],
        "form": form,
        "can_manage": user.has_perm("market.manage"),
    }
    return render(request, "market/stall_items.html", context)


@login_required
def item_edit(request, item_id: int):
    """Change an item's name, price or stock."""
    user = request.user
    require(user, "market.sell")
    item = selectors.access_item(user, item_id, action="sell")
    initial = {
        "name": item.name,
        "kind": item.kind,
        "price_fen": item.price_fen,
        "price_points": item.price_points,
        "stock": item.stock,
    }
    form = ItemForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(actor=user, item=item, **form.cleaned_data)
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("%(name)s 已修改。") % {"name": form.cleaned_data["name"]})
            return redirect("market:stall_items", stall_id=item.stall_id)
    return render(
        request, "market/item_edit.html", {"item": item, "stall": item.stall, "form": form}
    )


@login_required
def rule(request):
    """How the community splits cash and transfer proceeds between the organization's own
    fund and the public-welfare fund."""
    user = request.user
    require(user, "market.manage")
    current = MarketRule.objects.first()
    percent = (
        current.organization_percent
        if current
        else MarketRule._meta.get_field("organization_percent").default
    )
    form = RuleForm(
        request.POST if request.method == "POST" else None,
        initial={"organization_percent": percent},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.market_rule_set(
                actor=user, organization_percent=form.cleaned_data["organization_percent"]
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("分配规则已保存，以后的收入按新比例分。"))
            return redirect("market:rule")
    context = {"form": form, "percent": percent, "welfare_percent": 100 - percent, "rule": current}
    return render(request, "market/rule.html", context)


@login_required
def self_financing(request):
    """Each organization that held a stall: its self-financing share, month by month, over
    the last 12 months."""
    user = request.user
    require(user, "market.manage")
    today = timezone.localdate()
    organizations = (
        organizations_visible_to(user)
        .filter(market_stalls__isnull=False)
        .distinct()
        .order_by("name")
    )
    rows = []
    for organization in organizations:
        result = selectors.self_financing(organization, months=12, today=today)
        rows.append(
            {
                "organization": organization,
                "market": yuan(result.market_fen),
                "income": yuan(result.income_fen),
                "share": result.share_percent,
                "months": [
                    {
                        "month": m.month,
                        "market": yuan(m.market_fen),
                        "income": yuan(m.income_fen),
                        "share": m.share_percent,
                    }
                    for m in reversed(result.months)
                ],
            }
        )
    return render(request, "market/self_financing.html", {"rows": rows, "today": today})


urlpatterns = [
    path("days/", days, name="days"),
    path("days/<int:market_day_id>/", day, name="day"),
    path("days/<int:market_day_id>/close/", day_close, name="day_close"),
    path("stalls/<int:stall_id>/items/", stall_items, name="stall_items"),
    path("items/<int:item_id>/edit/", item_edit, name="item_edit"),
    path("rule/", rule, name="rule"),
    path("self-financing/", self_financing, name="self_financing"),
]
