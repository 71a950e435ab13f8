"""The HTML pages, from factories: exact content, filters, search, drafts, errors."""

import datetime
import json
import re
from html.parser import HTMLParser
from http import HTTPStatus

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import (
    ActorFactory,
    EventFactory,
    EventRelationFactory,
    MembershipFactory,
    OrganisationFactory,
    ParticipationFactory,
    PassageFactory,
    PeriodFactory,
    PlaceFactory,
    QuoteFactory,
    SourceFactory,
    UserFactory,
)
from timeline.models import ParticipantRole, Status

pytestmark = pytest.mark.django_db


class _Texts(HTMLParser):
    """Collects the text of every element matching a tag and, optionally, a class."""

    def __init__(self, tag, cls):
        super().__init__()
        self.tag, self.cls, self.depth, self.found, self.stack = tag, cls, 0, [], []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self.depth:
            self.depth += tag not in {"br", "img", "input", "meta", "link", "wbr"}
        elif tag == self.tag and (self.cls is None or self.cls in classes):
            self.depth = 1
            self.found.append("")

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.found[-1] += data


def texts(response, tag, cls=None) -> list[str]:
    parser = _Texts(tag, cls)
    parser.feed(response.content.decode())
    return [" ".join(text.split()) for text in parser.found]


@pytest.fixture
def world():
    """A small history: three periods of events, people, organisations, a document."""
    source = SourceFactory(
        slug="article",
        title="The article",
        text=(
            "The COB meeting gathered in Cochabamba on January 22.\n\n"
            "It called a general strike. Solares said “the workers defend real democracy”."
        ),
    )
    cochabamba = PlaceFactory(slug="cochabamba", name="Cochabamba")
    mesa = PeriodFactory(slug="mesa", name="Mesa's government", date_edtf="2003-10/2004-02")
    torres = PeriodFactory(slug="torres", name="Torres government", date_edtf="1970-10/1971-07")
    cob = OrganisationFactory(slug="cob", name="Bolivian Workers' Union", acronym="COB")
    solares = ActorFactory(slug="solares", name="Jaime Solares", description="COB executive secretary.")
    draft_actor = ActorFactory(slug="secret", name="Secret Person", status=Status.DRAFT)
    revolution = EventFactory(
        slug="revolution", title="1952 revolution", date_edtf="1952-04~", event_type="revolution", importance=3
    )
    coup = EventFactory(
        slug="coup", title="Banzer's coup", date_edtf="1971-07-18/1971-07-20", event_type="coup", period=torres
    )
    october = EventFactory(
        slug="october", title="October insurrection", date_edtf="2003-10", event_type="insurrection", period=mesa
    )
    meeting = EventFactory(
        slug="meeting",
        title="COB enlarged meeting",
        summary="The COB called a general strike.",
        date_edtf="2004-01-22",
        date_as_written="January 22",
        date_basis="relative",
        place=cochabamba,
        period=mesa,
        event_type="assembly",
        importance=3,
        notes="A later paragraph places the meeting in La Paz.",
    )
    draft = EventFactory(slug="draft", title="Unpublished event", date_edtf="2004-01-23", status=Status.DRAFT)
    ParticipationFactory(event=meeting, actor=solares, role=ParticipantRole.SPEAKER)
    ParticipationFactory(event=meeting, actor=None, organisation=cob, role=ParticipantRole.ORGANISER)
    ParticipationFactory(event=meeting, actor=draft_actor, role=ParticipantRole.PARTICIPANT)
    ParticipationFactory(event=october, actor=None, organisation=cob, role=ParticipantRole.PARTICIPANT)
    MembershipFactory(actor=solares, organisation=cob, role="executive secretary")
    gathered = PassageFactory(source=source, words="The COB meeting gathered in Cochabamba")
    cochabamba_passage = PassageFactory(source=source, words="Cochabamba")
    strike = PassageFactory(source=source, words="It called a general strike.")
    meeting.passages.add(gathered, strike)
    cochabamba.passages.add(cochabamba_passage)
    solares.passages.add(strike)
    draft.passages.add(strike)
    quote = QuoteFactory(
        slug="democracy",
        passage=PassageFactory(source=source, words="the workers defend real democracy"),
        speaker_actor=solares,
        event=meeting,
    )
    EventRelationFactory(from_event=october, to_event=meeting, relation="led_to")
    return {
        "source": source,
        "meeting": meeting,
        "coup": coup,
        "october": october,
        "revolution": revolution,
        "draft": draft,
        "solares": solares,
        "cob": cob,
        "quote": quote,
        "gathered": gathered,
        "strike": strike,
    }


