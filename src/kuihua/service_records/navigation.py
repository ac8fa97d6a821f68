"""服务时长: the community's hours for those who oversee them, one's own for volunteers."""

from django.urls import reverse


def service_records_entry(user) -> str | None:
    if user.has_perm("service_records.view_overview"):
        return reverse("service_records:overview")
    if user.resident_id:
        return reverse("service_records:mine")
    return None
