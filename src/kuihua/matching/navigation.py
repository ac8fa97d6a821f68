"""需求对接: coordinators run it; a district viewer reads its figures; anyone with a
registry record raises and follows their own needs; a volunteer also records needs met on
visits; a provider (a partner unit's contact account too) serves its orders."""

from django.urls import reverse

from kuihua.matching import selectors


def matching_entry(user) -> str | None:
    if user.has_perm("matching.manage"):
        return reverse("matching:need_list")
    if user.has_perm("matching.view_stats"):
        return reverse("matching:delivery_stats")
    if user.resident_id or user.has_perm("matching.raise_on_visit"):
        return reverse("matching:need_list")
    if selectors.serves_as_provider(user):
        return reverse("matching:my_orders")  # a partner unit's contact account
    return None
