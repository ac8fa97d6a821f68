"""Pages of needs and services (需求清单·服务清单·精准对接).

A resident raises a need on a phone and follows it; a coordinator records needs
for residents, keeps the services list and the taxonomy, runs the matcher,
accepts or overrides its proposals and reads the gap report and the statistics;
a provider (a volunteer, or an organization's contact account) starts and
finishes its orders on a phone; the resident rates the service.

Views parse input, fetch through the `access_*` selectors (404 for anything the
user may not see or act on) and call the services for every write.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kuihua.core.attribution import AttributionForm
from kuihua.core.pages import (
    apply_service_error,
    post_only,
    render_page,
    require,
    wants_partial,
)
from kuihua.matching import runs, selectors, services
from kuihua.matching.forms import (
    AssignForm,
    CancelForm,
    CategoryForm,
    NeedFilterForm,
    NeedForm,
    OfferForm,
    RateForm,
    days_text,
    initial_from,
    slots_text,
)
from kuihua.matching.models import Need, Proposal, ProviderType
from kuihua.matching.services import MatchingError
from kuihua.organizations.selectors import (
    access_organization,
    access_partner_unit,
    organizations_visible_to,
    partner_units_visible_to,
)
from kuihua.registry.models import Compound
from kuihua.registry.picker import resident_picker
from kuihua.registry.selectors import access_resident

PAGE_SIZE = 50
MAX_PROBLEMS_SHOWN = 10

DELIVERIES_SHOWN = 12


def _nav(user) -> dict:
    return {
        "can_manage": user.has_perm("matching.manage"),
        "can_run": user.has_perm("matching.run"),
        "can_view_stats": user.has_perm("matching.view_stats"),
        # A district viewer has no registry record: no needs of their own to raise.
        "can_raise": user.has_perm("matching.manage") or user.resident_id is not None,
        # A volunteer or leader records what they met on a visit (走访登记).
        "can_visit": user.has_perm("matching.raise_on_visit"),
        "has_orders": selectors.serves_as_provider(user),
    }


def _with_times(items):
    """Days and parts of the day in words, for the rows of a page (no queries)."""
    for item in items:
        item.days_text = days_text(item.days)
        item.slots_text = slots_text(item.slots)
    return items


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _back(request, need: Need):
    """Where a button on a need leads back to: the orders page or the need."""
    if request.POST.get("next") == "orders":
        return redirect("matching:my_orders")
    return redirect("matching:need_detail", need_id=need.pk)


# --- needs -------------------------------------------------------------------------------


@login_required
def need_list(request):
    """Coordinators: every need, filtered. Everyone else: the needs they raised."""
    user = request.user
    can_manage = user.has_perm("matching.manage")
    categories = list(selectors.categories())
    form = NeedFilterForm(request.GET or None, categories=categories)
    needs = selectors.need_list(user, **form.filters(), own=not can_manage)
    page = Paginator(needs, PAGE_SIZE).get_page(request.GET.get("page"))
    _with_times(page.object_list)
    context = {
        "form": form,
        "page": page,
        "latest_run": selectors.runs_visible_to(user).first() if can_manage else None,
        **_nav(user),
    }
    return render_page(request, "matching/need_list.html", "matching/_need_rows.html", context)


@login_required
def need_create(request):
    """提出需求: a resident for themselves; a coordinator for a resident they pick."""
    user = request.user
    if user.has_perm("matching.manage"):
        return _need_form_page(request, mode="acting")
    if user.resident is None:
        if request.method == "POST":
            raise Http404
        return render(request, "matching/need_form.html", {"form": None, **_nav(user)})
    return _need_form_page(request, mode="self")


@login_required
def need_visit(request):
    """走访登记: a volunteer (or an organization's leader) records a need for a resident
    they can see, met on a visit; the same service as every other need."""
    require(request.user, "matching.raise_on_visit")
    return _need_form_page(request, mode="visit")


def _need_form_page(request, *, mode: str):
    """The need form: `self` (one's own), `acting` (a coordinator, channel and project
    chosen) or `visit` (a volunteer, for a resident they pick)."""
    user = request.user
    for_self = mode == "self"
    url = reverse("matching:need_visit" if mode == "visit" else "matching:need_create")
    categories = list(selectors.categories())
    initial = initial_from(NeedForm, request.GET) if request.method == "GET" else None
    form = NeedForm(
        request.POST if request.method == "POST" else None,
        categories=categories,
        for_self=for_self,
        visit=mode == "visit",
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        resident = (
            user.resident if for_self else access_resident(user, form.cleaned_data["resident"])
        )
        values = form.values()
        if mode == "visit":
            # As over the API: one's own need is one's own, any other was met on a visit.
            own = resident.pk == user.resident_id
            values["channel"] = Need.Channel.RESIDENT if own else Need.Channel.VOLUNTEER
        try:
            need = services.need_raise(actor=user, resident=resident, **values)
        except MatchingError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("需求已登记，社区会尽快为您对接服务"))
            return redirect("matching:need_detail", need_id=need.pk)
    context = {"form": form, "for_self": for_self, "mode": mode, "action": url, **_nav(user)}
    if not for_self:
        context.update(
            resident_picker(
                request,
                name="resident",
                label=_("居民"),
                url=url,
                form=form if form.is_bound else None,
            )
        )
    if wants_partial(request) and request.method == "GET" and not for_self:
        return render_page(
            request, "matching/need_form.html", "registry/_resident_options.html", context
        )
    return render(request, "matching/need_form.html", context)


def _detail_context(request, need: Need, **forms) -> dict:
    user = request.user
    details = selectors.need_personal_details(user, need)
    masked = details is None
    if masked:
        details = selectors.need_masked_details(need)
    can_manage = user.has_perm("matching.manage")
    live = need.status in services.LIVE
    proposal = selectors.latest_proposal(need) if user.has_perm("matching.run") else None
    can_accept = (
        proposal is not None
        and proposal.offer_id is not None
        and proposal.status == Proposal.Status.PROPOSED
        and need.status == Need.Status.PROPOSED
    )
    # A held order whose provider was removed goes to someone else from here too.
    can_assign = can_manage and (
        need.status in (Need.Status.OPEN, Need.Status.PROPOSED)
        or (need.status in services.HOLDING and need.provider_id is None)
    )
    can_cancel = live and user.has_perm("matching.cancel_need", need)
    may_serve = user.has_perm("matching.serve_need", need)
    can_rate = need.status == Need.Status.DONE and user.has_perm("matching.rate_need", need)
    offers = []
    if can_assign:
        offers = list(selectors.offer_list(user).filter(active=True, categories=need.category_id))
    _with_times([need])
    context = {
        "need": need,
        "details": details,
        "masked": masked,
        "events": list(need.events.select_related("by")),
        "proposal": proposal,
        "can_accept": can_accept,
        "assign_form": AssignForm(offers=offers) if can_assign else None,
        "no_offers": can_assign and not offers,
        "cancel_form": CancelForm() if can_cancel else None,
        "closing": can_manage,
        "can_start": may_serve and need.status == Need.Status.MATCHED,
        "can_done": may_serve and need.status in services.HOLDING,
        "can_deliver": (
            may_serve
            and need.status in services.HOLDING
            and need.recurrence != Need.Recurrence.ONCE
        ),
        "deliveries": list(need.deliveries.order_by("-delivered_at", "-id")[:DELIVERIES_SHOWN]),
        "delivery_count": need.deliveries.count(),
        "attribution_form": AttributionForm(current=need.project_id) if can_manage else None,
        "rate_form": RateForm() if can_rate else None,
        **_nav(user),
    }
    context.update(forms)
    return context


@login_required
def need_detail(request, need_id: int):
    need = selectors.access_need(request.user, need_id)
    return render(request, "matching/need_detail.html", _detail_context(request, need))


def _detail_again(request, need: Need, **forms):
    """The need's page again with a form's errors (nothing was changed)."""
    context = _detail_context(request, need, **forms)
    return render(request, "matching/need_detail.html", context, status=400)


@login_required
def need_cancel(request, need_id: int):
    """The resident cancels, a coordinator closes; either way with a reason."""
    user = request.user
    need = selectors.access_need(user, need_id)
    require(user, "matching.cancel_need", need)
    if (refused := post_only(request)) is not None:
        return refused
    close = user.has_perm("matching.manage")
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.need_cancel(
                actor=user, need=need, reason=form.cleaned_data["reason"], close=close
            )
        except MatchingError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已关闭该需求") if close else _("已取消该需求"))
            return redirect("matching:need_detail", need_id=need.pk)
    return _detail_again(request, need, cancel_form=form)


@login_required
def need_assign(request, need_id: int):
    """The coordinator's own choice of provider (派单), with or without a run."""
    user = request.user
    need = selectors.access_need(user, need_id)
    require(user, "matching.manage", need)
    if (refused := post_only(request)) is not None:
        return refused
    offers = list(selectors.offer_list(user).filter(active=True, categories=need.category_id))
    form = AssignForm(request.POST, offers=offers)
    if form.is_valid():
        offer = selectors.access_offer(user, form.cleaned_data["offer"])
        try:
            services.need_assign(actor=user, need=need, offer=offer)
        except MatchingError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已派单给 %(name)s") % {"name": offer.name})
            return redirect("matching:need_detail", need_id=need.pk)
    return _detail_again(request, need, assign_form=form)


def _provider_step(request, need_id: int, step, done_message: str):
    """Start or finish an order (the provider, or a coordinator for them): POST only."""
    user = request.user
    need = selectors.access_need(user, need_id)
    require(user, "matching.serve_need", need)
    if (refused := post_only(request)) is not None:
        return refused
    try:
        step(actor=user, need=need)
    except MatchingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done_message)
    return _back(request, need)


