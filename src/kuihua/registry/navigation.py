"""Where 居民信息 opens: the registry for coordinators, one's own record for everyone else."""

from django.urls import reverse

from kuihua.accounts.models import Role


def registry_entry(user) -> str | None:
    if user.role == Role.COORDINATOR:
        return reverse("registry:resident_list")
    if user.resident_id:
        return reverse("registry:resident_detail", args=[user.resident_id])
    return None  # a district viewer reads figures, not people
