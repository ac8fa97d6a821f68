from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from kuihua.organizations.selectors import organization_directory


@login_required
def organization_list(request):
    organizations = organization_directory(request.user)
    return render(request, "organizations/organization_list.html", {"organizations": organizations})