@login_required
def need_start(request, need_id: int):
    return _provider_step(request, need_id, services.need_start, _("已开始服务"))


@login_required
def need_done(request, need_id: int):
    return _provider_step(request, need_id, services.need_done, _("服务已完成，辛苦了！"))


@login_required
def need_deliver(request, need_id: int):
    """One delivery of a recurring need (this week's meal, today's escort): a person-time."""
    user = request.user
    need = selectors.access_need(user, need_id)
    require(user, "matching.serve_need", need)
    if (refused := post_only(request)) is not None:
        return refused
    try:
        services.need_delivery_record(actor=user, need=need)
    except MatchingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已登记一次服务，辛苦了！"))
    return _back(request, need)


@login_required
def need_attribute(request, need_id: int):
    """A coordinator says which public-welfare project the need's services count in."""
    user = request.user
    need = selectors.access_need(user, need_id)
    require(user, "matching.manage", need)
    if (refused := post_only(request)) is not None:
        return refused
    form = AttributionForm(request.POST, current=need.project_id)
    if form.is_valid():
        try:
            need = services.need_attribute(
                actor=user, need=need, project=form.cleaned_data["project"]
            )
        except MatchingError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                _("已计入公益项目：%(name)s") % {"name": need.project.name}
                if need.project_id
                else _("已不计入任何公益项目"),
            )
            return redirect("matching:need_detail", need_id=need.pk)
    return _detail_again(request, need, attribution_form=form)


