from django.contrib import admin

from kuihua.venues.models import Booking, Room


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "centre", "capacity", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "centre"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read-only: bookings are made and cancelled through the services (no overlaps, audited)."""

    list_display = ["title", "room", "organization", "starts_at", "ends_at", "cancelled_at"]
    list_filter = ["room"]
    list_select_related = ["room", "organization"]
    date_hierarchy = "starts_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
