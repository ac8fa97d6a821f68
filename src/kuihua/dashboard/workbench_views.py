"""The site's home page: the user's workbench (dashboard.workbench) above the grid of
the areas they use."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from kuihua.core.views import ROLE_NOTES
from kuihua.dashboard.workbench import workbench_for


@login_required
def home(request):
    """What waits for the user today, each item linking to where it is acted on; then
    the areas their role can use and, for a resident, their own record."""
    resident = request.user.resident
    context = {
        "sections": workbench_for(request.user),
        "role_note": ROLE_NOTES.get(request.user.role),
        "my_resident": resident,
        "my_household_id": resident.household_id if resident is not None else None,
    }
    return render(request, "dashboard/workbench.html", context)
