from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from kuihua.core.navigation import AREAS


@login_required
def home(request):
    """Every area of the product, plus the shortcuts the user's role needs most."""
    resident = request.user.resident
    context = {
        "areas": AREAS,
        "my_resident": resident,
        "my_household_id": resident.household_id if resident is not None else None,
    }
    return render(request, "core/home.html", context)


@login_required
def area(request, area_key: str):
    """Placeholder page of an area that a later issue builds."""
    found = next((a for a in AREAS if a.key == area_key), None)
    if found is None:
        raise Http404
    return render(request, "core/area.html", {"area": found})
