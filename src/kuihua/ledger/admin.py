"""The ledger in the back office: read-only. A posted entry is corrected by a reversal
(kuihua.ledger.services.entry_reverse), never edited; the database refuses it anyway."""

from django.contrib import admin

from kuihua.core.admin import ReadOnlyAdmin
from kuihua.ledger.models import Account, Budget, Entry, Ledger, Leg, PeriodClose


class LegInline(admin.TabularInline):
    model = Leg
    extra = 0
    can_delete = False
    fields = ["account", "amount_fen"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["ledger", "number", "date", "memo", "posted_by", "posted_at"]
    list_filter = ["ledger"]
    list_select_related = ["ledger", "posted_by"]
    inlines = [LegInline]


@admin.register(Leg)
class LegAdmin(ReadOnlyAdmin):
    list_display = ["entry", "account", "amount_fen"]
    list_select_related = ["entry", "account"]


@admin.register(Ledger)
class LedgerAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "closed_through", "last_number"]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["ledger", "code", "name", "kind"]
    list_filter = ["kind"]


@admin.register(PeriodClose)
class PeriodCloseAdmin(ReadOnlyAdmin):
    list_display = ["ledger", "month", "closed_by", "closed_at"]


@admin.register(Budget)
class BudgetAdmin(ReadOnlyAdmin):
    list_display = ["ledger", "year", "account", "amount_fen"]
