"""爱心集市 in the menu: a coordinator runs the market days, an organization's leader sells
at their stall, and anyone with a resident profile reads their own points (我的积分)."""

from django.urls import reverse


def market_entry(user) -> str | None:
    if user.has_perm("market.manage") or user.has_perm("market.sell"):
        return reverse("market:home")
    if getattr(user, "resident_id", None):
        return reverse("market:points")
    return None
