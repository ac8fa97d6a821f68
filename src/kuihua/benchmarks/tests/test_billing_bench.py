"""`kuihua bench billing` at a tiny scale: it bills, pays, reads and reconciles on its
own fresh database and reports one JSON line."""

import io
import json

from django.core.management import call_command

KEYS = {
    "benchmark",
    "db",
    "compounds",
    "homes",
    "bills",
    "bills_per_s",
    "repeat_created",
    "payments_per_s",
    "queries_per_payment",
    "year_bills",
    "year_bills_per_s",
    "batch_payments",
    "batch_payments_per_s",
    "collection_month",
    "collection_year",
    "collection_queries_constant",
    "reconciled",
}


def test_billing_bench_bills_every_home_once_and_the_books_reconcile():
    out = io.StringIO()

    # the benchmark opens its own temporary database, not the test database
    call_command("bench", "billing", scale=0.001, stdout=out)

    lines = out.getvalue().strip().splitlines()
    figures = json.loads(lines[-1])
    assert set(figures) >= KEYS
    assert figures["benchmark"] == "billing" and figures["db"] == "sqlite"
    assert figures["bills"] == figures["homes"] and figures["repeat_created"] == 0
    # the rest of the year billed for every home, and about 19 bills in 20 paid at once
    assert figures["year_bills"] == 11 * figures["homes"]
    unpaid = 12 * figures["homes"] - figures["payments"]
    assert unpaid - figures["batch_payments"] <= unpaid // 20 + figures["compounds"]
    assert figures["collection_queries_constant"] is True
    for read in (figures["collection_month"], figures["collection_year"]):
        assert {"cold_ms", "warm_ms", "queries", "bills_due"} <= set(read)
    assert figures["collection_year"]["bills_due"] > figures["collection_month"]["bills_due"]
    assert figures["reconciled"] is True
    assert len(lines) > 1  # progress before the JSON line
