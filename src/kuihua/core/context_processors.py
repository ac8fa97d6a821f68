from django.utils.functional import SimpleLazyObject

from kuihua.core.navigation import areas_for


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
        # Lazy: a partial (HTMX) rendering never shows the menu and never pays for it.
        "nav_areas": SimpleLazyObject(lambda: areas_for(request.user)),
        "current_community": community,
        "switchable_communities": switchable,
    }
