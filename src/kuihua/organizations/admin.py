from django.contrib import admin

from kuihua.organizations.models import Branch, Membership, Organization, PartnerUnit, StageChange


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "secretary"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["resident"]
    fields = ["resident", "role", "joined_on"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "stage", "leader"]
    list_filter = ["category", "stage"]
    list_select_related = ["leader", "branch"]
    search_fields = ["name"]
    raw_id_fields = ["leader"]
    readonly_fields = ["stage", "incubated_on", "filed_on", "registered_on", "branded_on"]
    inlines = [MembershipInline]


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ["organization", "from_stage", "to_stage", "on", "by"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PartnerUnit)
class PartnerUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "contact_name"]
    list_filter = ["kind"]