@login_required
def need_rate(request, need_id: int):
    user = request.user
    need = selectors.access_need(user, need_id)
    require(user, "matching.rate_need", need)
    if (refused := post_only(request)) is not None:
        return refused
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.need_rate(
                actor=user,
                need=need,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except MatchingError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("谢谢您的评价"))
            return redirect("matching:need_detail", need_id=need.pk)
    return _detail_again(request, need, rate_form=form)


@login_required
def my_orders(request):
    """我的服务单: what was given to this volunteer or organization, with start / done."""
    user = request.user
    page = Paginator(selectors.orders_of(user), PAGE_SIZE).get_page(request.GET.get("page"))
    _with_times(page.object_list)
    return render(request, "matching/my_orders.html", {"page": page, **_nav(user)})


# --- the services list and the taxonomy --------------------------------------------------


@login_required
def offer_list(request):
    user = request.user
    require(user, "matching.manage")
    page = Paginator(selectors.offer_list(user), PAGE_SIZE).get_page(request.GET.get("page"))
    _with_times(page.object_list)
    return render(request, "matching/offer_list.html", {"page": page, **_nav(user)})


@login_required
def offer_create(request):
    """登记服务: the provider type is chosen first (a link each), then its form."""
    user = request.user
    require(user, "matching.manage")
    source = request.POST if request.method == "POST" else request.GET
    provider_type = source.get("provider_type")
    if provider_type not in ProviderType.values:
        provider_type = ProviderType.ORGANIZATION
    partner_kind = services.PROVIDER_PARTNER_KIND.get(provider_type)
    form = OfferForm(
        request.POST if request.method == "POST" else None,
        initial=initial_from(OfferForm, request.GET) if request.method == "GET" else None,
        provider_type=provider_type,
        categories=list(selectors.categories()),
        organizations=list(organizations_visible_to(user).order_by("name"))
        if provider_type == ProviderType.ORGANIZATION
        else [],
        partners=list(partner_units_visible_to(user).filter(kind=partner_kind).order_by("name"))
        if partner_kind
        else [],
        compounds=list(Compound.objects.order_by("name")),
    )
    if request.method == "POST" and form.is_valid():
        provider = form.provider_values()
        if "organization" in provider:
            provider["organization"] = access_organization(user, provider["organization"].pk)
        elif "partner" in provider:
            provider["partner"] = access_partner_unit(user, provider["partner"].pk)
        else:
            provider["volunteer"] = access_resident(user, form.cleaned_data["volunteer"])
        try:
            offer = services.offer_create(actor=user, **form.values(), **provider)
        except MatchingError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已登记服务 %(name)s") % {"name": offer.name})
            return redirect("matching:offer_list")
    context = {
        "form": form,
        "provider_type": provider_type,
        "provider_types": ProviderType.choices,
        **_nav(user),
    }
    if form.picker == "volunteer":
        url = reverse("matching:offer_create") + f"?provider_type={provider_type}"
        context.update(
            resident_picker(
                request,
                name="volunteer",
                label=_("志愿者"),
                url=url,
                form=form if form.is_bound else None,
            )
        )
        if wants_partial(request) and request.method == "GET":
            return render_page(
                request, "matching/offer_form.html", "registry/_resident_options.html", context
            )
    return render(request, "matching/offer_form.html", context)


