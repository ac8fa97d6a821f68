"""The books pages as a steward, a coordinator and a resident use them: the ledger with
its evidence, reversals, budget, closing a month, the books check and the published
statement, and nobody else's compound."""

from __future__ import annotations

import pytest
from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kuihua.ledger.models import Entry
from kuihua.ledger.services import account
from kuihua.stewards.tests.books_world import PNG, books_world, png

pytestmark = pytest.mark.django_db

KEEP_PAGES = [
    "stewards:books_ledger",
    "stewards:books_entry_new",
    "stewards:books_budget",
    "stewards:books_periods",
    "stewards:books_check",
    "stewards:books_export",
]
READ_PAGES = ["stewards:books_statement", "stewards:books_statement_pdf"]


@pytest.fixture
def bw(in_community, coordinator):
    return books_world(in_community, coordinator)


@pytest.fixture
def other(in_community, coordinator):
    """Another self-managed compound of the same community, its steward and a resident."""
    return books_world(in_community, coordinator, name="东风小区", username="df")


def month_param(day) -> str:
    return day.strftime("%Y-%m")


def entry_urls(entry) -> list[str]:
    return [
        reverse("stewards:books_entry", args=[entry.pk]),
        reverse("stewards:books_evidence", args=[entry.pk]),
    ]


# --- who sees what ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["steward", "coordinator"])
def test_the_steward_and_the_coordinator_open_every_books_page(client, bw, coordinator, who):
    client.force_login(bw.steward if who == "steward" else coordinator)
    urls = [reverse(name, args=[bw.compound.pk]) for name in KEEP_PAGES + READ_PAGES]

    statuses = {url: client.get(url).status_code for url in urls + entry_urls(bw.expense)}

    assert set(statuses.values()) == {200}, statuses


def test_a_resident_reads_the_statement_and_nothing_else_of_the_books(client, bw):
    client.force_login(bw.resident)

    readable = [client.get(reverse(n, args=[bw.compound.pk])).status_code for n in READ_PAGES]
    hidden = [client.get(reverse(n, args=[bw.compound.pk])).status_code for n in KEEP_PAGES]
    hidden += [client.get(url).status_code for url in entry_urls(bw.expense)]
    hidden.append(
        client.post(reverse("stewards:books_entry_new", args=[bw.compound.pk])).status_code
    )

    assert readable == [200, 200]
    assert set(hidden) == {404}


def test_another_compounds_steward_and_resident_get_404(client, bw, other):
    for user in (other.steward, other.resident):
        client.force_login(user)
        urls = [reverse(n, args=[bw.compound.pk]) for n in KEEP_PAGES + READ_PAGES]
        urls += [
            *entry_urls(bw.expense),
            reverse("stewards:books_entry_reverse", args=[bw.expense.pk]),
        ]
        statuses = {url: client.get(url).status_code for url in urls}
        statuses |= {f"POST {url}": client.post(url).status_code for url in urls}

        assert set(statuses.values()) == {404}, (user.username, statuses)


def test_the_tabs_show_a_resident_only_the_statement(client, bw):
    client.force_login(bw.resident)

    html = client.get(reverse("stewards:books_statement", args=[bw.compound.pk])).content.decode()

    assert "账目公示" in html
    ledger = reverse("stewards:books_ledger", args=[bw.compound.pk])
    assert f'href="{ledger}"' not in html and "对账" not in html and "年度预算" not in html


# --- the ledger and evidence ---------------------------------------------------------------


def test_the_ledger_lists_the_months_entries_with_category_amount_who_and_evidence(client, bw):
    client.force_login(bw.steward)

    html = client.get(
        reverse("stewards:books_ledger", args=[bw.compound.pk]), {"month": month_param(bw.month)}
    ).content.decode()

    assert "楼道保洁" in html and "保洁费" in html and "500.50" in html
    assert "停车位租金" in html and "1,200.00" in html
    assert "义管家老周" in html  # who posted
    assert reverse("stewards:books_evidence", args=[bw.expense.pk]) in html
    assert "物业费（收据 1）" in html  # the payment's entry names its receipt
    # cash: 100.00 + 30.00 - 500.50 - 300.00; bank: 10.00 + 1,200.00
    assert "现金 -670.50 元，银行存款 1,210.00 元" in html