# The timeline ----------------------------------------------------------------


def test_home_lists_published_events_by_year_and_period_at_their_precision(client, world):
    response = client.get("/")

    assert response.status_code == HTTPStatus.OK
    assert texts(response, "h1") == ["Bolivia: a timeline from the documents"]
    assert texts(response, "h2", "results__count") == ["4 events"]
    assert texts(response, "h3", "year__heading") == ["1952", "1971", "2003", "2004"]
    assert texts(response, "p", "period-run") == [
        "Period: Torres government",
        "Period: Mesa's government",
        "Period: Mesa's government",
    ]
    assert texts(response, "p", "event-card__date") == [
        "c. April 1952",
        "18–20 July 1971",
        "October 2003",
        "22 January 2004",
    ]
    assert texts(response, "h4", "event-card__title") == [
        "1952 revolution",
        "Banzer's coup",
        "October insurrection",
        "COB enlarged meeting",
    ]
    assert texts(response, "p", "event-card__people") == ["Taking part: COB", "Taking part: Jaime Solares, COB"]
    assertContains(
        response, '<span class="event-card__place">in <a href="/places/cochabamba/">Cochabamba</a></span>', html=True
    )
    assertContains(response, '<time datetime="2004-01-22">22 January 2004</time>', html=True)
    assertContains(response, '<time datetime="2003-10">October 2003</time>', html=True)
    assertNotContains(response, "Unpublished event")
    assertNotContains(response, "Secret Person")
    assertContains(response, '<link rel="canonical" href="http://testserver/">', html=True)


def test_home_draws_the_visual_timeline_with_links_and_a_text_alternative(client, world):
    response = client.get("/")

    assert texts(response, "title").count("Visual timeline, 1952–2004") == 2  # wide and narrow drawings
    assert texts(response, "desc")[0] == (
        "4 events from 1952–2004; 2 periods shown as bands. Every event is also listed in words below."
    )
    assertContains(response, '<a href="/events/coup/" class="mark">', count=2)
    assertContains(response, "<title>Banzer&#x27;s coup, 18–20 July 1971</title>", count=2)
    assertContains(response, "<title>Period: Torres government, October 1970 – July 1971</title>", count=2)
    assertContains(response, '<a href="/?date=1965/1991" rel="nofollow">Zoom in', count=1)
    assertNotContains(response, "/events/draft/")


