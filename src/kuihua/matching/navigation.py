"""需求对接: coordinators run it; a district viewer reads its figures; anyone with a
registry record raises and follows their own needs."""

from django.urls import reverse


def matching_entry(user) -> str | None:
    if user.has_perm("matching.manage"):
        return reverse("matching:need_list")
    if user.has_perm("matching.view_stats"):
        return reverse("matching:delivery_stats")
    if user.resident_id:
        return reverse("matching:need_list")
    return None
