"""A reader's round trip in a real Chromium: timeline, filter, event, document and back."""

import re

import pytest

from tests.browser.conftest import screenshot
from tests.factories import (
    ActorFactory,
    EventFactory,
    OrganisationFactory,
    ParticipationFactory,
    PassageFactory,
    PeriodFactory,
    PlaceFactory,
    SourceFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "Bolivia is moving towards a third uprising\n\n"
    "The national enlarged meeting of the Bolivian Workers’ Union (COB) gathered in Cochabamba on January 22, "
    "and decided to call for an indefinite general strike with road blockades in twenty days time.\n\n"
    "In October 2003 an insurrectional general strike overthrew Sanchez de Lozada."
)


@pytest.fixture
def history():
    source = SourceFactory(slug="article", title="Bolivia is moving towards a third uprising", text=TEXT)
    mesa = PeriodFactory(slug="mesa", name="Carlos Mesa's government", date_edtf="2003-10/2004-02")
    PeriodFactory(slug="torres", name="Torres government", date_edtf="1970-10/1971-07")
    cochabamba = PlaceFactory(slug="cochabamba", name="Cochabamba")
    cob = OrganisationFactory(slug="cob", name="Bolivian Workers’ Union", acronym="COB")
    solares = ActorFactory(slug="solares", name="Jaime Solares")
    EventFactory(
        slug="revolution", title="1952 revolution", date_edtf="1952-04~", event_type="revolution", importance=3
    )
    EventFactory(slug="coup", title="Banzer's coup", date_edtf="1971-07-18", event_type="coup", importance=3)
    october = EventFactory(
        slug="october", title="October 2003 insurrection", date_edtf="2003-10", event_type="insurrection", period=mesa
    )
    meeting = EventFactory(
        slug="meeting",
        title="COB national enlarged meeting",
        summary="The COB called an indefinite general strike with road blockades.",
        date_edtf="2004-01-22",
        event_type="assembly",
        importance=3,
        place=cochabamba,
        period=mesa,
    )
    ParticipationFactory(event=meeting, actor=None, organisation=cob, role="organiser")
    ParticipationFactory(event=meeting, actor=solares, role="speaker")
    meeting.passages.add(PassageFactory(source=source, words="gathered in Cochabamba on January 22"))
    october.passages.add(PassageFactory(source=source, words="an insurrectional general strike"))
    for year in range(1917, 2008, 9):
        EventFactory(slug=f"context-{year}", title=f"Context {year}", date_edtf=str(year), importance=1)


def test_reader_round_trip_on_a_desktop(browser_page, history):
    page = browser_page(width=1280)

    page.goto(page.base_url + "/")
    assert page.locator("h1").inner_text() == "Bolivia: a timeline from the documents"
    assert page.locator("svg.timeline-svg--wide").is_visible()
    assert page.locator("svg.timeline-svg--narrow").is_hidden()
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") == (
        "rgb(19, 41, 61)"
    ), "the stylesheet did not load"
    page.focus("svg.timeline-svg--wide a.mark--major")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "/events/revolution/"
    screenshot(page, "home-1280")

    page.select_option("#id_period", "mesa")
    page.click("text=Apply filters")
    page.wait_for_url(re.compile(r"/\?period=mesa$"))
    assert page.locator(".results__count").inner_text() == "2 events match"
    assert page.locator(".event-card__title").all_inner_texts() == [
        "October 2003 insurrection",
        "COB national enlarged meeting",
    ]
    screenshot(page, "filtered-1280")

    page.locator(".event-card__title a", has_text="COB national enlarged meeting").click()
    page.wait_for_url(re.compile(r"/events/meeting/$"))
    assert page.locator("h1").inner_text() == "COB national enlarged meeting"
    screenshot(page, "event-1280")

    page.locator("a", has_text="Read in context").first.click()
    page.wait_for_url(re.compile(r"/sources/article/#passage-\d+-\d+$"))
    anchor = page.url.split("#")[1]
    assert page.locator(f".hl.is-target[data-passages~='{anchor}']").inner_text() == (
        "gathered in Cochabamba on January 22"
    )
    screenshot(page, "reader-1280")

    page.locator(f"#note-{anchor} a", has_text="COB national enlarged meeting").click()
    page.wait_for_url(re.compile(r"/events/meeting/$"))
    page.go_back()
    page.wait_for_url(re.compile(r"/sources/article/#passage-"))

    page.goto(page.base_url + "/?date=nonsense")
    assert page.locator(".errors").inner_text().startswith("These filters cannot be applied")
    assert page.locator(".event-card").count() == 0
    page.problems = [p for p in page.problems if "status of 400" not in p]  # the page itself answers 400

    assert page.problems == []


def test_pages_read_well_on_a_phone(browser_page, history):
    page = browser_page(width=375, height=812)

    for path, name in [
        ("/", "home-375"),
        ("/?date=2003-10/2004-02", "zoomed-375"),
        ("/events/meeting/", "event-375"),
        ("/sources/article/", "reader-375"),
        ("/actors/solares/", "actor-375"),
        ("/search/?q=strike", "search-375"),
    ]:
        page.goto(page.base_url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, f"{path} scrolls sideways"
        assert page.locator("h1").count() == 1
        screenshot(page, name)

    page.goto(page.base_url + "/")
    assert page.locator("svg.timeline-svg--narrow").is_visible()
    assert page.locator("svg.timeline-svg--wide").is_hidden()
    assert page.problems == []
