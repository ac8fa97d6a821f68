"""Council pages: votes. (A placeholder until this part is built.)"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from kuihua.core.pages import require


@login_required
def vote_list(request):
    require(request.user, "council.take_part")
    return render(request, "council/_stub.html", {"heading": _("表决")})


@login_required
def rules(request):
    require(request.user, "council.view")
    return render(request, "council/_stub.html", {"heading": _("议事规则")})


urlpatterns = [
    path("votes/", vote_list, name="vote_list"),
    path("rules/", rules, name="rules"),
]
