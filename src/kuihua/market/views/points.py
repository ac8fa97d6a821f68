"""我的积分: a resident's points balance in large type and the entries behind it (earned
for service, spent at the market: at which stall, for what)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from kuihua.market import selectors
from kuihua.market.forms import points_text
from kuihua.service_records.selectors import volunteer_profile


@login_required
def points(request):
    user = request.user
    resident = user.resident if user.resident_id else None
    context = {"resident": resident}
    if resident is not None:
        entries = []
        for entry in selectors.points_history(resident)[:100]:
            sale = selectors.sale_of(entry)
            entries.append(
                {
                    "entry": entry,
                    "points": ("+" if entry.points > 0 else "") + points_text(entry.points),
                    "sale": sale,
                }
            )
        profile = volunteer_profile(resident)
        context.update(
            balance=points_text(selectors.points_balance(resident)),
            entries=entries,
            code=profile.number if profile is not None else "",
        )
    return render(request, "market/points.html", context)


urlpatterns = [path("points/", points, name="points")]