@pytest.mark.parametrize("counted_here", [100, 0], ids=["counted-in-python", "counted-by-the-database"])
def test_a_crowded_figure_marks_major_events_from_every_span_of_its_window(client, monkeypatch, counted_here):
    # Scaled down: past 4 events the figure draws bars, and marks at most 2 major events per half-window.
    monkeypatch.setattr("timeline.views.MAX_MARKS", 4)
    monkeypatch.setattr("timeline.views.MARK_SPANS", 2)
    monkeypatch.setattr("timeline.views.MARKS_PER_SPAN", 2)
    monkeypatch.setattr("timeline.views.MAX_COUNTED_HERE", counted_here)
    for slug, edtf in [
        ("early-a", "1900-01-05"),
        ("early-b", "1901"),
        ("early-c", "1920-03"),
        ("late-a", "1950-07-01"),
    ]:
        EventFactory(slug=slug, title=slug, date_edtf=edtf, importance=3)
    EventFactory(slug="last", title="last", date_edtf="1999-12-31", importance=3)
    EventFactory(slug="minor-1", date_edtf="1930", importance=1)
    EventFactory(slug="minor-2", date_edtf="1960", importance=2)

    response = client.get("/")

    html = response.content.decode()
    marked = re.findall(r'<a href="/events/([a-z0-9-]+)/" class="(?:mark|tick)', html)
    # Drawn twice (wide and narrow): the first two of 1900–1949, the first two of 1950–1999.
    assert marked == ["early-a", "early-b", "late-a", "last"] * 2
    assert texts(response, "desc")[0] == (
        "7 events from 1900–1999; counts per year shown as bars; 4 major events marked. "
        "Every event is also listed in words below."
    )
    assert texts(response, "desc")[1].startswith("7 events from 1900–1999; counts per 2 years shown as bars;")
    assertContains(response, "grey columns count events per year (per 2 years on narrow screens);")
    assertContains(response, '<a href="/?date=1920/1921" class="bar"><title>1920–1921: 1 event (zoom in)</title>')


@pytest.mark.parametrize("path", ["python", "database"])
def test_marks_reach_the_end_of_a_window_that_does_not_start_on_a_round_year(path):
    from timeline.models import Event
    from timeline.views import figure
    from timeline.visual import Window

    events = []
    for year in range(1901, 2001):
        for day in range(1, 6):
            event = Event(slug=f"e-{year}-{day}", title=f"E {year} {day}", date_edtf=f"{year}-01-0{day}")
            event.date_basis, event.importance, event.status = "stated", 3, Status.PUBLISHED
            event.refresh_date()
            events.append(event)
    Event.objects.bulk_create(events)
    queryset = Event.objects.published()
    if path == "python":  # 500 events, all in the window: read once and counted here
        first, last = datetime.date(1901, 1, 1), datetime.date(2000, 1, 5)
        result = figure(queryset, link=str, extent={"first": first, "last": last, "dated": 500})
    else:
        window = Window.covering(datetime.date(1901, 1, 1), datetime.date(2000, 1, 5))
        result = figure(queryset, window=window, limit=window, link=str)

    years = sorted({int(mark.title.split()[1]) for mark in result.marks})
    # 50 spans of two years counted from 1901, the first four major events of each (all four from
    # its first year): the last span, 1999–2000, is marked too.
    assert len(result.marks) == 200
    assert years == list(range(1901, 2000, 2))


@pytest.mark.parametrize("path", ["python", "database"])
def test_a_crowded_window_of_months_marks_each_month_and_counts_earlier_events_in_the_first(path):
    from timeline.models import Event
    from timeline.views import figure
    from timeline.visual import Window

    events = [Event(slug="long", title="E 2003-09", date_edtf="2003-09/2003-12")]
    events += [
        Event(slug=f"e-{m}-{n}", title=f"E {m}", date_edtf=f"{m}-{n % 28 + 1:02d}")
        for m in ("2003-10", "2003-11", "2003-12")
        for n in range(1, 81)
    ]
    for event in events:
        event.date_basis, event.importance, event.status = "stated", 3, Status.PUBLISHED
        event.refresh_date()
    Event.objects.bulk_create(events)
    window = Window.covering(datetime.date(2003, 10, 1), datetime.date(2003, 12, 31), whole_years=False)
    if path == "python":
        result = figure(
            Event.objects.published(),
            window=window,
            limit=window,
            link=str,
            extent={"first": window.start, "last": window.end, "dated": 241},
        )
    else:
        result = figure(Event.objects.published(), window=window, limit=window, link=str)

    # The event from September runs into October: it competes for October's four marks, and is counted there.
    titles = sorted(mark.title.split(",")[0] for mark in result.marks)
    assert titles == ["E 2003-09"] + ["E 2003-10"] * 3 + ["E 2003-11"] * 4 + ["E 2003-12"] * 4
    assert [bar.title for bar in result.bars] == [
        "October 2003: 81 events",
        "November 2003: 80 events",
        "December 2003: 80 events",
    ]