def test_a_steward_posts_an_expense_with_a_photo_and_only_keepers_open_the_photo(client, bw, other):
    client.force_login(bw.steward)
    expense = account(bw.books.ledger, "5002")

    response = client.post(
        reverse("stewards:books_entry_new", args=[bw.compound.pk]),
        {
            "account": expense.pk,
            "amount": "88.80",
            "method": "cash",
            "date": timezone.localdate().isoformat(),
            "memo": "修剪绿化",
            "evidence": png("IMG_0001.png"),
        },
        follow=True,
    )

    html = response.content.decode()
    assert "已记账" in html and "修剪绿化" in html and "88.80" in html
    entry = Entry.objects.get(memo="修剪绿化")
    assert "IMG_0001" not in entry.evidence.name  # stored under a name of our own
    photo = client.get(reverse("stewards:books_evidence", args=[entry.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert b"".join(photo.streaming_content) == PNG
    client.force_login(other.steward)
    assert client.get(reverse("stewards:books_evidence", args=[entry.pk])).status_code == 404


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (SimpleUploadedFile("receipt.jpg", b"just some text, not a photo"), "只能是照片"),
        (SimpleUploadedFile("big.pdf", b"%PDF-1.4" + b"0" * (10 * 1024 * 1024)), "太大"),
    ],
    ids=["not-a-photo", "too-big"],
)
def test_a_bad_evidence_file_is_refused_with_a_clear_message(client, bw, upload, words):
    client.force_login(bw.steward)
    before = Entry.objects.count()

    response = client.post(
        reverse("stewards:books_entry_new", args=[bw.compound.pk]),
        {
            "account": account(bw.books.ledger, "5003").pk,
            "amount": "20",
            "method": "cash",
            "date": timezone.localdate().isoformat(),
            "memo": "换锁",
            "evidence": upload,
        },
    )

    assert response.status_code == 200
    assert words in response.content.decode()
    assert Entry.objects.count() == before


def test_fee_income_is_not_offered_as_a_category(client, bw):
    client.force_login(bw.steward)

    html = client.get(reverse("stewards:books_entry_new", args=[bw.compound.pk])).content.decode()

    assert "停车费收入" in html and "保洁费" in html
    assert "物业服务费收入" not in html


# --- reversals ---------------------------------------------------------------------------


def test_a_reversal_keeps_the_entry_and_shows_both(client, bw):
    client.force_login(bw.steward)

    response = client.post(
        reverse("stewards:books_entry_reverse", args=[bw.expense.pk]),
        {"reason": "金额记错了"},
        follow=True,
    )

    html = response.content.decode()
    assert "已冲销" in html and "金额记错了" in html
    reversal = Entry.objects.get(reverses=bw.expense)
    ledger = client.get(
        reverse("stewards:books_ledger", args=[bw.compound.pk]),
        {"month": month_param(reversal.date)},
    ).content.decode()
    assert f"#{reversal.number}" in ledger and "冲销 #" in ledger
    again = client.get(reverse("stewards:books_entry", args=[bw.expense.pk])).content.decode()
    assert "冲销这笔" not in again  # reversed once, never twice


def test_a_payments_entry_is_not_reversed_here_but_points_to_voiding_the_payment(client, bw):
    client.force_login(bw.steward)
    detail = client.get(reverse("stewards:books_entry", args=[bw.fee_entry.pk])).content.decode()

    response = client.post(
        reverse("stewards:books_entry_reverse", args=[bw.fee_entry.pk]),
        {"reason": "记错了"},
        follow=True,
    )

    assert "作废这笔缴费" in detail and "冲销这笔" not in detail
    assert "作废" in response.content.decode()
    assert not Entry.objects.filter(reverses=bw.fee_entry).exists()


# --- periods --------------------------------------------------------------------------------


def test_after_a_month_is_closed_an_entry_dated_in_it_is_refused(client, bw):
    client.force_login(bw.steward)
    last_month = timezone.localdate().replace(day=1) - relativedelta(months=1)

    closed = client.post(
        reverse("stewards:books_periods", args=[bw.compound.pk]),
        {"month": month_param(last_month)},
        follow=True,
    ).content.decode()
    refused = client.post(
        reverse("stewards:books_entry_new", args=[bw.compound.pk]),
        {
            "account": account(bw.books.ledger, "5003").pk,
            "amount": "20",
            "method": "cash",
            "date": last_month.isoformat(),
            "memo": "补记换锁",
        },
    ).content.decode()

    assert "已结账" in closed and month_param(last_month) in closed
    assert "已经结账，不能再记账" in refused
    assert not Entry.objects.filter(memo="补记换锁").exists()


def test_the_current_month_cannot_be_closed_from_the_page(client, bw):
    client.force_login(bw.steward)

    html = client.get(reverse("stewards:books_periods", args=[bw.compound.pk])).content.decode()

    assert month_param(timezone.localdate()) not in html
    assert "结账" in html


# --- budget ---------------------------------------------------------------------------------


def test_a_budget_is_set_and_read_against_what_was_spent(client, bw):
    client.force_login(bw.steward)
    year = bw.month.year
    cleaning = account(bw.books.ledger, "5001")

    html = client.post(
        reverse("stewards:books_budget", args=[bw.compound.pk]) + f"?year={year}",
        {"year": year, "account": cleaning.pk, "amount": "6000"},
        follow=True,
    ).content.decode()

    assert "预算已保存" in html
    assert "6,000.00" in html and "500.50" in html and "5,499.50" in html


# --- the books check ----------------------------------------------------------------------


def test_any_steward_runs_the_books_check_and_sees_the_books_are_right(client, bw):
    client.force_login(bw.steward)

    html = client.get(reverse("stewards:books_check", args=[bw.compound.pk])).content.decode()

    assert "账目无误" in html
    assert "⚠" not in html
    assert "40.00" in html  # fee income = what the bills were paid


# --- the published statement --------------------------------------------------------------


def test_the_statement_shows_the_months_figures_as_counted_by_hand(client, bw):
    client.force_login(bw.resident)

    html = client.get(
        reverse("stewards:books_statement", args=[bw.compound.pk]),
        {"month": month_param(bw.month)},
    ).content.decode()

    assert "100.00" in html  # opening
    assert "1,240.00" in html  # income: fees 40.00 + parking 1,200.00
    assert "物业服务费收入" in html and "停车费收入" in html
    assert "800.50" in html  # expenses: 500.50 + 300.00
    assert "保洁费" in html and "维修维护" in html
    assert "539.50" in html  # closing
    assert "25.0%" in html and "33.3%" in html  # 1 of 4 bills; 40 of 120 yuan
    assert "楼道保洁" not in html  # categories, not who bought what
    assert "王秀英" not in html  # no payer's name on a public notice


@pytest.mark.parametrize("typed", ["2026-13", "9999-12", "0001-01", "三月", "2026-1-1"])
def test_an_unreadable_month_shows_this_month(client, bw, typed):
    client.force_login(bw.resident)

    response = client.get(
        reverse("stewards:books_statement", args=[bw.compound.pk]), {"month": typed}
    )

    assert response.status_code == 200
    assert (
        f"{timezone.localdate().year}年{timezone.localdate().month}月" in response.content.decode()
    )


# --- query counts -------------------------------------------------------------------------


def test_the_ledger_and_the_statement_take_the_same_queries_for_many_entries(client, bw):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kuihua.stewards import services

    client.force_login(bw.steward)
    pages = [
        reverse(name, args=[bw.compound.pk])
        for name in ("stewards:books_ledger", "stewards:books_statement")
    ]

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"month": month_param(bw.month)}).status_code == 200
        return len(queries)

    before = [count(url) for url in pages]
    for n in range(20):
        services.cash_entry_post(
            compound=bw.compound,
            account=account(bw.books.ledger, "5009" if n % 2 else "4003"),
            amount_fen=100 + n,
            method="cash",
            date=bw.month.replace(day=20),
            memo=f"零星收支 {n}",
            actor=bw.steward,
            evidence=png() if n % 3 == 0 else None,
        )
    after = [count(url) for url in pages]

    assert after == before


