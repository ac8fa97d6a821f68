"""A resident votes on a phone and sees the result after the close (议事会 表决).

A household vote under the template rules (one vote per household, open ballot, more
than half taking part and more than half of them agreeing). At 360 px the three big
buttons fit without sideways scrolling.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tenancy import use_community
from kuihua.council import services
from kuihua.council.models import EligibleVoter, Vote
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
def vote(transactional_db):
    community = CommunityFactory(name="翠苑一区社区", code="cuiyuan-1")
    with use_community(community):
        coordinator = UserFactory(role=Role.COORDINATOR, community=community)
        people = [
            ResidentFactory(household__building__compound__community=community, name=name)
            for name in ("王秀英", "刘建国", "陈美华")
        ]
        UserFactory(
            username="wangxiuying",
            role=Role.RESIDENT,
            community=community,
            resident=people[0],
            display_name="王秀英",
        )
        opened = services.vote_open(
            actor=coordinator,
            title="老年活动室周末开放",
            closes_at=timezone.now() + dt.timedelta(days=3),
        )
        # A neighbour has voted on paper already.
        services.ballot_cast(
            actor=coordinator,
            vote=opened,
            voter=EligibleVoter.objects.get(vote=opened, members__resident=people[1]),
            choice="agree",
            method="paper",
        )
    return {"community": community, "vote": opened, "coordinator": coordinator}


def test_a_resident_votes_on_a_phone_and_sees_the_result_after_the_close(
    live_server, open_page, screenshot, vote
):
    base = live_server.url
    phone = open_page(PHONE)
    phone.goto(base + "/accounts/login/")
    phone.get_by_label("用户名").fill("wangxiuying")
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(base + "/")

    phone.get_by_role("link", name="百姓议事会", exact=True).click()
    phone.get_by_role("link", name="老年活动室周末开放").first.click()
    assert "按议事规则，截止后公布结果" in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "council-vote-1")
    phone.get_by_role("button", name="同意").click()
    phone.get_by_text("投票成功：同意").wait_for()
    assert "✓ 已投票：同意" in phone.get_by_role("region", name="我的投票").inner_text()

    with use_community(vote["community"]):
        services.vote_close(actor=vote["coordinator"], vote=Vote.objects.get(pk=vote["vote"].pk))
    phone.reload()

    result = phone.get_by_role("region", name="表决结果")
    assert "✓ 通过" in result.inner_text()
    assert "参与表决：2/3 人" in result.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "council-vote-2")