def test_draft_events_are_listed_for_curators(client, world):
    client.force_login(UserFactory(permissions=["timeline.change_event", "timeline.change_actor"]))

    response = client.get("/")

    assert texts(response, "h2", "results__count") == ["5 events"]
    assertContains(response, "Unpublished event")
    assertContains(response, "Secret Person")


@pytest.mark.parametrize(
    ("query", "titles", "filters"),
    [
        ("period=mesa", ["October insurrection", "COB enlarged meeting"], ["Period: Mesa's government"]),
        ("type=coup", ["Banzer's coup"], ["Type: coup"]),
        ("actor=solares", ["COB enlarged meeting"], ["Person: Jaime Solares"]),
        (
            "organisation=cob",
            ["October insurrection", "COB enlarged meeting"],
            ["Organisation: Bolivian Workers' Union (COB)"],
        ),
        ("place=cochabamba", ["COB enlarged meeting"], ["Place: Cochabamba"]),
        ("date=1971", ["Banzer's coup"], ["Date: 1971"]),
        ("date=2003-10", ["October insurrection"], ["Date: October 2003"]),
        (
            "date=2003-10/2004-02",
            ["October insurrection", "COB enlarged meeting"],
            ["Date: October 2003 – February 2004"],
        ),
        ("after=2003", ["October insurrection", "COB enlarged meeting"], ["From: 2003"]),
        ("importance=3", ["1952 revolution", "COB enlarged meeting"], ["Importance: major"]),
        ("period=mesa&actor=solares", ["COB enlarged meeting"], ["Period: Mesa's government", "Person: Jaime Solares"]),
        (
            "date=2003-10/2004-02&type=insurrection",
            ["October insurrection"],
            ["Type: insurrection", "Date: October 2003 – February 2004"],
        ),
    ],
)
def test_each_filter_alone_and_combined(client, world, query, titles, filters):
    response = client.get(f"/?{query}")

    assert response.status_code == HTTPStatus.OK
    assert texts(response, "h4", "event-card__title") == titles
    count = len(titles)
    expected = f"{count} events match" if count != 1 else "1 event matches"
    assert texts(response, "h2", "results__count") == [expected]
    assert texts(response, "span", "active-filter") == filters


def test_search_filter_orders_by_relevance_without_year_headings(client, world):
    response = client.get("/?q=strike")

    assert texts(response, "h3", "event-card__title") == ["COB enlarged meeting"]
    assert texts(response, "h3", "year__heading") == []


def test_remove_filter_links_keep_the_other_filters(client, world):
    response = client.get("/?period=mesa&actor=solares")

    assertContains(response, '<a href="/?actor=solares" class="remove">', count=1)
    assertContains(response, '<a href="/?period=mesa" class="remove">', count=1)


def test_blank_parameters_from_the_form_are_dropped_by_a_redirect(client, world):
    response = client.get("/?q=&date=1971&period=&type=")

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/?date=1971"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date=bogus", "“bogus” is not a valid EDTF date."),
        ("period=nowhere", "Select a valid choice. That choice is not one of the available choices."),
        ("type=picnic", "Select a valid choice. picnic is not one of the available choices."),
        ("actor=secret", "Select a valid choice. That choice is not one of the available choices."),
        ("colour=red", "Unknown parameter “colour”."),
        ("date=1971&date=1972", "Give “date” once."),
    ],
)
def test_invalid_filters_answer_400_with_the_message_and_no_list(client, world, query, message):
    response = client.get(f"/?{query}")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    errors = texts(response, "div", "errors")[0]
    assert message in errors
    assert texts(response, "h2", "results__count") == []
    assert texts(response, "h4", "event-card__title") == []
    assert texts(response, "h2")[-1] == "No results"
    assertNotContains(response, "<svg", status_code=HTTPStatus.BAD_REQUEST)


