"""Money in: the area's landing page, steward assignments, fee schedules and hardship,
billing runs, homes and their bills, payments, receipts, refunds, voids, reminders.

Every page opens its compound through `selectors.access_books` (a steward keeps only the
compounds assigned to them; a coordinator all of the community's; a resident reads only
their own compound's public pages and their own home), and every write is a service.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from kuihua.accounts.models import Role, User
from kuihua.core.errors import ApplicationError
from kuihua.core.money import yuan
from kuihua.core.pages import post_only, require
from kuihua.registry.models import Compound, Household
from kuihua.stewards import selectors, services
from kuihua.stewards.forms import (
    AssignForm,
    BillAdjustForm,
    BillingForm,
    BooksOpenForm,
    HardshipForm,
    PaymentForm,
    RefundForm,
    ScheduleForm,
    VoidForm,
)
from kuihua.stewards.models import (
    Bill,
    BillingRun,
    FeeSchedule,
    HardshipDecision,
    HomeCredit,
    Payment,
    Reminder,
    StewardAssignment,
)
from kuihua.stewards.selectors import KEEP, READ

# The compound's tabs this module serves: (URL name taking compound_id, words, action).
TABS = [
    ("stewards:compound", gettext_lazy("概况"), READ),
    ("stewards:homes", gettext_lazy("各户缴费"), KEEP),
    ("stewards:billing", gettext_lazy("开单"), KEEP),
    ("stewards:fees", gettext_lazy("收费标准"), KEEP),
    ("stewards:reminders", gettext_lazy("催缴"), KEEP),
    ("stewards:compound_stewards", pgettext_lazy("list heading", "义管家"), KEEP),
]

# A service names the input at fault by its own words; the forms here by theirs.
FIELDS = {"amount": "amount_fen", "monthly_rate": "monthly_rate_fen"}


def _show_error(form, exc: ApplicationError) -> None:
    """The service's message on the field it names, or above the form (a hidden or
    unknown field: the person cannot act on what they cannot see)."""
    field = FIELDS.get(exc.field, exc.field)
    visible = field in form.fields and not form.fields[field].widget.is_hidden
    form.add_error(field if visible else None, str(exc))


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _keeps(user, compound) -> bool:
    return compound.pk in selectors.kept_compound_ids(user)


# --- the landing page -----------------------------------------------------------------


def _compound_rows(compounds: list[Compound], today: dt.date) -> list[dict]:
    """Each compound with its stewards, this year's collection and its arrears: four
    queries whatever the number of compounds."""
    with_books = [c for c in compounds if hasattr(c, "books")]
    collected = {
        c.compound.pk: c for c in selectors.collections(with_books, today.year, today=today)
    }
    owed = selectors.arrears_totals(with_books, today=today)
    rows = []
    for compound in compounds:
        collection = collected.get(compound.pk)
        fen, homes = owed.get(compound.pk, (0, 0))
        rows.append(
            {
                "compound": compound,
                "has_books": compound.pk in collected,
                "stewards": [a.steward for a in compound.active_assignments],
                "bills_rate": _percent(collection.bills_rate if collection else None),
                "amount_rate": _percent(collection.amount_rate if collection else None),
                "arrears": yuan(fen),
                "arrears_homes": homes,
            }
        )
    return rows


def _with_books_and_stewards(compounds):
    return compounds.select_related("books").prefetch_related(
        Prefetch(
            "steward_assignments",
            queryset=StewardAssignment.objects.filter(until__isnull=True).select_related("steward"),
            to_attr="active_assignments",
        )
    )


@login_required
def home(request):
    """A coordinator: every self-managed compound of the community; a steward: theirs;
    a resident: their own compound's public page and their home's bills."""
    user = request.user
    require(user, "stewards.view")
    today = timezone.localdate()
    kept = selectors.compounds_for(user, KEEP)
    if user.role == Role.COORDINATOR:
        kept = Compound.objects.filter(has_property_company=False).order_by("name")
    rows = _compound_rows(list(_with_books_and_stewards(kept)), today)
    kept_ids = {row["compound"].pk for row in rows}
    with_books = list(selectors.compounds_for(user, READ).filter(books__isnull=False))
    readable = [c for c in with_books if c.pk not in kept_ids]
    context = {
        "rows": rows,
        "readable": readable,
        "readable_ids": {c.pk for c in with_books},
        "my_homes": list(selectors.my_homes(user)),
        "is_coordinator": user.has_perm("stewards.manage"),
        "year": today.year,
    }
    context["keeps_books"] = user.has_perm("stewards.keep_books")
    if not (context["keeps_books"] or rows or readable or context["my_homes"]):
        raise Http404
    return render(request, "stewards/money/home.html", context)


@login_required
def books_open(request, compound_id: int):
    """A coordinator opens the books of a compound without a property company."""
    require(request.user, "stewards.manage")
    compound = selectors.compounds_for(request.user, KEEP).filter(pk=compound_id).first()
    if compound is None:
        raise Http404
    form = BooksOpenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.books_open(
                compound=compound,
                actor=request.user,
                opening_cash_fen=form.cleaned_data["opening_cash_fen"] or 0,
                opening_bank_fen=form.cleaned_data["opening_bank_fen"] or 0,
            )
        except ApplicationError as exc:
            _show_error(form, exc)
        else:
            messages.success(request, _("%(name)s 已建账。") % {"name": compound.name})
            return redirect("stewards:compound", compound_id=compound.pk)
    return render(request, "stewards/money/books_open.html", {"compound": compound, "form": form})


# --- a compound -----------------------------------------------------------------------


@login_required
def compound(request, compound_id: int):
    user = request.user
    books = selectors.access_books(user, compound_id, READ)
    compound = books.compound
    today = timezone.localdate()
    keeps = _keeps(user, compound)
    context = {
        "compound": compound,
        "books": books,
        "keeps": keeps,
        "collection": selectors.collection(compound, today.year, today=today),
        "my_homes": [h for h in selectors.my_homes(user) if h.building.compound_id == compound.pk],
        "year": today.year,
    }
    c = context["collection"]
    context["bills_rate"], context["amount_rate"] = _percent(c.bills_rate), _percent(c.amount_rate)
    if keeps:
        aging = selectors.arrears_aging(compound, today=today)
        context["aging"] = [(label, yuan(fen)) for label, fen in _aging_rows(aging)]
        context["aging_total"] = yuan(aging.total_fen)
        context["aging_homes"] = aging.homes
        context["schedule"] = services.schedule_in_force(compound, today)
        context["stewards"] = StewardAssignment.objects.filter(
            compound=compound, until__isnull=True
        ).select_related("steward")
    return render(request, "stewards/money/compound.html", context)


def _aging_rows(aging) -> list[tuple[str, int]]:
    labels = {
        "0-3": _("3 个月以内"),
        "3-6": _("3 至 6 个月"),
        "6-12": _("6 至 12 个月"),
        "12+": _("12 个月以上"),
    }
    return [(labels[key], aging.buckets[key]) for key in selectors.BUCKETS]


@login_required
def compound_stewards(request, compound_id: int):
    """Who keeps the compound's books; a coordinator assigns and releases stewards."""
    user = request.user
    books = selectors.access_books(user, compound_id, KEEP)
    compound = books.compound
    can_manage = user.has_perm("stewards.manage")
    assignments = StewardAssignment.objects.filter(compound=compound).select_related(
        "steward", "assigned_by"
    )
    active = [a for a in assignments if a.until is None]
    form = None
    if can_manage:
        candidates = (
            User.objects.filter(
                community_id=compound.community_id, role=Role.STEWARD, is_active=True
            )
            .exclude(pk__in=[a.steward_id for a in active])
            .order_by("display_name", "username")
        )
        form = AssignForm(request.POST if request.method == "POST" else None, stewards=candidates)
        if request.method == "POST" and form.is_valid():
            steward = form.cleaned_data["steward"]
            try:
                services.steward_assign(compound=compound, steward=steward, actor=user)
            except ApplicationError as exc:
                _show_error(form, exc)
            else:
                messages.success(
                    request,
                    _("已请 %(name)s 管 %(compound)s 的账。")
                    % {"name": steward, "compound": compound.name},
                )
                return redirect("stewards:compound_stewards", compound_id=compound.pk)
    elif request.method == "POST":
        raise Http404
    context = {
        "compound": compound,
        "active": active,
        "past": [a for a in assignments if a.until is not None],
        "form": form,
        "can_manage": can_manage,
    }
    return render(request, "stewards/money/stewards.html", context)


