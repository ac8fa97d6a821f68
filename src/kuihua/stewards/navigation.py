"""义管家 in the menu: a coordinator and a steward keep the books; a resident whose home
is in a self-managed compound reads its bills and the compound's public pages."""

from django.urls import reverse

from kuihua.accounts.models import Role


def stewards_entry(user) -> str | None:
    if user.has_perm("stewards.keep_books"):
        return reverse("stewards:home")
    if not user.has_perm("stewards.view") or not getattr(user, "resident_id", None):
        return None
    from kuihua.stewards.selectors import my_homes

    if user.role != Role.DISTRICT_VIEWER and my_homes(user).exists():
        return reverse("stewards:home")
    return None
