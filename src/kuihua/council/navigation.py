"""百姓议事会: everyone with a community takes part; a district viewer reads the notice
board."""

from django.urls import reverse


def council_entry(user) -> str | None:
    if user.has_perm("council.take_part"):
        return reverse("council:home")
    if user.has_perm("council.view"):
        return reverse("council:notice_board")
    return None
