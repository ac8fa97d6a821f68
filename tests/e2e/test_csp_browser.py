"""The Content-Security-Policy in a real browser: the pages people use run without one
refusal, and what moved out of inline handlers (the confirm before removing a member)
still works.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.activities.tests.factories import ActivityFactory, volunteer
from kuihua.care import services as care
from kuihua.core.tenancy import use_community
from kuihua.organizations.models import Membership
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.registry.tests.factories import CommunityFactory, ResidentFactory

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "kuihua-test-pass"
DESKTOP = {"width": 1280, "height": 800}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"Chromium not found at {CHROMIUM}; browser tests skipped"
    ),
]


@pytest.fixture
def world(transactional_db):
    community = CommunityFactory(name="翠苑一区社区", code="cuiyuan-1")
    with use_community(community):
        coordinator = UserFactory(username="shequ", role=Role.COORDINATOR, community=community)
        organization = OrganizationFactory(community=community, name="夕阳红志愿队")
        member = volunteer(organization, name="王秀英")
        activity = ActivityFactory(community=community, organization=organization, title="清洁家园")
        elder = care.recipient_enrol(
            actor=coordinator,
            resident=ResidentFactory(household__building__compound__community=community),
        )
        token = care.self_link_issue(actor=coordinator, recipient=elder)
    return {
        "organization": organization,
        "member": member,
        "activity": activity,
        "token": token,
        "community": community,
    }


def test_the_main_pages_run_under_the_policy_and_the_confirm_still_asks(
    live_server, open_page, world
):
    base = live_server.url
    page = open_page(DESKTOP)
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )

    page.goto(f"{base}/care/me/{world['token']}/")  # the elder's page, with its own style
    box = page.get_by_role("button", name="我很好").bounding_box()
    assert box["height"] >= 100  # styled from elder.css, not inline

    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill("shequ")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")
    for path in (
        "/registry/",
        f"/activities/{world['activity'].pk}/",
        "/care/",
        "/activities/calendar/",
        f"/organizations/{world['organization'].pk}/",
    ):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")

    # The member's remove button asks first (kuihua.js, data-confirm); "cancel" keeps her.
    asked: list[str] = []

    def dismiss(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.get_by_role("button", name="移除").first.click()
    page.wait_for_timeout(300)
    assert asked == ["确定移除该成员？"]
    with use_community(world["community"]):
        assert Membership.objects.filter(resident=world["member"]).exists()

    assert refused == []