def test_pages_of_fifty_events(client, world):
    batch = EventFactory.create_batch(60, date_edtf="1999-05-01")

    first = client.get("/")
    later = re.search(r'<a href="([^"]+)" rel="next">', first.content.decode()).group(1).replace("&amp;", "&")
    second = client.get(later)

    assert len(texts(first, "article", "event-card")) == 50
    assert len(texts(second, "article", "event-card")) == 14
    assert texts(first, "nav", "pagination") == ["50 of 64 events, c. April 1952 to 1 May 1999 Later events →"]
    assert texts(second, "nav", "pagination") == [
        "14 of 64 events, 1 May 1999 to 22 January 2004 First page of events ← Earlier events"
    ]
    assert texts(second, "h4", "event-card__title")[:3] == [event.title for event in batch[48:51]]
    # The old numbered links still work; past the end is not found.
    assert texts(client.get("/?page=2"), "h4", "event-card__title") == texts(second, "h4", "event-card__title")
    assert client.get("/?page=9").status_code == HTTPStatus.NOT_FOUND


# Event pages -------------------------------------------------------------------


def test_event_page_shows_everything_the_document_says(client, world):
    response = client.get("/events/meeting/")

    assert response.status_code == HTTPStatus.OK
    assert texts(response, "h1") == ["COB enlarged meeting"]
    assert texts(response, "title") == ["COB enlarged meeting, 22 January 2004 · Bolivia timeline"]
    facts = dict(zip(texts(response, "dt"), texts(response, "dd"), strict=True))
    assert facts == {
        "Date": "22 January 2004",
        "As the document writes it": "“January 22”",
        "How the date was obtained": "Relative to the document’s date",
        "Type": "Assembly",
        "Status in the document": "Occurred",
        "Place": "Cochabamba",
        "Period": "Mesa's government (October 2003 – February 2004)",
    }
    assert texts(response, "ul", "participants") == ["Jaime Solares speaker Bolivian Workers' Union (COB) organiser"]
    assert texts(response, "ul", "related") == ["October insurrection led to this event (October 2003)"]
    assert texts(response, "blockquote") == [
        "“the workers defend real democracy”",
        "The COB meeting gathered in Cochabamba",
        "It called a general strike.",
    ]
    assertContains(
        response,
        f'<a href="/sources/article/#passage-{world["strike"].start}-{world["strike"].end}">Read in context'
        '<span class="visually-hidden">: “It called a general strike.”</span></a>',
        html=True,
    )
    assert texts(response, "section", "notes") == [
        "Notes and contradictions A later paragraph places the meeting in La Paz."
    ]
    assert texts(response, "span", "prev-next__title") == ["October insurrection"]
    assertNotContains(response, "Secret Person")


def test_event_page_previous_and_next_in_time(client, world):
    response = client.get("/events/coup/")

    assert texts(response, "span", "prev-next__title") == ["1952 revolution", "October insurrection"]


def test_event_page_json_ld(client, world):
    response = client.get("/events/meeting/")

    (raw,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S)
    assert json.loads(raw) == {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": "COB enlarged meeting",
        "url": "http://testserver/events/meeting/",
        "description": "The COB called a general strike.",
        "startDate": "2004-01-22",
        "endDate": "2004-01-22",
        "location": {"@type": "Place", "name": "Cochabamba"},
        "performer": [
            {"@type": "Person", "name": "Jaime Solares"},
            {"@type": "Organization", "name": "Bolivian Workers' Union (COB)"},
        ],
    }


def test_json_ld_cannot_close_its_script_element(client, world):
    EventFactory(slug="tricky", title="</script><script>alert(1)</script>")

    content = client.get("/events/tricky/").content.decode()

    assert "</script><script>alert(1)" not in content
    assert "\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)" in content


