from kuihua.core.navigation import AREAS


def navigation(request):
    community = None
    if getattr(request, "community_id", None):
        from kuihua.registry.models import Community

        community = Community.objects.filter(pk=request.community_id).first()
    return {"nav_areas": AREAS, "current_community": community}
