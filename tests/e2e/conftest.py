"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread; Django refuses ORM
calls from a thread with a running loop unless told that this is deliberate.
Set KUIHUA_E2E_SCREENSHOTS to a directory to keep a screenshot of each page visited.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser):
    """A fresh browser context (no cookies) with the given viewport; closed after the test."""
    contexts = []

    def make(viewport: dict):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    """screenshot(page, name): saves to $KUIHUA_E2E_SCREENSHOTS when set, else does nothing."""
    folder = os.environ.get("KUIHUA_E2E_SCREENSHOTS")

    def take(page, name: str) -> None:
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def ledger_flushable(transactional_db):
    """A live-server test whose data posts ledger entries.

    The ledger's triggers refuse to delete a posted entry (docs/adr/0014); the flush
    after the test goes through the ledger's own `flush` command, which lifts them on
    SQLite for the flush only (PostgreSQL truncates, which row triggers do not see).
    """
    return
