"""The areas of the product (DESIGN.md), in the order of the home page.

Each later issue replaces an area's placeholder page with its own URL name.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    description: str
    url_name: str


AREAS = [
    Area("registry", _("居民信息"), _("小区、楼栋、户籍与居民台账"), "registry:resident_list"),
    Area("organizations", _("社会组织"), _("组织目录、备案与成员"), "organizations:list"),
    Area("venues", _("场地预约"), _("活动室与统一日历"), "activities:calendar"),
    Area("activities", _("活动招募"), _("报名、候补与签到"), "activities:list"),
    Area("service_records", _("服务时长"), _("志愿服务记录与证明"), "service_records:mine"),
    Area("matching", _("需求对接"), _("需求清单、服务清单、精准对接"), "matching:need_list"),
    Area("projects", _("公益项目"), _("项目化运作"), "area"),
    Area("care", _("幸福来敲门"), _("每日平安签到与关爱服务"), "care:board"),
    Area("council", _("百姓议事会"), _("议题、协商与表决"), "area"),
    Area("stewards", _("义管家"), _("小区收费与账目公开"), "area"),
    Area("market", _("爱心集市"), _("每月集市与义卖"), "area"),
    Area("dashboard", _("数据看板"), _("统计与报表"), "area"),
]
