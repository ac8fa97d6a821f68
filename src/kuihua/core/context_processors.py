from kuihua.core.navigation import AREAS


def navigation(request):
    community = None
    if getattr(request, "community_id", None):
        from kuihua.core.models import Community

        community = Community.objects.filter(pk=request.community_id).first()
    switchable = []
    if len(getattr(request, "community_ids", [])) > 1:
        from kuihua.core.models import Community

        switchable = list(Community.objects.filter(pk__in=request.community_ids))
    return {
        "nav_areas": AREAS,
        "current_community": community,
        "switchable_communities": switchable,
    }
