"""A compound's books to .xlsx: its bills, its payments and its ledger, one sheet each.

Amounts are numbers in yuan with two places (from whole fen, `core.money.fen_to_decimal`),
dates real Excel dates, text that looks like a formula kept as text. The sheet carries
no ID numbers or phones; payers' names are the stewards' own records. Every export
writes one `stewards.books_export` AuditLog entry.
"""

from __future__ import annotations

from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from kuihua.core.audit import audit
from kuihua.core.money import fen_to_decimal
from kuihua.registry.exporting import DATE, append_row, format_columns, new_sheet
from kuihua.stewards import books_selectors as reads
from kuihua.stewards.models import CompoundBooks, Payment

YUAN = "#,##0.00"

BILL_HEADERS = [
    "房屋",
    "账期开始",
    "账期结束",
    "缴费期限",
    "应收（元）",
    "减免（元）",
    "减免理由",
    "应缴（元）",
    "已缴（元）",
    "欠缴（元）",
    "修改次数",
]
PAYMENT_HEADERS = [
    "收据号",
    "收款日期",
    "房屋",
    "类别",
    "方式",
    "金额（元）",
    "交款人",
    "经手人",
    "备注",
    "作废原因",
]
LEDGER_HEADERS = [
    "凭证号",
    "日期",
    "摘要",
    "科目代码",
    "科目",
    "借方（元）",
    "贷方（元）",
    "记账人",
    "冲销的凭证",
    "冲销原因",
]
_WIDTHS = {"房屋": 22, "减免理由": 20, "摘要": 30, "科目": 16, "备注": 20, "作废原因": 20}
_BILL_FORMATS = {h: YUAN for h in BILL_HEADERS if "（元）" in h} | {
    "账期开始": DATE,
    "账期结束": DATE,
    "缴费期限": DATE,
}
_PAYMENT_FORMATS = {"收款日期": DATE, "金额（元）": YUAN}
_LEDGER_FORMATS = {"日期": DATE, "借方（元）": YUAN, "贷方（元）": YUAN}


def _add_sheet(workbook, title: str, headers: list[str]):
    """Another sheet laid out as `new_sheet` lays out the first."""
    sheet = workbook.create_sheet(title[:31])
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for i, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(header, 12)
    sheet.freeze_panes = "A3"
    return sheet


def _money(fen: int | None):
    return None if fen is None else fen_to_decimal(fen)


def books_export(file: str | IO[bytes], *, books: CompoundBooks, actor) -> dict[str, int]:
    """Write the compound's bills, payments and ledger (one row per leg); returns the
    number of rows of each sheet."""
    name = books.compound.name
    day = timezone.localdate().isoformat()
    workbook, bills_sheet = new_sheet(
        _("%(compound)s账单（%(date)s导出）") % {"compound": name, "date": day},
        BILL_HEADERS,
        widths=_WIDTHS,
    )
    bills_sheet.title = _("账单")
    counts = {"bills": 0, "payments": 0, "legs": 0}
    for bill in reads.export_bills(books).iterator(chunk_size=2000):
        append_row(
            bills_sheet,
            [
                bill.household.address,
                bill.period_start,
                bill.period_end,
                bill.due_date,
                _money(bill.gross_fen),
                _money(bill.reduction_fen),
                bill.reduction_reason,
                _money(bill.amount_fen),
                _money(bill.paid_fen),
                _money(bill.outstanding_fen),
                bill.version - 1,
            ],
        )
        counts["bills"] += 1
    format_columns(bills_sheet, BILL_HEADERS, _BILL_FORMATS)

    payments_sheet = _add_sheet(
        workbook,
        _("%(compound)s收款（%(date)s导出）") % {"compound": name, "date": day},
        PAYMENT_HEADERS,
    )
    payments_sheet.title = _("收款")
    for payment in reads.export_payments(books).iterator(chunk_size=2000):
        signed = payment.amount_fen if payment.kind == Payment.Kind.PAYMENT else -payment.amount_fen
        append_row(
            payments_sheet,
            [
                payment.receipt_no,
                payment.received_on,
                payment.household.address,
                payment.get_kind_display(),
                payment.get_method_display(),
                _money(signed),
                payment.payer_name,
                str(payment.recorded_by) if payment.recorded_by else "",
                payment.note,
                payment.reversal_reason if payment.is_voided else "",
            ],
        )
        counts["payments"] += 1
    format_columns(payments_sheet, PAYMENT_HEADERS, _PAYMENT_FORMATS)

    ledger_sheet = _add_sheet(
        workbook,
        _("%(compound)s收支账（%(date)s导出）") % {"compound": name, "date": day},
        LEDGER_HEADERS,
    )
    ledger_sheet.title = _("收支账")
    for leg in reads.export_legs(books).iterator(chunk_size=2000):
        entry = leg.entry
        append_row(
            ledger_sheet,
            [
                entry.number,
                entry.date,
                entry.memo,
                leg.account.code,
                leg.account.name,
                _money(leg.amount_fen) if leg.amount_fen > 0 else None,
                _money(-leg.amount_fen) if leg.amount_fen < 0 else None,
                str(entry.posted_by) if entry.posted_by else "",
                entry.reverses.number if entry.reverses else None,
                entry.reason,
            ],
        )
        counts["legs"] += 1
    format_columns(ledger_sheet, LEDGER_HEADERS, _LEDGER_FORMATS)

    audit(
        actor=actor,
        community_id=books.community_id,
        action="stewards.books_export",
        obj=books,
        new=counts,
    )
    workbook.save(file)
    return counts
