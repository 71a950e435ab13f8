"""A curator's round trip through the admin, in Debian's Chromium driven by Playwright."""

import importlib
import os
import re

import pytest
from django.contrib.auth.models import Group, Permission

from tests.factories import EventFactory, SourceFactory, UserFactory
from timeline.models import Event, Status

# Playwright's sync API runs an event loop in this thread; the ORM calls here are the test's own.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"
SCREENSHOTS = "/tmp/admin-browser"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium: make browser"),
]


def curator_group():
    """The group migrations 0003 and 0007 make (a transactional test before this one may have flushed it)."""
    migration = importlib.import_module("timeline.migrations.0003_curator_group")
    links = importlib.import_module("timeline.migrations.0007_curator_link_permissions")
    group, _ = Group.objects.get_or_create(name=migration.GROUP)
    codenames = [*migration.codenames(), *links.CODENAMES]
    group.permissions.set(Permission.objects.filter(content_type__app_label="timeline", codename__in=codenames))
    return group


@pytest.fixture
def browser():
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def watch(page, problems):
    """Collect console errors, uncaught exceptions and failed requests.

    The browser's own request for /favicon.ico is not the page's: the site has no favicon yet.
    """

    def on_console(message):
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            problems.append(f"{message.text} {message.location}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response", lambda response: response.status >= 400 and problems.append(f"{response.status} {response.url}")
    )
    return page


def test_curator_fixes_a_date_cites_a_passage_publishes_and_sees_it_public(live_server, browser):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    SourceFactory(title="Bolivia is moving towards a third uprising", slug="third-uprising")
    event = EventFactory(
        title="Indefinite general strike",
        slug="indefinite-general-strike",
        date_edtf="2004-03",
        date_basis="inferred",
        status=Status.DRAFT,
    )
    EventFactory(title="Enlarged meeting", slug="enlarged-meeting")
    curator = UserFactory(username="ana", is_staff=True, password=PASSWORD)
    curator.groups.add(curator_group())
    problems = []
    page = watch(browser.new_page(viewport={"width": 1400, "height": 1000}), problems)

    # Log in.
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "ana")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    # Find the event with search.
    page.goto(f"{live_server.url}/admin/timeline/event/")
    page.fill("#searchbar", "general strike")
    page.press("#searchbar", "Enter")
    page.wait_for_url(re.compile(r".*\?q=general\+strike"))
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert "Indefinite general strike" in rows.first.inner_text()
    page.screenshot(path=f"{SCREENSHOTS}/1-changelist.png", full_page=True)
    rows.first.locator("th a").click()
    page.wait_for_url(re.compile(r".*/admin/timeline/event/\d+/change/.*"))

    # Fix its date, seeing what it means while typing, and cite the passage that states it by pasting the words.
    meaning = page.locator(".field-date_meaning .readonly")
    page.fill("#id_date_edtf", "2004-02-31")
    page.wait_for_selector(".date-meaning.is-invalid")
    assert meaning.inner_text().startswith("Not a valid EDTF date: “2004-02-31” is not a valid EDTF date.")
    page.fill("#id_date_edtf", "2004-02-11/2004-02-12")
    page.fill("#id_date_as_written", "in twenty days time")
    playwright_sync.expect(meaning).to_have_text(
        "11–12 February 2004 · earliest 2004-02-11 · latest 2004-02-12 · range precision"
        " · written “in twenty days time”"
    )
    assert page.locator(".date-meaning.is-invalid").count() == 0
    assert page.get_attribute("#id_date_edtf", "aria-describedby").split()[-1] == "date-meaning"
    page.select_option("#id_date_basis", "relative")
    assert page.locator("#id_Event_passages-0-source option:checked").inner_text() == (
        "Bolivia is moving towards a third uprising"
    )
    page.fill("#id_Event_passages-0-words", "an indefinite general strike in twenty days time")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    assert meaning.inner_text() == (
        "11–12 February 2004 · earliest 2004-02-11 · latest 2004-02-12 · range precision"
        " · written “in twenty days time”"
    )
    assert page.locator(".field-passage_link a").first.inner_text() == "third-uprising 91–139"
    page.screenshot(path=f"{SCREENSHOTS}/2-change-form.png", full_page=True)

    # The history shows the change and the passage it added, by whom.
    page.click("a.historylink")
    page.wait_for_selector("#change-history")
    latest = page.locator("#change-history tbody tr").first.inner_text()
    assert "ana" in latest
    assert "Passages added: “an indefinite general strike in twenty days time” (third-uprising 91–139)" in latest
    page.screenshot(path=f"{SCREENSHOTS}/2b-history.png", full_page=True)

    # Publish it, confirming.
    page.goto(f"{live_server.url}/admin/timeline/event/?q=general+strike")
    page.check("#result_list tbody tr input.action-select")
    page.select_option("select[name=action]", "publish")
    page.click("button[name=index]")
    page.wait_for_selector(".status-confirmation-list")
    page.screenshot(path=f"{SCREENSHOTS}/3-confirm.png", full_page=True)
    page.click("input[type=submit][value='Yes, publish']")
    assert page.locator(".messagelist .success").inner_text() == "1 event published."

    # An anonymous visitor sees the corrected, published event.
    visitor = watch(browser.new_context().new_page(), problems)
    response = visitor.goto(f"{live_server.url}{event.get_absolute_url()}")
    assert response.status == 200
    body = visitor.locator("main").inner_text()
    assert "Indefinite general strike" in body
    assert "11–12 February 2004" in body
    assert "an indefinite general strike in twenty days time" in body
    visitor.screenshot(path=f"{SCREENSHOTS}/4-public.png", full_page=True)

    event.refresh_from_db()
    assert (event.status, event.date_edtf, event.history.first().history_user) == (
        Status.PUBLISHED,
        "2004-02-11/2004-02-12",
        curator,
    )
    assert list(Event.objects.get(pk=event.pk).passages.values_list("start", "end")) == [(91, 139)]
    assert problems == []