def test_a_steward_adds_a_category_and_posts_to_it(client, bw):
    client.force_login(bw.steward)

    added = client.post(
        reverse("stewards:books_category_add", args=[bw.compound.pk]),
        {"kind": "expense", "name": "电梯维保"},
        follow=True,
    ).content.decode()
    twice = client.post(
        reverse("stewards:books_category_add", args=[bw.compound.pk]),
        {"kind": "expense", "name": "电梯维保"},
        follow=True,
    ).content.decode()
    form = client.get(reverse("stewards:books_entry_new", args=[bw.compound.pk])).content.decode()

    assert "已新增科目“电梯维保”" in added
    assert "已经有这个科目了" in twice
    assert "电梯维保" in form


def test_a_pdf_receipt_is_accepted_and_served_as_a_pdf(client, bw):
    client.force_login(bw.steward)
    receipt = SimpleUploadedFile("发票.pdf", b"%PDF-1.4\n%fake but a PDF's first bytes\n")

    client.post(
        reverse("stewards:books_entry_new", args=[bw.compound.pk]),
        {
            "account": account(bw.books.ledger, "5004").pk,
            "amount": "312.40",
            "method": "transfer",
            "date": timezone.localdate().isoformat(),
            "memo": "公共照明电费",
            "evidence": receipt,
        },
    )

    entry = Entry.objects.get(memo="公共照明电费")
    served = client.get(reverse("stewards:books_evidence", args=[entry.pk]))
    assert served["Content-Type"] == "application/pdf"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in served["Cache-Control"]


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpg"),
        (PNG[:16], "png"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "heic"),
        (b"%PDF-1.7\n", "pdf"),
        (b"<html><script>", None),
        (b"PK\x03\x04", None),  # a .docx or .xlsx named receipt.jpg
    ],
)
def test_evidence_is_recognised_by_its_first_bytes_not_its_name(head, kind):
    from kuihua.ledger.evidence import evidence_kind

    assert evidence_kind(head) == kind
