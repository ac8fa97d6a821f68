"""The stewards' books in the back office: read-only. Payments, bills and runs change
only through the services (a void, an adjustment with its reason), which keep the
ledger, the receipts and the credits together."""

from django.contrib import admin

from kuihua.core.admin import ReadOnlyAdmin
from kuihua.stewards.models import (
    Bill,
    BillChange,
    BillingRun,
    CompoundBooks,
    FeeSchedule,
    HardshipDecision,
    Payment,
    Reminder,
    StewardAssignment,
)


@admin.register(StewardAssignment)
class StewardAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["compound", "steward", "since", "until"]
    list_select_related = ["compound", "steward"]


@admin.register(CompoundBooks)
class CompoundBooksAdmin(ReadOnlyAdmin):
    list_display = ["compound", "ledger", "last_receipt_no"]
    list_select_related = ["compound", "ledger"]


@admin.register(FeeSchedule)
class FeeScheduleAdmin(ReadOnlyAdmin):
    list_display = [
        "compound",
        "name",
        "basis",
        "monthly_rate_fen",
        "frequency",
        "starts_on",
        "ends_on",
    ]
    list_select_related = ["compound"]


@admin.register(HardshipDecision)
class HardshipDecisionAdmin(ReadOnlyAdmin):
    list_display = ["household", "is_hardship", "reason", "decided_by", "decided_at"]


@admin.register(BillingRun)
class BillingRunAdmin(ReadOnlyAdmin):
    list_display = ["compound", "period_start", "created", "skipped", "started_by", "started_at"]
    list_select_related = ["compound", "started_by"]


@admin.register(Bill)
class BillAdmin(ReadOnlyAdmin):
    list_display = ["household", "period_start", "amount_fen", "paid_fen", "version"]
    list_filter = ["compound"]
    list_select_related = ["household__building__compound"]


@admin.register(BillChange)
class BillChangeAdmin(ReadOnlyAdmin):
    list_display = ["bill", "old_amount_fen", "new_amount_fen", "reason", "changed_by"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "compound",
        "receipt_no",
        "kind",
        "household",
        "amount_fen",
        "method",
        "received_on",
        "recorded_by",
    ]
    list_filter = ["compound", "kind", "method"]
    list_select_related = ["compound", "household__building__compound", "recorded_by"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["household", "channel", "arrears_fen", "sent_at"]
