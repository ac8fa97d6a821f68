from django.contrib import admin

from kuihua.core.models import Community
from kuihua.registry.models import (
    Building,
    Compound,
    Consent,
    EmergencyContact,
    Household,
    Resident,
    Tag,
)


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "street", "district"]
    search_fields = ["name", "code"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ids = getattr(request, "community_ids", None)
        if request.user.is_superuser and not ids:
            return qs
        return qs.filter(pk__in=ids or [])


@admin.register(Compound)
class CompoundAdmin(admin.ModelAdmin):
    list_display = ["name", "has_property_company", "property_company"]
    list_filter = ["has_property_company"]


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["name", "compound"]
    list_select_related = ["compound"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["__str__", "building", "unit", "room"]
    list_select_related = ["building__compound"]
    raw_id_fields = ["building"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_sensitive", "is_system"]


class EmergencyContactInline(admin.TabularInline):
    model = EmergencyContact
    extra = 0
    fields = ["name", "relation", "priority"]
    readonly_fields = fields


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    """Read-mostly: identity fields change through the registry pages (services), which
    normalise, re-index and audit them. Sensitive fields are not shown here at all."""

    list_display = ["name", "sex", "birth_date", "household", "political_status"]
    list_select_related = ["household__building__compound"]
    search_fields = ["name", "name_pinyin", "name_initials"]
    fields = [
        "name",
        "sex",
        "ethnicity",
        "birth_date",
        "household",
        "relation_to_head",
        "political_status",
        "category",
        "tags",
        "notes",
    ]
    readonly_fields = ["name", "sex", "birth_date", "household"]
    inlines = [EmergencyContactInline]

    def has_add_permission(self, request):
        return False


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["resident", "purpose", "granted", "method", "recorded_by", "recorded_at"]
    list_select_related = ["resident", "recorded_by"]

    def has_change_permission(self, request, obj=None):
        return False
