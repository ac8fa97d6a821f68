"""The books: ledger entries with evidence, reversals, budget, closing periods, the
books check, and the published statements (公示) residents read, with PDF and Excel.

Every page opens the compound through `selectors.access_books` (or an entry through
`access_entry`): "keep" for the steward assigned to it and the coordinator, "read"
for its residents too (the statement and its PDF). Anything else is a 404.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kuihua.core.errors import ApplicationError
from kuihua.core.pages import apply_service_error, post_only, require
from kuihua.ledger import services as ledger_services
from kuihua.ledger.evidence import evidence_response
from kuihua.ledger.services import month_end
from kuihua.stewards import books_selectors as reads
from kuihua.stewards import services
from kuihua.stewards.books_forms import (
    BudgetForm,
    CategoryForm,
    CloseForm,
    EntryForm,
    ReverseForm,
)
from kuihua.stewards.selectors import KEEP, READ, access_books, access_entry

# The compound's tabs this module serves: (URL name taking compound_id, words, action).
TABS = [
    ("stewards:books_ledger", gettext_lazy("账本"), KEEP),
    ("stewards:books_budget", gettext_lazy("年度预算"), KEEP),
    ("stewards:books_periods", gettext_lazy("结账"), KEEP),
    ("stewards:books_check", gettext_lazy("对账"), KEEP),
    ("stewards:books_statement", gettext_lazy("账目公示"), READ),
]


def _open(request, compound_id: int, action: str):
    books = access_books(request.user, compound_id, action)
    require(request.user, "stewards.keep_books" if action == KEEP else "stewards.view")
    return books


def _month_links(month) -> dict:
    from dateutil.relativedelta import relativedelta

    this_month = timezone.localdate().replace(day=1)
    before = month - relativedelta(months=1)
    after = month + relativedelta(months=1)
    return {
        "month": month,
        "month_param": month.strftime("%Y-%m"),
        "prev_month": before.strftime("%Y-%m"),
        "next_month": after.strftime("%Y-%m") if after <= this_month else "",
    }


# --- the ledger -----------------------------------------------------------------------


@login_required
def ledger(request, compound_id: int):
    """账本: the month's entries, each with category, date, amount, who posted it and
    its evidence."""
    books = _open(request, compound_id, KEEP)
    month = reads.parse_month(request.GET.get("month"))
    rows = reads.month_entries(books, month)
    context = {
        "books": books,
        "compound": books.compound,
        "rows": rows,
        "money_in_fen": sum(r.money_in_fen for r in rows),
        "money_out_fen": sum(r.money_out_fen for r in rows),
        "closed_through": books.ledger.closed_through,
        "on_hand": reads.money_on_hand(books, min(month_end(month), timezone.localdate())),
        **_month_links(month),
    }
    return render(request, "stewards/books/ledger.html", context)


@login_required
def entry_create(request, compound_id: int):
    """记一笔: an income or an expense, with the photo or PDF of its receipt."""
    books = _open(request, compound_id, KEEP)
    form = EntryForm(request.POST or None, request.FILES or None, accounts=reads.categories(books))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.cash_entry_post(
                compound=books.compound,
                account=data["account"],
                amount_fen=data["amount"],
                method=data["method"],
                date=data["date"],
                memo=data["memo"],
                evidence=data["evidence"],
                actor=request.user,
            )
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已记账，凭证号 #%(number)s。") % {"number": entry.number})
            return redirect(
                reverse("stewards:books_ledger", args=[books.compound_id])
                + f"?month={entry.date:%Y-%m}"
            )
    context = {"books": books, "compound": books.compound, "form": form}
    return render(request, "stewards/books/entry_form.html", context)


@login_required
def entry_detail(request, entry_id: int):
    """One entry: its legs, who posted it, its evidence, and its reversal if any."""
    entry = access_entry(request.user, entry_id, KEEP)
    require(request.user, "stewards.keep_books")
    books = entry.ledger.compound_books
    row = reads.entry_row(entry)
    context = {
        "books": books,
        "compound": books.compound,
        "entry": entry,
        "row": row,
        "legs": [
            {
                "account": leg.account,
                "debit_fen": max(leg.amount_fen, 0),
                "credit_fen": max(-leg.amount_fen, 0),
            }
            for leg in entry.legs.all()
        ],
        "payment": getattr(entry, "payment", None),
        "form": ReverseForm() if row.is_cash and not row.reversed_by else None,
    }
    return render(request, "stewards/books/entry_detail.html", context)


@login_required
def entry_reverse(request, entry_id: int):
    """冲销: the entry's opposite, posted today with the reason; the entry stays."""
    entry = access_entry(request.user, entry_id, KEEP)
    require(request.user, "stewards.keep_books")
    if (refused := post_only(request)) is not None:
        return refused
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            reversal = services.cash_entry_reverse(
                entry=entry, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("已冲销：冲销凭证 #%(number)s，原凭证保留在账上。") % {"number": reversal.number},
            )
    else:
        messages.error(request, _("冲销要写明原因。"))
    return redirect("stewards:books_entry", entry_id=entry.pk)


@login_required
def evidence(request, entry_id: int):
    """The evidence of an entry, to those who keep the books only (never a public URL)."""
    entry = access_entry(request.user, entry_id, KEEP)
    require(request.user, "stewards.keep_books")
    return evidence_response(entry, f"entry-{entry.number}")


# --- budget ----------------------------------------------------------------------------


