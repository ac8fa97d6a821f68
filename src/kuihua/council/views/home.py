"""Council pages: home. (A placeholder until this part is built.)"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from kuihua.core.pages import require


@login_required
def home(request):
    require(request.user, "council.view")
    return render(request, "council/_stub.html", {"heading": _("议事会")})


urlpatterns = [
    path("", home, name="home"),
]
