"""A volunteer on a 360 px phone signs up to a full activity, waits, is promoted, reads the inbox.

Sign in, open the activity from the list, tap the one big button, see
"已进入候补，第 1 位". Someone with a place cancels (through the service, as
the organizer's page would); the volunteer is promoted at once and finds the
message in the inbox.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.activities.attendance import CLOSE_EVERY_MINUTES
from kuihua.activities.models import Activity, Signup
from kuihua.activities.signups import services as signups
from kuihua.activities.tests.factories import ActivityFactory, SignupFactory
from kuihua.core.tenancy import use_community
from kuihua.notifications.models import Message
from kuihua.organizations.tests.factories import MembershipFactory, OrganizationFactory
from kuihua.registry.tests.factories import CommunityFactory

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "kuihua-test-pass"
PHONE = {"width": 360, "height": 780}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"Chromium not found at {CHROMIUM}; browser tests skipped"
    ),
]


@pytest.fixture
def full_activity(transactional_db):
    """A two-place activity already full, and a volunteer of the organization with an account."""
    community = CommunityFactory(name="翠苑一区社区", code="cuiyuan-1")
    with use_community(community):
        org = OrganizationFactory(community=community, name="翠苑志愿服务队")
        activity = ActivityFactory(
            community=community, organization=org, title="疫苗接种引导", places=2
        )
        holders = SignupFactory.create_batch(2, activity=activity)
        member = MembershipFactory(organization=org)
        volunteer = UserFactory(
            username="xiaoli",
            role=Role.VOLUNTEER,
            community=community,
            resident=member.resident,
            display_name="小李",
        )
    return {
        "community": community,
        "activity": activity,
        "holders": holders,
        "volunteer": volunteer,
    }


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base_url + "/")


def assert_no_horizontal_scroll(page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"page is {scroll_width}px wide in a {width}px viewport"


def test_waitlisted_on_a_phone_then_promoted_and_told_in_the_inbox(
    live_server, open_page, screenshot, full_activity
):
    page = open_page(PHONE)
    activity = full_activity["activity"]
    sign_in(page, live_server.url, "xiaoli")

    # The volunteer finds the activity among those open to them
    page.goto(f"{live_server.url}/activities/?mine=1")
    page.get_by_role("link", name="疫苗接种引导").click()
    page.get_by_role("heading", name="疫苗接种引导").wait_for()
    assert "名额已满" in page.locator("#signup-panel").inner_text()
    assert_no_horizontal_scroll(page, PHONE["width"])
    screenshot(page, "signup-1-full")

    # One tap on the big button: waitlisted, with the position shown
    page.get_by_role("button", name="报名候补").click()
    page.get_by_text("已进入候补，第 1 位").wait_for()
    assert "您在候补名单中，第 1 位" in page.locator("#signup-panel").inner_text()
    assert_no_horizontal_scroll(page, PHONE["width"])
    screenshot(page, "signup-2-waitlisted")

    # Someone with a place cancels
    with use_community(full_activity["community"]):
        holder = full_activity["holders"][0]
        signups.signup_cancel(actor=None, signup=Signup.objects.get(pk=holder.pk))
        mine = Signup.objects.get(activity=activity, resident=full_activity["volunteer"].resident)
        assert mine.status == Signup.Status.CONFIRMED
        assert Activity.objects.get(pk=activity.pk).places_taken == 2
        assert Message.objects.filter(recipient=full_activity["volunteer"]).exists()

    # The volunteer finds the message in the inbox and their place on the page
    page.goto(f"{live_server.url}/inbox/")
    page.get_by_text(re.compile("候补转正.*疫苗接种引导")).first.wait_for()
    assert_no_horizontal_scroll(page, PHONE["width"])
    screenshot(page, "signup-3-inbox")

    page.goto(f"{live_server.url}/activities/{activity.pk}/")
    page.get_by_text("您已报名").wait_for()
    screenshot(page, "signup-4-confirmed")


@pytest.fixture
def starting_activity(transactional_db):
    """An activity starting in a few minutes, two people signed up, its organization's leader."""
    import datetime as dt

    from django.utils import timezone

    from kuihua.organizations.models import Membership

    community = CommunityFactory(name="翠苑一区社区", code="cuiyuan-1")
    with use_community(community):
        org = OrganizationFactory(community=community, name="翠苑志愿服务队")
        starts = timezone.now() + dt.timedelta(minutes=5)
        activity = ActivityFactory(
            community=community,
            organization=org,
            title="楼道清洁",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
        )
        came, absent = SignupFactory.create_batch(2, activity=activity)
        leader = MembershipFactory(organization=org, role=Membership.Role.LEADER)
        UserFactory(
            username="duizhang", role=Role.ORG_LEADER, community=community, resident=leader.resident
        )
    return {"activity": activity, "came": came, "absent": absent}


def test_the_organizer_marks_arrival_and_calls_someone_on_a_phone(
    live_server, open_page, screenshot, starting_activity
):
    from playwright.sync_api import expect

    activity, came, absent = (starting_activity[k] for k in ("activity", "came", "absent"))
    page = open_page(PHONE)
    sign_in(page, live_server.url, "duizhang")
    page.goto(f"{live_server.url}/activities/{activity.pk}/manage/")
    close = f"结束后约 {CLOSE_EVERY_MINUTES} 分钟内自动签退并生成服务记录"
    assert close in page.locator("#live").inner_text()

    # 到场, a few minutes early: the row says so
    row = page.locator("table.signups tbody tr", has_text=came.resident.name)
    row.get_by_role("button", name="到场").click()
    said = row.get_by_role("status")
    said.wait_for()
    assert f"已提前记录 {came.resident.name} 到场" in said.inner_text()
    assert_no_horizontal_scroll(page, PHONE["width"])
    screenshot(page, "signup-5-marked")

    # 查看电话: the whole number, to call
    other = page.locator("table.signups tbody tr", has_text=absent.resident.name)
    phone = absent.resident.phone
    assert phone not in other.inner_text()
    other.get_by_role("button", name="查看电话").click()
    other.get_by_role("link", name=phone).wait_for()
    assert other.get_by_role("link", name=phone).get_attribute("href") == f"tel:{phone}"
    screenshot(page, "signup-6-phone")

    # The list refreshes itself (as its poll does): the number stays shown, the word goes
    with page.expect_response(lambda r: r.url.endswith("/manage/")):
        page.evaluate("htmx.ajax('GET', location.pathname, {target: '#live', swap: 'innerHTML'})")
    expect(page.locator("#live [role=status]")).to_have_count(0, timeout=5000)
    assert other.get_by_role("link", name=phone).is_visible()
