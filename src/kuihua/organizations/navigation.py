"""社会组织: the directory is open to every signed-in role, district viewers included."""

from django.urls import reverse


def organizations_entry(user) -> str | None:
    return reverse("organizations:list")
