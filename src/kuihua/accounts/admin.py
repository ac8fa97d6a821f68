from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from kuihua.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "role", "community", "is_active"]
    list_filter = ["role", "is_active", "community"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            "Kuihua",
            {"fields": ("role", "community", "viewable_communities", "resident", "display_name")},
        ),
    )
    raw_id_fields = ["resident"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ids = getattr(request, "community_ids", None)
        if request.user.is_superuser and not ids:
            return qs
        return qs.filter(community_id__in=ids or [])


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["digest", "prefix"]
