"""活动招募: the activities to join; a district viewer opens the month's overview."""

from django.urls import reverse

from kuihua.accounts.models import Role


def activities_entry(user) -> str | None:
    if user.role == Role.DISTRICT_VIEWER:
        return reverse("activities:overview")
    if user.role == Role.COORDINATOR or user.resident_id:
        return reverse("activities:list")
    return None
