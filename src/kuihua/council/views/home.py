"""Council pages: the council's home (议事会)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path

from kuihua.core.pages import require
from kuihua.council.decisions import council_overview


@login_required
def home(request):
    """What is open to the reader now: votes to cast, meetings, topics, overdue decisions."""
    if not request.user.has_perm("council.take_part"):
        require(request.user, "council.view")
        return redirect("council:notice_board")
    return render(request, "council/home.html", council_overview(request.user))


urlpatterns = [path("", home, name="home")]
