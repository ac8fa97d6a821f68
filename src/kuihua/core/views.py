from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

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


@login_required
@require_POST
def switch_community(request):
    """A district viewer reads one of their communities at a time; this picks which."""
    try:
        community_id = int(request.POST.get("community_id", ""))
    except ValueError:
        raise Http404 from None
    if community_id not in getattr(request, "community_ids", []):
        raise Http404
    request.session["community_id"] = community_id
    return redirect("home")
