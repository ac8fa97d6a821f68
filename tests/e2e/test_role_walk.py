"""Every role's day without dead ends: each of the six demo logins, on a desktop and on a
360 px phone, opens every link of its menu and every link one level below it.

On each page: no 4xx or 5xx, nothing in English while the language is Chinese, no
internal code shown as text, no sideways scroll, no placeholder page. A small demo
community (the same generator as `kuihua demo`) gives each role real things to open.

Set KUIHUA_E2E_SCREENSHOTS to a folder to keep each role's home page
(`home-<role>-<device>.png`); docs/screenshots/ holds the ones the user guide shows.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kuihua.accounts.models import Role
from kuihua.demo.logins import demo_accounts_ensure
from kuihua.demo.write import generate_community

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "kuihua-walk-pass"
VIEWPORTS = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 360, "height": 740},
    # 长辈模式 on a phone: larger text and targets must still fit 360 px.
    "phone-elder": {"width": 360, "height": 740},
}
# The roles of people on phones, who are the ones to switch 长辈模式 on.
ELDER_ROLES = {Role.RESIDENT, Role.VOLUNTEER, Role.ORG_LEADER, Role.STEWARD}
ROLES = [
    Role.COORDINATOR,
    Role.ORG_LEADER,
    Role.VOLUNTEER,
    Role.RESIDENT,
    Role.STEWARD,
    Role.DISTRICT_VIEWER,
]
# Links that are not pages to read: files, the sign-out, the back office, the API.
SKIPPED = re.compile(
    r"^/(admin|api|i18n|accounts/logout)/|/(pdf|export|download|qr|ics)/?$|\.(pdf|xlsx|csv|ics|png)$"
)
# Words that betray an untranslated page or a value printed raw.
ENGLISH = re.compile(
    r"\b(None|True|False|null|undefined|Not Found|Forbidden|Server Error)\b"
    r"|\b[A-Za-z]{3,}(?: [A-Za-z]{2,}){2,}\b"  # three English words in a row
)
# An internal code (living_alone, no_show …) shown as text.
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"Chromium not found at {CHROMIUM}; browser tests skipped"
    ),
]


@pytest.fixture
def demo(transactional_db):
    community = generate_community(index=1, scale=0.02)
    demo_accounts_ensure(community=community, password=PASSWORD)
    return community


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base_url + "/")


def pattern(path: str) -> str:
    """/activities/12/manage/ and /activities/15/manage/ are one page to check."""
    return re.sub(r"\d+", "N", path)


def page_problems(page, width: int) -> list[str]:
    problems = []
    text = page.inner_text("body")
    if "建设中" in text:
        problems.append("a placeholder page")
    for found in {m.group(0) for m in ENGLISH.finditer(text)}:
        problems.append(f"English text: {found!r}")
    for found in {m.group(0) for m in CODE.finditer(text)}:
        problems.append(f"an internal code: {found!r}")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        problems.append(f"{scroll_width}px wide in a {width}px viewport")
    return problems


def links_in(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        selector, "els => els.map(e => e.getAttribute('href')).filter(h => h)"
    )
    return [h for h in hrefs if h.startswith("/") and not h.startswith("//")]


def walk(page, base_url: str, width: int) -> tuple[list[str], int]:
    """Open every menu link and every link one level below; return the problems found."""
    problems: list[str] = []
    seen: set[str] = set()
    opened = 0

    def visit(path: str, came_from: str) -> bool:
        nonlocal opened
        path = path.split("#")[0]
        if SKIPPED.search(urlsplit(path).path) or pattern(path) in seen:
            return False
        seen.add(pattern(path))
        response = page.goto(base_url + path)
        opened += 1
        status = response.status if response else 0
        if status >= 400:
            problems.append(f"{path} (from {came_from}): HTTP {status}")
            return False
        problems.extend(f"{path}: {p}" for p in page_problems(page, width))
        return True

    page.goto(base_url + "/")
    problems.extend(f"/: {p}" for p in page_problems(page, width))
    menu = links_in(page, "nav.areas a")
    if not menu:
        problems.append("the menu is empty")
    for area in menu:
        if visit(area, "the menu"):
            for below in links_in(page, "main a[href]"):
                visit(below, area)
    return problems, opened


WALKS = [
    (str(role), device)
    for role in ROLES
    for device in VIEWPORTS
    if device != "phone-elder" or role in ELDER_ROLES
]


@pytest.mark.parametrize("role, device", WALKS)
def test_a_role_walks_its_menu_and_one_level_below_without_a_dead_end(
    live_server, open_page, demo, role, device
):
    viewport = VIEWPORTS[device]
    page = open_page(viewport)
    sign_in(page, live_server.url, role)
    if device == "phone-elder":
        page.get_by_role("button", name="长辈模式").click()
        page.wait_for_selector("body.elder-mode")
    folder = os.environ.get("KUIHUA_E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"home-{role}-{device}.png"))

    problems, opened = walk(page, live_server.url, viewport["width"])

    print(f"{role} · {device}: {opened} pages opened")
    assert opened >= 3, f"{role} opened only {opened} pages"
    assert not problems, "\n".join(problems)