@pytest.mark.parametrize(
    "url",
    [
        "/events/nope/",
        "/events/draft/",
        "/actors/nope/",
        "/actors/secret/",
        "/organisations/nope/",
        "/places/nope/",
        "/periods/nope/",
        "/sources/nope/",
        "/quotes/nope/",
    ],
)
def test_unknown_slugs_and_drafts_are_not_found(client, world, url):
    response = client.get(url)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert texts(response, "h1") == ["Page not found"]


def test_curators_can_open_draft_events(client, world):
    client.force_login(UserFactory(permissions=["timeline.change_event"]))

    assert client.get("/events/draft/").status_code == HTTPStatus.OK


# Entity pages ------------------------------------------------------------------


def test_actor_page(client, world):
    response = client.get("/actors/solares/")

    assert texts(response, "h1") == ["Jaime Solares"]
    assert texts(response, "p", "record__summary") == ["COB executive secretary."]
    assert texts(response, "ul", "memberships") == ["Bolivian Workers' Union (COB) executive secretary"]
    assert texts(response, "h3", "event-card__title") == ["COB enlarged meeting"]
    assert texts(response, "blockquote") == ["“the workers defend real democracy”", "It called a general strike."]
    assertContains(response, '<a href="/?actor=solares">Show these events on the timeline, with filters</a>', html=True)
    assert texts(response, "title")[1] == "Visual timeline, 2004"


def test_organisation_page(client, world):
    response = client.get("/organisations/cob/")

    assert texts(response, "h1") == ["Bolivian Workers' Union (COB)"]
    assert texts(response, "ul", "memberships") == ["Jaime Solares executive secretary"]
    assert texts(response, "h3", "event-card__title") == ["October insurrection", "COB enlarged meeting"]


def test_place_page(client, world):
    response = client.get("/places/cochabamba/")

    assert texts(response, "h1") == ["Cochabamba"]
    assert texts(response, "h3", "event-card__title") == ["COB enlarged meeting"]
    assert texts(response, "blockquote") == ["Cochabamba"]


def test_period_page(client, world):
    response = client.get("/periods/mesa/")

    assert texts(response, "h1") == ["Mesa's government"]
    assert texts(response, "p", "record__date") == ["October 2003 – February 2004"]
    assert texts(response, "h3", "event-card__title") == ["October insurrection", "COB enlarged meeting"]


def test_quote_page(client, world):
    response = client.get("/quotes/democracy/")

    assert texts(response, "h1") == ["Quotation from Jaime Solares"]
    assert texts(response, "blockquote") == ["“the workers defend real democracy”", "the workers defend real democracy"]
    assertContains(response, '<a href="/events/meeting/">COB enlarged meeting</a>', html=True)


@pytest.mark.parametrize(
    ("url", "heading", "items"),
    [
        ("/actors/", "People", ["Jaime Solares 1 event, 1 quotation COB executive secretary."]),
        ("/organisations/", "Organisations", ["Bolivian Workers' Union (COB) trade union 2 events, 1 person"]),
        ("/places/", "Places", ["Cochabamba city 1 event"]),
        (
            "/periods/",
            "Periods",
            [
                "Torres government October 1970 – July 1971 1 event",
                "Mesa's government October 2003 – February 2004 2 events",
            ],
        ),
    ],
)
def test_lists_with_counts(client, world, url, heading, items):
    response = client.get(url)

    assert texts(response, "h1") == [heading]
    assert texts(response, "ul", "entity-list") + texts(response, "ol", "entity-list") == [" ".join(items)]


