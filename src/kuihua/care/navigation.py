"""幸福来敲门: the duty board, a district viewer's figures, or a helper's own part (the
people they visit, their shifts on the duty line and when they can take it). The
same permissions decide the programme's sub-navigation (care_tags.PAGES)."""

from django.urls import reverse


def care_entry(user) -> str | None:
    for perm, url_name in (
        ("care.handle_alert", "care:board"),
        ("care.view_figures", "care:figures"),
        ("care.visit_round", "care:my_visits"),
        ("care.take_duty", "care:my_duty"),
    ):
        if user.has_perm(perm):
            return reverse(url_name)
    return None
