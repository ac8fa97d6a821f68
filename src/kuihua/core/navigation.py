"""The areas of the product (docs/overview.md), in the order of the menu and the home page.

An area appears only once its app has registered an entry for it
(`register_area_entry`, from the app's `ready()`), and then only to a user the
entry gives a page to: each app decides from its own rules who can use it and
where that person lands (a coordinator on the community's overview, a
volunteer on their own page). An area that is not built yet has no entry and
is not shown to anyone.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    description: str


@dataclass(frozen=True)
class NavItem:
    """One area as one user sees it: where its menu link leads them."""

    key: str
    title: str
    description: str
    url: str


AREAS = [
    Area("registry", _("居民信息"), _("居民与家庭的基本信息")),
    Area("organizations", _("社会组织"), _("组织目录、备案与成员")),
    Area("venues", _("场地预约"), _("活动室与统一日历")),
    Area("activities", _("活动招募"), _("报名、候补与签到")),
    Area("service_records", _("服务时长"), _("志愿服务记录与证明")),
    Area("matching", _("需求对接"), _("需求清单、服务清单、精准对接")),
    Area("projects", _("公益项目"), _("项目化运作")),
    Area("care", _("幸福来敲门"), _("每日平安签到与关爱服务")),
    Area("council", _("百姓议事会"), _("议题、协商与表决")),
    Area("stewards", pgettext_lazy("area", "义管家"), _("小区收费与账目公开")),
    Area("market", _("爱心集市"), _("每月集市与义卖")),
    Area("dashboard", _("数据看板"), _("统计与报表")),
]

# An entry answers, for one signed-in user, the URL their menu link opens, or None
# when the area has nothing for them.
Entry = Callable[[object], str | None]
_entries: dict[str, Entry] = {}


def register_area_entry(key: str, entry: Entry) -> None:
    """Called by the app that builds area `key` (from its AppConfig.ready)."""
    if key not in {a.key for a in AREAS}:
        raise ValueError(f"unknown area {key!r}")
    _entries[key] = entry


def areas_for(user) -> list[NavItem]:
    """The areas `user` can use, in menu order, each with the page it opens for them."""
    if not user.is_authenticated:
        return []
    items = []
    for area in AREAS:
        entry = _entries.get(area.key)
        url = entry(user) if entry is not None else None
        if url:
            items.append(NavItem(area.key, area.title, area.description, url))
    return items
