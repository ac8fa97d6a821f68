"""议事会 attendance on a phone: the coordinator checks delegates in from the list and
sees the quorum reached.

Four delegates are invited; under the template rules (more than half) two present is
not a quorum and three is. At 360 px the list stacks and nothing scrolls sideways.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tenancy import use_community
from kuihua.council import meetings
from kuihua.council.models import Attendee
from kuihua.registry.tests.factories import CommunityFactory, ResidentFactory

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "kuihua-test-pass"
PHONE = {"width": 360, "height": 740}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"Chromium not found at {CHROMIUM}; browser tests skipped"
    ),
]


@pytest.fixture
def meeting(transactional_db):
    community = CommunityFactory(name="翠苑一区社区", code="cuiyuan-1")
    with use_community(community):
        UserFactory(
            username="shequ", role=Role.COORDINATOR, community=community, display_name="社区小李"
        )
        coordinator = UserFactory._meta.model.objects.get(username="shequ")
        for name in ("王秀英", "刘建国", "陈美华", "赵德明"):
            person = ResidentFactory(household__building__compound__community=community, name=name)
            meetings.delegate_appoint(actor=coordinator, resident=person)
        day = timezone.localdate() + dt.timedelta(days=8)
        starts = timezone.make_aware(dt.datetime.combine(day, dt.time(19)))
        called = meetings.meeting_call(
            actor=coordinator,
            title="加装电梯议事会",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            place="社区议事厅",
        )
    return {"community": community, "meeting": called}


def test_a_coordinator_checks_delegates_in_on_a_phone_and_sees_the_quorum(
    live_server, open_page, screenshot, meeting
):
    base = live_server.url
    phone = open_page(PHONE)
    phone.goto(base + "/accounts/login/")
    phone.get_by_label("用户名").fill("shequ")
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(base + "/")

    phone.goto(f"{base}/council/meetings/{meeting['meeting'].pk}/attendance/")
    quorum = phone.get_by_role("region", name="法定人数")
    assert "还差 3 人" in quorum.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "council-attendance-1")

    for name in ("王秀英", "刘建国"):
        phone.get_by_role("button", name=f"为 {name} 签到").click()
        phone.get_by_text(f"{name} 已签到").wait_for()
    assert "还差 1 人" in quorum.inner_text()  # exactly half is not more than half

    phone.get_by_role("button", name="为 陈美华 签到").click()
    quorum.get_by_text("已达到法定人数").wait_for()
    assert "议事代表到会 3 / 4 人" in quorum.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "council-attendance-2")

    with use_community(meeting["community"]):
        present = Attendee.objects.filter(meeting=meeting["meeting"], attended_at__isnull=False)
        assert present.count() == 3
        assert {a.method for a in present} == {"list"}
