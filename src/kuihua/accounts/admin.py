from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from kuihua.accounts.models import ApiToken, User


class PlatformOnly:
    """Accounts decide who belongs to which community and who holds which token: a
    community's staff must not move users between communities or hand tokens
    around, so only platform superusers manage them here."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


@admin.register(User)
class UserAdmin(PlatformOnly, DjangoUserAdmin):
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
class ApiTokenAdmin(PlatformOnly, admin.ModelAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["digest", "prefix"]
