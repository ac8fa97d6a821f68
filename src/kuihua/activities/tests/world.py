"""One of each activities object in a community, for the tenant-isolation walk."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kuihua.activities import services
from kuihua.activities.drives import drive_create, shift_create
from kuihua.activities.models import SkippedOccurrence
from kuihua.activities.series import series_create
from kuihua.activities.tests.factories import SignupFactory


def activities_world(*, coordinator, organization) -> dict:
    """An activity with a sign-up, a weekly series with an occurrence the daily run could
    not make, and a drive with one shift."""
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=2)
    activity = services.activity_create(
        actor=coordinator,
        organization=organization,
        title="楼道清洁",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        places=5,
        address="活动中心",
    )
    series = series_create(
        actor=coordinator,
        organization=organization,
        title="合唱排练",
        first_starts_at=start + dt.timedelta(hours=3),
        first_ends_at=start + dt.timedelta(hours=4),
        rule="weekly",
        until=timezone.localdate(start) + dt.timedelta(weeks=2),
        address="活动中心",
    )
    skipped = SkippedOccurrence.objects.create(
        community_id=organization.community_id,
        series=series,
        starts_at=start + dt.timedelta(weeks=3, hours=3),
        ends_at=start + dt.timedelta(weeks=3, hours=4),
        reason="该时段已被占用",
    )
    drive = drive_create(actor=coordinator, organization=organization, title="环境整治月")
    shift_create(
        actor=coordinator,
        drive=drive,
        starts_at=start + dt.timedelta(hours=5),
        ends_at=start + dt.timedelta(hours=7),
        places=10,
        address="各小区",
    )
    signup = SignupFactory(activity=activity)
    return {
        "activity": activity,
        "series": series,
        "skipped": skipped,
        "drive": drive,
        "signup": signup,
    }
