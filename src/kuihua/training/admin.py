from django.contrib import admin

from kuihua.training.models import TrainingRecord


@admin.register(TrainingRecord)
class TrainingRecordAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "completed_on", "recorded_by"]
    list_filter = ["course"]
    list_select_related = ["user", "recorded_by"]
    search_fields = ["course", "user__username", "user__display_name"]

    # Records are written through the service (care page), which audits them.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
