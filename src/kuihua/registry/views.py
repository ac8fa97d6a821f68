from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from kuihua.registry.selectors import resident_list as select_residents


@login_required
def resident_list(request):
    residents = select_residents(request.user, query=request.GET.get("q", ""))
    page = Paginator(residents, 50).get_page(request.GET.get("page"))
    return render(request, "registry/resident_list.html", {"page": page})
