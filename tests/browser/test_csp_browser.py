"""Every kind of page runs under the Content-Security-Policy in real Chromium: no violation, no error.

Public pages get the strict policy (JSON-LD is data, not script); the admin, the
Swagger UI and DRF's browsable API get inline styles only, never inline scripts.
"""

import pytest

from tests.factories import EventFactory, SourceFactory, UserFactory
from timeline.models import Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password-42"


def problems(page) -> list[str]:
    """What went wrong, less the favicon.ico the browser asks for on pages without an icon (admin, JSON)."""
    return [problem for problem in page.problems if "status of 404" not in problem]


PUBLIC = ["/", "/events/meeting/", "/sources/article/", "/search/?q=strike", "/actors/", "/health/"]
CURATOR = [
    "/admin/",
    "/admin/timeline/event/",
    "/admin/timeline/event/add/",
    "/api/docs/",
    "/api/v1/events/",
    "/api/v1/events/meeting/",
]


@pytest.fixture
def records():
    SourceFactory(slug="article")
    event = EventFactory(slug="meeting", title="General strike <script>alert(1)</script>", status=Status.PUBLISHED)
    UserFactory(username="root", is_staff=True, is_superuser=True, password=PASSWORD)
    return event


def test_public_pages_have_no_csp_violation(browser_page, records):
    page = browser_page()
    for url in PUBLIC:
        response = page.goto(page.base_url + url)
        page.wait_for_load_state("networkidle")
        policy = response.headers["content-security-policy"]
        assert "'unsafe-inline'" not in policy, url
        assert problems(page) == [], url


def test_admin_docs_and_browsable_api_have_no_csp_violation(browser_page, records):
    page = browser_page()
    page.goto(f"{page.base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{page.base_url}/admin/")
    for url in [*CURATOR, f"/admin/timeline/event/{records.pk}/change/"]:
        response = page.goto(page.base_url + url)
        page.wait_for_load_state("networkidle")
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy.split("; "), url
        assert problems(page) == [], url
    # The Swagger UI really ran (its script is a file, not inline).
    page.goto(f"{page.base_url}/api/docs/")
    page.wait_for_selector(".swagger-ui .information-container", timeout=10_000)
    # The title with a script tag is shown as text in the admin.
    page.goto(f"{page.base_url}/admin/timeline/event/")
    assert "General strike <script>alert(1)</script>" in page.locator("#result_list").inner_text()
    assert problems(page) == []
