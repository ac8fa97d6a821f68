"""公益项目 in the menu: everyone of the community reads the projects (a district viewer
too); coordinators and the leaders of lead organizations run them from the same list."""

from django.urls import reverse


def projects_entry(user) -> str | None:
    if user.has_perm("projects.view"):
        return reverse("projects:list")
    return None
