"""场地预约: for those who book rooms, coordinators and organization leaders."""

from django.urls import reverse

from kuihua.accounts.models import Role


def venues_entry(user) -> str | None:
    if user.role in (Role.COORDINATOR, Role.ORG_LEADER):
        return reverse("activities:calendar")
    return None
