"""Council pages: decisions. (A placeholder until this part is built.)"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from kuihua.core.pages import require


@login_required
def notice_board(request):
    require(request.user, "council.view")
    return render(request, "council/_stub.html", {"heading": _("决议公示")})


urlpatterns = [
    path("notice-board/", notice_board, name="notice_board"),
]
