"""The one door to a community's data.

Every model that belongs to a community inherits `CommunityOwned`: its default
manager filters by the community in force and, with none in force, refuses to
run (django-scopes raises ScopeError) instead of returning every community's
rows. The web middleware puts the signed-in user's community in force; commands
and tasks say which community they work for with `use_community`.

See docs/adr/0001-tenancy.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager, get_scope, scope, scopes_disabled
from django_scopes.exceptions import ScopeError

__all__ = [
    "CommunityOwned",
    "ScopeError",
    "across_communities",
    "current_community_ids",
    "unscoped",
    "use_community",
]


@contextmanager
def use_community(community) -> Iterator[None]:
    """Put one community in force for the queries inside the block."""
    community_id = getattr(community, "pk", community)
    if community_id is None:
        raise ScopeError("use_community() needs a saved community")
    with scope(community=community_id):
        yield


@contextmanager
def across_communities(communities: Iterable) -> Iterator[None]:
    """Put several communities in force at once (district viewers' roll-ups)."""
    ids = [getattr(c, "pk", c) for c in communities]
    # An empty list would filter on `community__in=[]` and show nothing: fail
    # closed, never open.
    with scope(community=ids):
        yield


@contextmanager
def unscoped() -> Iterator[None]:
    """Lift scoping: only for migrations-like maintenance, seeding and tests."""
    with scopes_disabled():
        yield


def current_community_ids() -> list[int]:
    """The ids of the communities in force; raises ScopeError when none is."""
    value = get_scope().get("community")
    if value is None:
        raise ScopeError("no community is in force")
    return list(value) if isinstance(value, list | tuple) else [value]


class CommunityOwned(models.Model):
    """A row that belongs to exactly one community.

    The community id is on every row, not reached through a join, so that the
    tables can be distributed by community (Citus) and every query filters on it.
    """

    community = models.ForeignKey(
        "core.Community",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("社区"),
        editable=False,
    )

    objects = ScopedManager(community="community_id")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.community_id is None:
            ids = current_community_ids()
            if len(ids) != 1:
                raise ScopeError("a new row needs exactly one community in force")
            self.community_id = ids[0]
        super().save(*args, **kwargs)
