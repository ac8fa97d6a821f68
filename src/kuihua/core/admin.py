"""The back office. Querysets come from the scoped default managers, so a staff
user of one community sees only that community; platform superusers without a
community see all (the scope middleware lifts scoping for them in /admin/ only).
Logs are read-only: nobody edits history.
"""

from django.contrib import admin

from kuihua.core.models import AccessLog, AuditLog


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "action", "subject_label", "subject_type", "subject_id"]
    list_filter = ["action", "subject_type"]
    list_select_related = ["user"]


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    list_select_related = ["actor"]
