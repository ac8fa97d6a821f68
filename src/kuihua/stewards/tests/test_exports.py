"""The books to Excel: bills, payments and the ledger, each row as the steward's own
sheet would have it, amounts in yuan to the fen."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kuihua.core.models import AuditLog
from kuihua.ledger.models import Leg
from kuihua.stewards.models import Bill, Payment
from kuihua.stewards.tests.books_world import books_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def bw(in_community, coordinator):
    return books_world(in_community, coordinator)


def rows(sheet) -> list[dict]:
    headers = [cell.value for cell in sheet[2]]
    return [
        dict(zip(headers, values, strict=True))
        for values in sheet.iter_rows(min_row=3, values_only=True)
    ]


def download(client, bw):
    response = client.get(reverse("stewards:books_export", args=[bw.compound.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_the_export_has_the_bills_payments_and_ledger_of_the_compound(client, bw, other_books):
    client.force_login(bw.steward)

    workbook = download(client, bw)

    assert workbook.sheetnames == ["账单", "收款", "收支账"]
    bills = rows(workbook["账单"])
    assert len(bills) == Bill.objects.filter(compound=bw.compound).count() == 4
    paid = {row["房屋"]: row["已缴（元）"] for row in bills}
    assert paid[bw.world.homes[0].address] == Decimal("30.00")
    assert paid[bw.world.homes[1].address] == Decimal("10.00")
    assert sum(row["欠缴（元）"] for row in bills) == Decimal("80.00")

    payments = rows(workbook["收款"])
    assert [row["收据号"] for row in payments] == [1, 2]
    assert payments[0]["交款人"] == "王秀英" and payments[0]["金额（元）"] == Decimal("30.00")
    assert payments[1]["方式"] == "转账"
    assert Payment.objects.count() > 2  # the other compound's are not in this sheet

    ledger = rows(workbook["收支账"])
    assert len(ledger) == Leg.objects.filter(entry__ledger=bw.books.ledger).count()
    assert sum(row["借方（元）"] or 0 for row in ledger) == sum(
        row["贷方（元）"] or 0 for row in ledger
    )
    cleaning = next(row for row in ledger if row["科目"] == "保洁费")
    assert cleaning["摘要"] == "楼道保洁" and cleaning["借方（元）"] == Decimal("500.50")
    assert cleaning["记账人"] == "义管家老周"
    assert AuditLog.objects.filter(action="stewards.books_export").count() == 1


@pytest.fixture
def other_books(in_community, coordinator):
    return books_world(in_community, coordinator, name="东风小区", username="df")


def test_a_resident_cannot_export_the_books(client, bw):
    client.force_login(bw.resident)

    response = client.get(reverse("stewards:books_export", args=[bw.compound.pk]))

    assert response.status_code == 404
