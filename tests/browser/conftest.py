"""Shared browser fixtures: Debian's Chromium driven by Playwright against the live server.

``browser_page(width=1280)`` opens a new page at that viewport width. Each page
records console errors, uncaught exceptions and failed requests in
``page.problems``; a test asserts it is empty. Never downloads a browser.
"""

import os
from pathlib import Path

import pytest
from django.db import connections

# Playwright's sync API runs an event loop in the test's thread; the ORM calls there are the test's own.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture
def browser_page(live_server):
    """A function opening a watched Chromium page: ``page = browser_page(width=375)``."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium: make browser")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def open_page(width=1280, height=900):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.problems = []
            page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
            page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
            page.on("requestfailed", lambda r: record_failure(page, r))
            page.base_url = live_server.url
            return page

        yield open_page
        # The ORM calls made while Playwright's loop runs (the test's factories) have a connection of
        # their own: close it, or PostgreSQL refuses to drop the test database at the end of the run.
        connections.close_all()
        browser.close()


def record_failure(page, request):
    # A request the browser cancels because the test navigated on (the favicon, typically) did not fail.
    if request.failure != "net::ERR_ABORTED":
        page.problems.append(f"failed: {request.url} {request.failure}")


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
