"""Council pages: meetings. (A placeholder until this part is built.)"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from kuihua.core.pages import require


@login_required
def meeting_list(request):
    require(request.user, "council.take_part")
    return render(request, "council/_stub.html", {"heading": _("会议")})


urlpatterns = [
    path("meetings/", meeting_list, name="meeting_list"),
]