@login_required
def assignment_release(request, assignment_id: int):
    require(request.user, "stewards.manage")
    assignment = (
        StewardAssignment.objects.select_related("compound", "steward")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        raise Http404
    selectors.access_books(request.user, assignment.compound_id, KEEP)
    if (refused := post_only(request)) is not None:
        return refused
    try:
        services.steward_release(assignment=assignment, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(name)s 不再管 %(compound)s 的账了。")
            % {"name": assignment.steward, "compound": assignment.compound.name},
        )
    return redirect("stewards:compound_stewards", compound_id=assignment.compound_id)


# --- fees and hardship ----------------------------------------------------------------


@login_required
def fees(request, compound_id: int):
    """The fee schedule in force and its history; a coordinator sets a new one and
    decides which homes count as hardship households."""
    user = request.user
    books = selectors.access_books(user, compound_id, KEEP)
    compound = books.compound
    can_manage = user.has_perm("stewards.manage")
    form = None
    if can_manage:
        form = ScheduleForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.schedule_set(compound=compound, actor=user, **form.cleaned_data)
            except ApplicationError as exc:
                _show_error(form, exc)
            else:
                messages.success(request, _("新的收费标准已设定。"))
                return redirect("stewards:fees", compound_id=compound.pk)
    elif request.method == "POST":
        raise Http404
    today = timezone.localdate()
    hardship = services.hardship_homes(compound)
    decisions = {
        d.household_id: d
        for d in HardshipDecision.objects.filter(household__building__compound=compound)
    }
    ids = set(hardship) | set(decisions)
    homes = Household.objects.filter(pk__in=ids).select_related("building__compound")
    context = {
        "compound": compound,
        "in_force": services.schedule_in_force(compound, today),
        "schedules": FeeSchedule.objects.filter(compound=compound).select_related("created_by"),
        "form": form,
        "can_manage": can_manage,
        "hardship_rows": [
            {
                "home": home,
                "is_hardship": home.pk in hardship,
                "reason": hardship.get(home.pk) or decisions[home.pk].reason,
                "decision": decisions.get(home.pk),
            }
            for home in homes
        ],
    }
    return render(request, "stewards/money/fees.html", context)


@login_required
def hardship(request, compound_id: int, household_id: int):
    """A coordinator's word on one home's hardship status, with the reason."""
    user = request.user
    require(user, "stewards.manage")
    books = selectors.access_books(user, compound_id, KEEP)
    home = selectors.access_home(user, books.compound, household_id, KEEP)
    current = services.hardship_homes(books.compound)
    form = HardshipForm(
        request.POST if request.method == "POST" else None,
        initial={"is_hardship": "1" if home.pk in current else "0"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.hardship_decide(household=home, actor=user, **form.cleaned_data)
        except ApplicationError as exc:
            _show_error(form, exc)
        else:
            messages.success(request, _("已记下 %(home)s 的认定。") % {"home": home.address})
            return redirect("stewards:fees", compound_id=books.compound_id)
    context = {
        "compound": books.compound,
        "home": home,
        "form": form,
        "reason_now": current.get(home.pk, ""),
    }
    return render(request, "stewards/money/hardship.html", context)


# --- billing --------------------------------------------------------------------------


def _period_label(frequency: str, start: dt.date) -> str:
    if frequency == FeeSchedule.Frequency.YEARLY:
        return _("%(y)s 年") % {"y": start.year}
    if frequency == FeeSchedule.Frequency.QUARTERLY:
        return _("%(y)s 年第 %(q)s 季度") % {"y": start.year, "q": (start.month - 1) // 3 + 1}
    return _("%(y)s 年 %(m)s 月") % {"y": start.year, "m": start.month}


def _periods(schedule: FeeSchedule, today: dt.date) -> list[tuple[dt.date, str]]:
    """The periods a steward may bill: the next one, this one and the eleven before,
    as far back as the schedule goes."""
    months = services.PERIOD_MONTHS[schedule.frequency]
    this = services.period_bounds(schedule.frequency, today)[0]
    first = FeeSchedule.objects.filter(compound_id=schedule.compound_id).order_by("starts_on")
    earliest = first.values_list("starts_on", flat=True).first() or this
    starts = [this + relativedelta(months=months * k) for k in range(1, -12, -1)]
    return [(s, _period_label(schedule.frequency, s)) for s in starts if s >= earliest]


@login_required
def billing(request, compound_id: int):
    """Bill every home for a period; a second run (or a double submit) bills nobody twice."""
    user = request.user
    books = selectors.access_books(user, compound_id, KEEP)
    compound = books.compound
    today = timezone.localdate()
    schedule = services.schedule_in_force(compound, today)
    form = None
    if schedule is not None:
        periods = _periods(schedule, today)
        this = services.period_bounds(schedule.frequency, today)[0]
        form = BillingForm(
            request.POST if request.method == "POST" else None,
            periods=periods,
            initial={"period_start": this.isoformat()},
        )
        if request.method == "POST" and form.is_valid():
            start = dt.date.fromisoformat(form.cleaned_data["period_start"])
            try:
                run = services.billing_run(compound=compound, period_start=start, actor=user)
            except ApplicationError as exc:
                _show_error(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "%(period)s：新开 %(created)s 张账单，"
                        "%(skipped)s 户本期已有账单，没有重复开。"
                    )
                    % {
                        "period": _period_label(run.schedule.frequency, run.period_start),
                        "created": run.created,
                        "skipped": run.skipped,
                    },
                )
                if run.unmeasured:
                    messages.warning(
                        request,
                        _("%(n)s 户没有登记专有面积，这次没有开单；补上面积后再开一次即可。")
                        % {"n": run.unmeasured},
                    )
                return redirect("stewards:billing", compound_id=compound.pk)
    elif request.method == "POST":
        messages.error(request, _("还没有收费标准，请社区工作者先设定收费标准。"))
        return redirect("stewards:billing", compound_id=compound.pk)
    unmeasured = []
    if schedule is not None and schedule.basis == FeeSchedule.Basis.PER_M2:
        unmeasured = list(
            Household.objects.filter(
                building__compound=compound, exclusive_area__isnull=True
            ).select_related("building__compound")
        )
    context = {
        "compound": compound,
        "schedule": schedule,
        "form": form,
        "runs": BillingRun.objects.filter(compound=compound).select_related(
            "started_by", "schedule"
        )[:12],
        "unmeasured": unmeasured,
    }
    return render(request, "stewards/money/billing.html", context)


# --- homes and bills ------------------------------------------------------------------


@login_required
def homes(request, compound_id: int):
    """Every home of the compound with what it owes past due and its credit, and the
    arrears by age. A constant number of queries whatever the number of homes."""
    user = request.user
    books = selectors.access_books(user, compound_id, KEEP)
    compound = books.compound
    today = timezone.localdate()
    owing = {row.household.pk: row for row in selectors.arrears_by_home(compound, today=today)}
    credits = dict(
        HomeCredit.objects.filter(compound=compound, balance_fen__gt=0).values_list(
            "household_id", "balance_fen"
        )
    )
    only_owing = request.GET.get("owing") == "1"
    households = Household.objects.filter(building__compound=compound).select_related(
        "building__compound"
    )
    if only_owing:
        households = households.filter(pk__in=list(owing))
    rows = [
        {
            "home": home,
            "arrears": yuan(owing[home.pk].outstanding_fen) if home.pk in owing else "",
            "since": owing[home.pk].oldest_due if home.pk in owing else None,
            "credit": yuan(credits[home.pk]) if home.pk in credits else "",
        }
        for home in households.order_by("building__name", "unit", "room")
    ]
    aging = selectors.arrears_aging(compound, today=today)
    context = {
        "compound": compound,
        "rows": rows,
        "only_owing": only_owing,
        "aging": [(label, yuan(fen)) for label, fen in _aging_rows(aging)],
        "aging_total": yuan(aging.total_fen),
        "aging_homes": aging.homes,
    }
    return render(request, "stewards/money/homes.html", context)


def _home_context(user, compound, home) -> dict:
    bills = list(
        Bill.objects.filter(household=home).select_related("schedule").order_by("-period_start")
    )
    today = timezone.localdate()
    return {
        "compound": compound,
        "home": home,
        "keeps": _keeps(user, compound),
        "bills": [
            {
                "bill": b,
                "outstanding": yuan(b.outstanding_fen),
                "overdue": b.outstanding_fen > 0 and b.due_date < today,
            }
            for b in bills
        ],
        "owed": yuan(sum(b.outstanding_fen for b in bills)),
        "overdue": yuan(
            sum(b.outstanding_fen for b in bills if b.due_date < today and b.outstanding_fen > 0)
        ),
        "credit": yuan(services.home_credit(home)),
        "payments": Payment.objects.filter(household=home).order_by("-received_on", "-receipt_no"),
    }


@login_required
def home_detail(request, compound_id: int, household_id: int):
    """A home's bills, payments and credit: a steward's view, or the resident's own."""
    user = request.user
    books = selectors.access_books(user, compound_id, READ)
    home = selectors.access_home(user, books.compound, household_id, READ)
    return render(
        request, "stewards/money/home_detail.html", _home_context(user, books.compound, home)
    )


@login_required
def payment_record(request, compound_id: int, household_id: int):
    """Record money received from a home. The form carries the key it was rendered with,
    so a double tap or a resubmit records once and shows the same receipt."""
    user = request.user
    require(user, "stewards.keep_books")
    books = selectors.access_books(user, compound_id, KEEP)
    home = selectors.access_home(user, books.compound, household_id, KEEP)
    form = PaymentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # a date typed by hand: the same bounds as the API's
            services.received_on_check(data["received_on"])
            payment, created = services.payment_record(
                compound=books.compound,
                household=home,
                amount_fen=data["amount_fen"],
                method=data["method"],
                idempotency_key=data["idempotency_key"],
                actor=user,
                received_on=data["received_on"],
                payer_name=data["payer_name"],
                note=data["note"],
            )
        except ApplicationError as exc:
            _show_error(form, exc)
            if exc.field == "idempotency_key":
                form = _fresh(form, PaymentForm)
        else:
            if created:
                messages.success(
                    request,
                    _("已收 %(home)s %(amount)s 元，收据号 %(no)s。")
                    % {
                        "home": home.address,
                        "amount": yuan(payment.amount_fen),
                        "no": receipt_number(payment),
                    },
                )
            else:
                messages.info(
                    request,
                    _("这笔收款已经登记过了（收据号 %(no)s），没有重复记账。")
                    % {"no": receipt_number(payment)},
                )
            return redirect("stewards:receipt", payment_id=payment.pk)
    context = _home_context(user, books.compound, home)
    context["form"] = form
    context["unpaid"] = [row for row in reversed(context["bills"]) if row["bill"].outstanding_fen]
    return render(request, "stewards/money/payment_form.html", context)


def _fresh(form, form_class):
    """The same answers with a new key and the errors kept (after a key was refused)."""
    data = form.data.copy()
    data["idempotency_key"] = form_class().initial["idempotency_key"]
    fresh = form_class(data)
    fresh.is_valid()
    for field, errors in form.errors.items():
        for error in errors:
            if error not in fresh.errors.get(field, []):
                fresh.add_error(field if field != "__all__" else None, error)
    return fresh


@login_required
def refund(request, compound_id: int, household_id: int):
    """Pay back part or all of a home's credit (预存), with a numbered voucher."""
    user = request.user
    require(user, "stewards.keep_books")
    books = selectors.access_books(user, compound_id, KEEP)
    home = selectors.access_home(user, books.compound, household_id, KEEP)
    form = RefundForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment, created = services.refund_record(
                compound=books.compound,
                household=home,
                amount_fen=data["amount_fen"],
                method=data["method"],
                idempotency_key=data["idempotency_key"],
                actor=user,
                reason=data["reason"],
            )
        except ApplicationError as exc:
            _show_error(form, exc)
            if exc.field == "idempotency_key":
                form = _fresh(form, RefundForm)
        else:
            if created:
                messages.success(
                    request,
                    _("已退 %(home)s 预存款 %(amount)s 元，凭证号 %(no)s。")
                    % {
                        "home": home.address,
                        "amount": yuan(payment.amount_fen),
                        "no": receipt_number(payment),
                    },
                )
            else:
                messages.info(
                    request,
                    _("这笔退款已经登记过了（凭证号 %(no)s），没有重复记账。")
                    % {"no": receipt_number(payment)},
                )
            return redirect("stewards:receipt", payment_id=payment.pk)
    context = _home_context(user, books.compound, home)
    context["form"] = form
    return render(request, "stewards/money/refund_form.html", context)


@login_required
def bill_detail(request, bill_id: int):
    """A bill, how it was settled and its change history; a steward adjusts it with a reason."""
    user = request.user
    bill = selectors.access_bill(user, bill_id, READ)
    compound = bill.household.building.compound
    selectors.access_home(user, compound, bill.household_id, READ)
    keeps = _keeps(user, compound)
    form = None
    if keeps:
        form = BillAdjustForm(
            request.POST if request.method == "POST" else None,
            initial={"amount_fen": bill.amount_fen},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.bill_adjust(bill=bill, actor=user, **form.cleaned_data)
            except ApplicationError as exc:
                _show_error(form, exc)
            else:
                messages.success(request, _("账单已修改，原金额和理由已留底。"))
                return redirect("stewards:bill_detail", bill_id=bill.pk)
    elif request.method == "POST":
        raise Http404
    context = {
        "compound": compound,
        "bill": bill,
        "home": bill.household,
        "keeps": keeps,
        "form": form,
        "changes": bill.changes.select_related("changed_by"),
        "allocations": bill.allocations.select_related("payment").order_by("id"),
        "outstanding": yuan(bill.outstanding_fen),
    }
    return render(request, "stewards/money/bill_detail.html", context)


# --- receipts, voids ------------------------------------------------------------------


def receipt_number(payment: Payment) -> str:
    """The number printed on a receipt: the compound's prefix and its sequence."""
    return f"{payment.compound.books.receipt_prefix}-{payment.receipt_no:06d}"


@login_required
def receipt(request, payment_id: int):
    """A payment's receipt (收据), or a refund's voucher, printable."""
    user = request.user
    payment = selectors.access_payment(user, payment_id, READ)
    allocations = payment.allocations.select_related("bill").order_by("bill__period_start")
    context = {
        "payment": payment,
        "compound": payment.compound,
        "number": receipt_number(payment),
        "allocations": allocations,
        "to_credit": yuan(
            payment.amount_fen - sum(a.amount_fen for a in allocations)
            if payment.kind == Payment.Kind.PAYMENT
            else 0
        ),
        "keeps": _keeps(user, payment.compound),
    }
    return render(request, "stewards/money/receipt.html", context)


@login_required
def payment_void(request, payment_id: int):
    """Void a payment recorded in error, with the reason; its receipt number stays used."""
    user = request.user
    require(user, "stewards.keep_books")
    payment = selectors.access_payment(user, payment_id, KEEP)
    form = VoidForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_void(payment=payment, actor=user, **form.cleaned_data)
        except ApplicationError as exc:
            _show_error(form, exc)
        else:
            messages.success(
                request, _("收据 %(no)s 已作废，已记冲销凭证。") % {"no": receipt_number(payment)}
            )
            return redirect("stewards:receipt", payment_id=payment.pk)
    context = {
        "payment": payment,
        "compound": payment.compound,
        "number": receipt_number(payment),
        "form": form,
    }
    return render(request, "stewards/money/void_form.html", context)


# --- reminders ------------------------------------------------------------------------


@login_required
def reminders(request, compound_id: int):
    """Remind the homes in arrears: by notification to those with an account, by SMS to
    the others. Never a penalty."""
    user = request.user
    books = selectors.access_books(user, compound_id, KEEP)
    compound = books.compound
    if request.method == "POST":
        counts = services.reminders_send(compound=compound, actor=user)
        sent = sum(counts.get(c, 0) for c in Reminder.Channel.values)
        if not sent:
            messages.info(request, _("没有需要提醒的欠费户（7 天内提醒过的不再重复发）。"))
        else:
            messages.success(
                request,
                _(
                    "已提醒 %(n)s 户：站内通知 %(notification)s 户，短信 %(sms)s 户，"
                    "无法联系 %(none)s 户。"
                )
                % {
                    "n": sent,
                    "notification": counts.get(Reminder.Channel.NOTIFICATION, 0),
                    "sms": counts.get(Reminder.Channel.SMS, 0),
                    "none": counts.get(Reminder.Channel.NONE, 0),
                },
            )
        return redirect("stewards:reminders", compound_id=compound.pk)
    owing = selectors.arrears_by_home(compound)
    sent = (
        Reminder.objects.filter(compound=compound)
        .select_related("household__building__compound", "sent_by")
        .order_by("-sent_at", "-id")[:50]
    )
    context = {
        "compound": compound,
        "owing_homes": len(owing),
        "owing_total": yuan(sum(r.outstanding_fen for r in owing)),
        "sent": sent,
    }
    return render(request, "stewards/money/reminders.html", context)


urlpatterns = [
    path("", home, name="home"),
    path("compounds/<int:compound_id>/", compound, name="compound"),
    path("compounds/<int:compound_id>/open/", books_open, name="books_open"),
    path("compounds/<int:compound_id>/stewards/", compound_stewards, name="compound_stewards"),
    path("assignments/<int:assignment_id>/release/", assignment_release, name="assignment_release"),
    path("compounds/<int:compound_id>/fees/", fees, name="fees"),
    path(
        "compounds/<int:compound_id>/homes/<int:household_id>/hardship/",
        hardship,
        name="hardship",
    ),
    path("compounds/<int:compound_id>/billing/", billing, name="billing"),
    path("compounds/<int:compound_id>/homes/", homes, name="homes"),
    path("compounds/<int:compound_id>/homes/<int:household_id>/", home_detail, name="home_detail"),
    path(
        "compounds/<int:compound_id>/homes/<int:household_id>/pay/",
        payment_record,
        name="payment_record",
    ),
    path("compounds/<int:compound_id>/homes/<int:household_id>/refund/", refund, name="refund"),
    path("bills/<int:bill_id>/", bill_detail, name="bill_detail"),
    path("payments/<int:payment_id>/", receipt, name="receipt"),
    path("payments/<int:payment_id>/void/", payment_void, name="payment_void"),
    path("compounds/<int:compound_id>/reminders/", reminders, name="reminders"),
]
