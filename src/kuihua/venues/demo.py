"""Demo rooms of the 1,300 m² community centre and a week of their bookings.

Called by the demo generator (`seed_venues(community, rng=...)`); deterministic
for a given `rng` and `today`. Bookings go through the services, so they obey
the no-overlap rule and are audited like any other.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from kuihua.core.tenancy import use_community
from kuihua.organizations.models import Organization
from kuihua.venues import services
from kuihua.venues.models import Booking, Room

CENTRE = "党群服务中心"

# name, capacity, equipment
ROOMS = [
    ("多功能厅", 120, "舞台、投影仪、音响、折叠椅"),
    ("书画室", 30, "书画桌、笔墨纸砚、展示墙"),
    ("舞蹈室", 40, "把杆、镜墙、音响"),
    ("会议室", 20, "会议桌、投影仪、白板"),
    ("阅览室", 30, "图书三千册、阅读桌"),
    ("健康小屋", 8, "血压计、血糖仪、体重秤"),
]

# (room, weekday 0=Mon, start hour, hours, title, preferred organization category)
WEEK = [
    ("舞蹈室", 0, 9, 2, "排舞练习", "culture"),
    ("舞蹈室", 2, 9, 2, "排舞练习", "culture"),
    ("舞蹈室", 4, 19, 2, "广场舞队形排练", "culture"),
    ("多功能厅", 1, 14, 2, "合唱排练", "culture"),
    ("多功能厅", 3, 14, 2, "合唱排练", "culture"),
    ("多功能厅", 5, 9, 3, "反诈宣传讲座", "governance"),
    ("书画室", 1, 9, 2, "书法班", "learning"),
    ("书画室", 3, 9, 2, "国画班", "learning"),
    ("会议室", 0, 14, 2, "楼道长例会", "governance"),
    ("会议室", 2, 19, 2, "百姓议事会", "governance"),
    ("阅览室", 5, 9, 2, "周六读书会", "learning"),
    ("阅览室", 6, 14, 2, "亲子共读", "learning"),
    ("健康小屋", 1, 8, 2, "血压测量", "welfare"),
    ("健康小屋", 4, 8, 2, "血压测量", "welfare"),
    ("健康小屋", 3, 14, 2, "家庭医生签约咨询", "service"),
]


def _organization_for(category: str, organizations: list[Organization], rng) -> Organization | None:
    same = [o for o in organizations if o.category == category]
    pool = same or organizations
    return rng.choice(pool) if pool else None


def seed_venues(
    community, *, rng: random.Random, today: dt.date | None = None, actor=None
) -> list[Booking]:
    """Six rooms (created if missing) and this week's bookings; returns the bookings made.

    Slots already taken (a second run) are skipped, not doubled.
    """
    today = today or timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    made: list[Booking] = []
    with use_community(community):
        rooms = {}
        for name, capacity, equipment in ROOMS:
            room = Room.objects.filter(centre=CENTRE, name=name).first()
            if room is None:
                room = services.room_create(
                    actor=actor, centre=CENTRE, name=name, capacity=capacity, equipment=equipment
                )
            rooms[name] = room
        organizations = list(Organization.objects.order_by("id"))
        for room_name, weekday, hour, hours, title, category in WEEK:
            day = monday + dt.timedelta(days=weekday)
            starts_at = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
            try:
                made.append(
                    services.booking_create(
                        actor=actor,
                        room=rooms[room_name],
                        organization=_organization_for(category, organizations, rng),
                        title=title,
                        starts_at=starts_at,
                        ends_at=starts_at + dt.timedelta(hours=hours),
                    )
                )
            except services.BookingClash:
                continue
    return made
