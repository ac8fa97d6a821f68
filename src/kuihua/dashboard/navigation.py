"""数据看板 in the menu: a coordinator lands on the community's dashboard, a district
viewer on the district view (every community side by side)."""

from django.urls import reverse


def dashboard_entry(user) -> str | None:
    if user.has_perm("dashboard.view_district"):
        return reverse("dashboard:district")
    if user.has_perm("dashboard.view"):
        return reverse("dashboard:home")
    return None