def test_list_counts_leave_out_drafts_except_for_curators(client, world):
    ParticipationFactory(event=world["draft"], actor=world["solares"])
    PlaceFactory(slug="oruro", name="Oruro")
    EventFactory(slug="draft-in-cochabamba", date_edtf="1999", place=world["meeting"].place, status=Status.DRAFT)
    EventFactory(slug="draft-under-mesa", date_edtf="2003-11", period=world["meeting"].period, status=Status.DRAFT)
    lists = ("/actors/", "/places/", "/periods/")

    anonymous = [texts(client.get(url), "span", "counts") for url in lists]
    client.force_login(UserFactory(permissions=["timeline.change_event"]))
    curator = [texts(client.get(url), "span", "counts") for url in lists]

    assert anonymous == [["1 event, 1 quotation"], ["1 event", "0 events"], ["1 event", "2 events"]]
    assert curator == [["2 events, 1 quotation"], ["2 events", "0 events"], ["1 event", "3 events"]]


def test_large_counts_are_grouped_in_thousands(client):
    from timeline.models import Actor

    Actor.objects.bulk_create(Actor(slug=f"person-{n}", name=f"Person {n}", status="published") for n in range(1000))

    response = client.get("/actors/")

    assert texts(response, "p", "lede") == ["1,000 people named in the documents."]


def test_list_pages_count_the_rows_of_the_page_shown(client):
    event = EventFactory(slug="strike")
    for n in range(101):
        actor = ActorFactory(slug=f"person-{n:03d}", name=f"Person {n:03d}")
        if n % 50 == 0:
            ParticipationFactory(event=event, actor=actor)

    first, second = client.get("/actors/"), client.get("/actors/?page=2")

    assert texts(first, "p", "lede") == ["101 people named in the documents."]
    first_items = texts(first, "ul", "entity-list")[0]
    assert first_items.startswith("Person 000 1 event Person 001 0 events")
    assert "Person 050 1 event Person 051 0 events" in first_items
    assert texts(second, "ul", "entity-list") == ["Person 100 1 event"]
    assert texts(second, "nav", "pagination")[0].startswith("Page 2 of 2")


# Sources and the reader ----------------------------------------------------------


def test_source_list_pages_the_documents_with_their_own_publications(client):
    for n in range(51):
        document = SourceFactory(slug=f"doc-{n:02d}", title=f"Document {n:02d}", date_edtf=f"19{n:02d}")
        SourceFactory(slug=f"cited-{n:02d}", title=f"Cited by {n:02d}", kind="book", text="", cited_in=document)
    SourceFactory(slug="no-text", title="A document we do not hold", date_edtf="1999", text="")

    first, second = client.get("/sources/"), client.get("/sources/?page=2")

    assert texts(first, "p", "lede") == ["The 52 documents the timeline is built from, and the publications they cite."]
    assert texts(first, "h2")[:2] == ["Document 00", "Document 01"]
    assert len(texts(first, "h2")) == 50
    assert texts(first, "ul", "entity-list")[:2] == ["Cited by 00 book cited 0 times", "Cited by 01 book cited 0 times"]
    assert texts(second, "h2") == ["Document 50", "A document we do not hold"]
    assert texts(second, "ul", "entity-list") == ["Cited by 50 book cited 0 times"]
    assertContains(second, '<a href="/sources/doc-50/">Read the full text</a>', count=1)
    assertNotContains(second, '<a href="/sources/no-text/">Read the full text</a>')


def test_source_list_groups_cited_publications_under_their_document(client, world):
    SourceFactory(
        slug="el-diario", title="El Diario, 23 January 2004", kind="newspaper", text="", cited_in=world["source"]
    )

    response = client.get("/sources/")

    assert texts(response, "h2") == ["The article"]
    assert texts(response, "ul", "entity-list") == ["El Diario, 23 January 2004 newspaper cited 0 times"]


