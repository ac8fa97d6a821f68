"""The one door to a community's data, and the only way across communities.

Every model that belongs to a community inherits `CommunityOwned`: its default
manager filters by the community in force and, with none in force, refuses to
run (django-scopes raises ScopeError) instead of returning every community's
rows. The web middleware puts the signed-in user's community in force; commands
and tasks say which community they work for with `use_community`.

Code that must look beyond one community says why by the helper it calls:

- `for_each_community()`: a periodic job that works community by community;
- `sweep_every_community()`: a periodic sweep that reads every community's due
  rows in one query (then writes each inside `use_community`);
- `community_of(model, **lookup)`: the community of a row known by its key
  (a task's message id) or by a public secret (a certificate's code, a saved
  check-in link), read across communities and nothing more;
- `unscoped()`: seeding, maintenance and tests only.

Nothing outside this module imports django_scopes, calls `with_scopes_disabled()`
or reads `_base_manager` (ruff's banned-api rule and core/tests/test_tenancy.py
hold that). See docs/adr/0001-tenancy.md and docs/adr/0009-layers-and-the-tenancy-door.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager, get_scope, scope, scopes_disabled
from django_scopes.exceptions import ScopeError
from django_scopes.state import state

__all__ = [
    "Community",
    "CommunityOwned",
    "ScopeError",
    "across_communities",
    "community_of",
    "current_community_ids",
    "for_each_community",
    "request_scope",
    "set_request_community",
    "sweep_every_community",
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


def for_each_community() -> Iterator[int]:
    """Each community's id in turn, with that community in force while the caller works.

    For periodic jobs that do the same thing in every community (reminders, lost
    deliveries): whatever they read and write stays inside one community at a time.
    """
    for community_id in list(Community.objects.order_by("id").values_list("id", flat=True)):
        with use_community(community_id):
            yield community_id


@contextmanager
def sweep_every_community() -> Iterator[None]:
    """Every community's rows visible at once, for a periodic sweep's read of what is due.

    One query over all communities instead of one per community (the care sweep's
    `SELECT … FOR UPDATE SKIP LOCKED` batches, expiring offers). A sweep reads ids and
    community ids here, and writes each row inside `use_community(row's community)`.
    """
    with scopes_disabled():
        yield


def community_of(model: type[models.Model], **lookup) -> int | None:
    """The community id of the one row of `model` matching `lookup`, in any community.

    For a background task that carries only a row's id, and for public pages that
    find a row by its unguessable secret (a certificate's code, a check-in link's
    digest). It returns the community only: the caller then reads the row inside
    `use_community`, like any other.
    """
    with scopes_disabled():
        return model.objects.filter(**lookup).values_list("community_id", flat=True).first()


@contextmanager
def request_scope(**values) -> Iterator[None]:
    """Exactly this scope for one request, inheriting nothing from the caller's thread."""
    token = state.set({"_enabled": True, **values})
    try:
        yield
    finally:
        state.reset(token)


def set_request_community(community_id: int | None) -> None:
    """Put a community in force for the rest of a request already inside `request_scope`
    (a user authenticated mid-request by an API token); None puts none in force."""
    current = dict(get_scope())
    current["_enabled"] = True
    if community_id is None:
        current.pop("community", None)
    else:
        current["community"] = community_id
    state.set(current)


def current_community_ids() -> list[int]:
    """The ids of the communities in force; raises ScopeError when none is."""
    value = get_scope().get("community")
    if value is None:
        raise ScopeError("no community is in force")
    return list(value) if isinstance(value, list | tuple) else [value]


class Community(models.Model):
    """A neighbourhood (社区): the tenant. Everything a user sees belongs to one."""

    name = models.CharField(_("社区名称"), max_length=100)
    code = models.SlugField(_("社区代码"), max_length=40, unique=True)
    street = models.CharField(_("所属街道"), max_length=100, blank=True)
    district = models.CharField(_("所属区"), max_length=100, blank=True)
    area_km2 = models.DecimalField(
        _("面积（平方公里）"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("社区")
        verbose_name_plural = _("社区")
        ordering = ["id"]
        # The table keeps the name it was created with in `registry` (ADR 0009):
        # every row of every app points at it, and a rename buys nothing.
        db_table = "registry_community"

    def __str__(self) -> str:
        return self.name


class CommunityOwned(models.Model):
    """A row that belongs to exactly one community.

    The community id is on every row, not reached through a join, so that the
    tables can be distributed by community (Citus) and every query filters on it.
    """

    community = models.ForeignKey(
        Community,
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