@login_required
def category_list(request):
    """服务类别: the presets and the community's own; a coordinator adds one."""
    user = request.user
    require(user, "matching.manage")
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.category_create(actor=user, name=form.cleaned_data["name"])
        except MatchingError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已添加服务类别 %(name)s") % {"name": category.name})
            return redirect("matching:category_list")
    context = {"categories": list(selectors.categories()), "form": form, **_nav(user)}
    return render(request, "matching/category_list.html", context)


# --- the matching run --------------------------------------------------------------------


@login_required
def run_start(request):
    user = request.user
    require(user, "matching.run")
    if (refused := post_only(request)) is not None:
        return refused
    run = runs.match_run(actor=user)
    messages.success(
        request,
        _("对接完成：%(needs)s 条需求，%(matched)s 条有推荐的服务方")
        % {"needs": run.needs, "matched": run.matched},
    )
    return redirect("matching:run_detail", run_id=run.pk)


@login_required
def run_detail(request, run_id: int):
    """One run: its figures, the proposals to accept and the needs left unmatched."""
    user = request.user
    run = selectors.access_run(user, run_id)
    proposals = Paginator(selectors.run_proposals(run, unmatched=False), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    unmatched = Paginator(selectors.run_proposals(run, unmatched=True), PAGE_SIZE).get_page(
        request.GET.get("upage")
    )
    context = {
        "run": run,
        "page": proposals,
        "unmatched": unmatched,
        "pending": run.proposals.filter(
            status=Proposal.Status.PROPOSED, offer__isnull=False
        ).exists(),
        **_nav(user),
    }
    return render(request, "matching/run_detail.html", context)


@login_required
def run_accept(request, run_id: int):
    """采纳: one proposal (proposal_id) or every pending one of the run."""
    user = request.user
    run = selectors.access_run(user, run_id)
    require(user, "matching.run")
    if (refused := post_only(request)) is not None:
        return refused
    proposal = None
    if "proposal_id" in request.POST:
        proposal_id = _int(request.POST["proposal_id"])
        if proposal_id is None:
            raise Http404
        proposal = selectors.access_proposal(user, proposal_id)
        if proposal.run_id != run.pk:
            raise Http404
    accepted, problems = services.proposals_accept(
        actor=user, run=run, proposal_ids=[proposal.pk] if proposal else None
    )
    if proposal is not None and accepted:
        messages.success(
            request,
            _("已采纳：%(need)s 派给 %(offer)s，已通知服务方")
            % {
                "need": f"{proposal.need.category.name} #{proposal.need_id}",
                "offer": proposal.offer.name,
            },
        )
    elif accepted:
        messages.success(
            request, _("已采纳 %(n)s 条对接建议，已派单并通知服务方") % {"n": accepted}
        )
    if proposal is not None and request.htmx:
        # The row again, saying in it what was done (or why not): the eye is on the row.
        for problem in problems:
            messages.error(request, problem)
        row = selectors.run_proposals(run).get(pk=proposal.pk)
        context = {"p": row, "run": run, "notices": messages.get_messages(request)}
        return render(request, "matching/_proposal_row.html", context)
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        messages.error(request, problem)
    if len(problems) > MAX_PROBLEMS_SHOWN:
        messages.error(
            request,
            _("另有 %(n)s 条未能采纳") % {"n": len(problems) - MAX_PROBLEMS_SHOWN},
        )
    if not accepted and not problems:
        messages.info(request, _("没有待采纳的建议"))
    if proposal is not None and request.POST.get("next") == "need":
        return redirect("matching:need_detail", need_id=proposal.need_id)
    url = reverse("matching:run_detail", kwargs={"run_id": run.pk})
    page = _int(request.POST.get("page"))
    return redirect(f"{url}?page={page}" if page else url)


# --- reports -----------------------------------------------------------------------------


@login_required
def gap_report(request):
    """缺口分析: where needs wait with no capacity, largest gap first."""
    user = request.user
    require(user, "matching.view_stats")
    return render(
        request, "matching/gap_report.html", {"rows": selectors.gap_report(), **_nav(user)}
    )


@login_required
def delivery_stats(request):
    """服务统计: person-times, people served, the share by social organizations."""
    user = request.user
    require(user, "matching.view_stats")
    stats = selectors.delivery_stats()
    types = ProviderType.choices
    total = stats["person_times"]
    by_type = [
        {
            "label": label,
            "n": stats["by_provider_type"].get(value, 0),
            "share": stats["by_provider_type"].get(value, 0) / total * 100 if total else None,
        }
        for value, label in types
    ]
    context = {
        "stats": stats,
        "share_percent": stats["share_by_organizations"] * 100
        if stats["share_by_organizations"] is not None
        else None,
        "by_type": by_type,
        "types": types,
        "by_month": _pivot(stats["by_month"], "month", types),
        "by_category": _pivot(stats["by_category"], "category__name", types),
        **_nav(user),
    }
    return render(request, "matching/delivery_stats.html", context)


def _pivot(rows: list[dict], key: str, types) -> list[dict]:
    """Rows of (key, provider type, n) as one row per key with a count per type."""
    table: dict = {}
    for row in rows:
        entry = table.setdefault(row[key], {"key": row[key], "counts": {}, "total": 0})
        entry["counts"][row["provider_type"]] = row["n"]
        entry["total"] += row["n"]
    return [
        {**entry, "cells": [(label, entry["counts"].get(value, 0)) for value, label in types]}
        for entry in table.values()
    ]