def test_reader_marks_every_passage_with_its_anchor_and_records(client, world):
    response = client.get("/sources/article/")
    gathered, strike = world["gathered"], world["strike"]

    assert response.status_code == HTTPStatus.OK
    assert texts(response, "p", "reader__text") == [
        "The COB meeting gathered in Cochabamba on January 22.",
        "It called a general strike. Solares said “the workers defend real democracy”.",
    ]
    # Nested passages: "Cochabamba" inside "The COB meeting gathered in Cochabamba".
    assert texts(response, "a", "hl") == [
        "The COB meeting gathered in",
        "Cochabamba",
        "It called a general strike.",
        "the workers defend real democracy",
    ]
    assertContains(response, f'<span class="anchor" id="{gathered.anchor}"></span>', html=True)
    assertContains(response, f'<span class="anchor" id="{strike.anchor}"></span>', html=True)
    notes = texts(response, "li", "note")
    assert notes[2] == ("↑ text “It called a general strike.” Event COB enlarged meeting Person Jaime Solares")
    assertNotContains(response, "Unpublished event")


def test_cited_publication_page_lists_the_records_citing_it(client, world):
    cited = SourceFactory(slug="el-diario", title="El Diario", kind="newspaper", text="", cited_in=world["source"])
    cited.passages.add(world["strike"])

    response = client.get("/sources/el-diario/")

    assert texts(response, "h1") == ["El Diario"]
    assert texts(response, "ul", "records") == ["Event COB enlarged meeting Person Jaime Solares Citation El Diario"]


# Search --------------------------------------------------------------------------


def test_search_finds_events_people_organisations_and_quotes(client, world):
    response = client.get("/search/?q=workers")

    assert response.status_code == HTTPStatus.OK
    assert texts(response, "h2") == ["Events (0)", "Actors (0)", "Organisations (1)", "Quotes (1)"]
    assert texts(response, "p", "search-list__title") == [
        "Bolivian Workers' Union (COB)",
        "“the workers defend real democracy”",
    ]
    assertContains(response, "<mark>workers</mark>", count=1)


def test_search_highlights_matches_in_events(client, world):
    response = client.get("/search/?q=strike")

    assert texts(response, "h2")[0] == "Events (1)"
    assertContains(response, "The COB called a general <mark>strike</mark>.", html=False)


def test_search_shows_the_first_twenty_with_the_total_and_leaves_out_drafts(client):
    for n in range(25):
        EventFactory(slug=f"strike-{n:02d}", title=f"Strike {n:02d}", summary="A strike.")
    EventFactory(slug="draft-strike", title="Strike draft", status=Status.DRAFT)

    response = client.get("/search/?q=strike")

    assert texts(response, "h2")[0] == "Events (25)"
    # Equal ranks, so the first twenty made, in that order; never the draft.
    assert texts(response, "p", "search-list__title") == [f"Strike {n:02d} 22 January 2004" for n in range(20)]
    assertContains(response, '<a href="/?q=strike">All 25 matching events on the timeline</a>', html=True)


def test_search_never_shows_drafts(client, world):
    response = client.get("/search/?q=Secret+Person")

    assert texts(response, "p", "results__count") == ["0 results for “Secret Person”."]


def test_search_escapes_what_the_visitor_typed(client, world):
    EventFactory(slug="xss", title="<b>strike</b> with markup")

    typed = client.get("/search/?q=<script>alert(1)</script>").content.decode()
    found = client.get("/search/?q=strike+markup").content.decode()

    assert "<script>alert" not in typed
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in typed
    assert "&lt;b&gt;<mark>strike</mark>&lt;/b&gt; with <mark>markup</mark>" in found


def test_search_refuses_unknown_parameters(client, world):
    response = client.get("/search/?q=strike&page=2")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert texts(response, "div", "errors") == ["Unknown parameter “page”."]


# Errors ----------------------------------------------------------------------------


def test_not_found_page_is_in_the_site_style(client):
    response = client.get("/no/such/page/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert texts(response, "h1") == ["Page not found"]
    assertContains(
        response, '<a class="skip-link" href="#main">Skip to content</a>', html=True, status_code=HTTPStatus.NOT_FOUND
    )


def test_server_error_page_renders_without_a_request_context(rf):
    from timeline.views import server_error

    response = server_error(rf.get("/"))

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "<h1>Something went wrong</h1>" in response.content.decode()