@login_required
def budget(request, compound_id: int):
    """预算执行: each category's budget for the year against what was posted."""
    books = _open(request, compound_id, KEEP)
    year = reads.parse_year(request.GET.get("year") or request.POST.get("year"))
    accounts = books.ledger.accounts.filter(kind__in=["income", "expense"]).order_by("kind", "code")
    form = BudgetForm(request.POST or None, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        try:
            ledger_services.budget_set(
                ledger=books.ledger,
                account=form.cleaned_data["account"],
                year=year,
                amount_fen=form.cleaned_data["amount"],
                actor=request.user,
            )
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("%(year)s 年预算已保存。") % {"year": year})
            return redirect(reverse("stewards:books_budget", args=[compound_id]) + f"?year={year}")
    lines = reads.budget_lines(books, year)
    today = timezone.localdate()
    context = {
        "books": books,
        "compound": books.compound,
        "year": year,
        "years": list(range(today.year, today.year - 5, -1)),
        "lines": lines,
        "form": form,
        "category_form": CategoryForm(),
    }
    return render(request, "stewards/books/budget.html", context)


@login_required
def category_add(request, compound_id: int):
    """新增科目: an income or expense category of the compound's own."""
    books = _open(request, compound_id, KEEP)
    if (refused := post_only(request)) is not None:
        return refused
    form = CategoryForm(request.POST)
    if form.is_valid():
        try:
            created = ledger_services.category_add(
                ledger=books.ledger, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已新增科目“%(name)s”。") % {"name": created.name})
    else:
        messages.error(request, _("请选择收入或支出，并填写科目名称（不超过 40 个字）。"))
    return redirect("stewards:books_budget", compound_id=compound_id)


# --- periods ---------------------------------------------------------------------------


@login_required
def periods(request, compound_id: int):
    """结账: close a month that has ended; nothing dated in it is accepted after."""
    books = _open(request, compound_id, KEEP)
    form = CloseForm(request.POST or None, months=reads.closable_months(books))
    if request.method == "POST" and form.is_valid():
        month = reads.parse_month(form.cleaned_data["month"])
        try:
            ledger_services.period_close(ledger=books.ledger, month=month, actor=request.user)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(month)s 已结账，这个月和以前的账不能再记了。")
                % {"month": month.strftime("%Y-%m")},
            )
            return redirect("stewards:books_periods", compound_id=compound_id)
    context = {
        "books": books,
        "compound": books.compound,
        "closed_through": books.ledger.closed_through,
        "closes": reads.closes(books),
        "form": form,
    }
    return render(request, "stewards/books/periods.html", context)


# --- the books check -------------------------------------------------------------------


@login_required
def books_check(request, compound_id: int):
    """对账: any steward runs it, and sees whether the books balance, the chain of
    entries is intact, and bills, payments and ledger agree to the fen."""
    books = _open(request, compound_id, KEEP)
    health = reads.books_health(books)
    figures = health.reconciliation.figures
    context = {
        "books": books,
        "compound": books.compound,
        "health": health,
        "figures": figures,
        "checked_at": timezone.localtime(),
    }
    return render(request, "stewards/books/check.html", context)


# --- the published statement ----------------------------------------------------------


@login_required
def statement(request, compound_id: int):
    """收支公示: the month's income, expenses by category and balance, and the year's
    collection rate, for the compound's residents to read on a phone."""
    books = _open(request, compound_id, READ)
    month = reads.parse_month(request.GET.get("month"))
    published = reads.published_statement(books, month)
    context = {
        "books": books,
        "compound": books.compound,
        "published": published,
        "stmt": published.statement,
        "coll": published.collection,
        **_month_links(month),
    }
    return render(request, "stewards/books/statement.html", context)


@login_required
def statement_pdf(request, compound_id: int):
    """The month's statement as a printable PDF in Chinese (to pin in the stairwell)."""
    from kuihua.stewards.statement_pdf import render_statement_pdf

    books = _open(request, compound_id, READ)
    month = reads.parse_month(request.GET.get("month"))
    published = reads.published_statement(books, month)
    body = render_statement_pdf(books, published)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="statement-{books.compound_id}-{month:%Y-%m}.pdf"'
    )
    return response


@login_required
def export(request, compound_id: int):
    """导出 Excel: the compound's bills, payments and ledger, one sheet each."""
    from kuihua.stewards.exporting import books_export

    books = _open(request, compound_id, KEEP)
    buffer = io.BytesIO()
    books_export(buffer, books=books, actor=request.user)
    buffer.seek(0)
    name = f"books-{books.compound_id}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


urlpatterns = [
    path("compounds/<int:compound_id>/books/", ledger, name="books_ledger"),
    path("compounds/<int:compound_id>/books/new/", entry_create, name="books_entry_new"),
    path("compounds/<int:compound_id>/books/budget/", budget, name="books_budget"),
    path(
        "compounds/<int:compound_id>/books/categories/",
        category_add,
        name="books_category_add",
    ),
    path("compounds/<int:compound_id>/books/periods/", periods, name="books_periods"),
    path("compounds/<int:compound_id>/books/check/", books_check, name="books_check"),
    path("compounds/<int:compound_id>/books/statement/", statement, name="books_statement"),
    path(
        "compounds/<int:compound_id>/books/statement.pdf",
        statement_pdf,
        name="books_statement_pdf",
    ),
    path("compounds/<int:compound_id>/books/export.xlsx", export, name="books_export"),
    path("books/entries/<int:entry_id>/", entry_detail, name="books_entry"),
    path("books/entries/<int:entry_id>/reverse/", entry_reverse, name="books_entry_reverse"),
    path("books/entries/<int:entry_id>/evidence/", evidence, name="books_evidence"),
]
