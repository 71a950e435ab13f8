"""/api/v1/quotes/: list, detail, filters, ordering, strictness, draft speakers and events, query counts."""

from http import HTTPStatus

import pytest

from tests.api.helpers import (
    BASE,
    INVALID_EDTF,
    NO_SUCH_CHOICE,
    STAMP,
    UNDATED,
    assert_invalid_query,
    choice_error,
    passage_summary,
    slugs,
    stamp,
    summary,
)
from tests.factories import (
    ActorFactory,
    EventFactory,
    OrganisationFactory,
    PassageFactory,
    QuoteFactory,
    SourceFactory,
)
from timeline.models import Passage

pytestmark = pytest.mark.django_db

LETTER_TEXT = "Dear comrades, the strike goes on."


@pytest.fixture
def quotes():
    article = SourceFactory(slug="article", title="The third uprising")
    letter = SourceFactory(slug="letter", title="A letter", text=LETTER_TEXT, date_edtf="2004-02")
    radio = SourceFactory(slug="radio", title="Radio Erbol", kind="radio", text="")
    solares = ActorFactory(slug="solares", name="Jaime Solares")
    quiroga = ActorFactory(slug="quiroga", name="Jorge Quiroga", status="draft")
    cob = OrganisationFactory(slug="cob", name="Bolivian Workers' Centre", acronym="COB")
    secret = OrganisationFactory(slug="secret", name="Secret committee", status="draft")
    meeting = EventFactory(slug="meeting", title="COB enlarged meeting")
    draft_event = EventFactory(slug="draft-event", title="Secret talks", status="draft")
    democracy = QuoteFactory(
        slug="democracy",
        text="the workers defend real democracy",
        passage=PassageFactory(source=article, words="the workers defend real democracy"),
        speaker_actor=solares,
        source=radio,
        event=meeting,
        date_edtf="2004-01-23",
        date_as_written="the next day",
        notes="Also on the radio.",
    )
    democracy.attribution_passages.add(PassageFactory(source=article, words="The leader said"))
    made = [
        democracy,
        QuoteFactory(
            slug="strike-call",
            text="indefinite general strike",
            passage=PassageFactory(source=article, words="indefinite general strike"),
            speaker_actor=None,
            speaker_organisation=cob,
            event=draft_event,
            date_edtf="2004-01-22",
        ),
        QuoteFactory(
            slug="masses",
            text="the strike goes on",
            passage=PassageFactory(source=letter, words="the strike goes on"),
            speaker_actor=None,
            speaker_description="the masses in the square",
            date_edtf="",
            date_basis="",
        ),
        QuoteFactory(
            slug="adviser",
            text="gathered in Cochabamba",
            passage=PassageFactory(source=article, words="gathered in Cochabamba"),
            speaker_actor=quiroga,
            speaker_organisation=secret,
            speaker_description="an adviser",
            date_edtf="1971",
        ),
    ]
    stamp(*made)


DEMOCRACY = {
    "slug": "democracy",
    "text": "the workers defend real democracy",
    "passage": passage_summary("article", 158, 191, "the workers defend real democracy"),
    "speaker": "Jaime Solares",
    "speaker_actor": summary("actors", "solares", "Jaime Solares"),
    "speaker_organisation": None,
    "speaker_description": "",
    "source": summary("sources", "radio", "Radio Erbol"),
    "event": summary("events", "meeting", "COB enlarged meeting"),
    "date": {
        "edtf": "2004-01-23",
        "earliest": "2004-01-23",
        "latest": "2004-01-23",
        "display": "23 January 2004",
        "precision": "day",
        "approximate": False,
        "uncertain": False,
        "as_written": "the next day",
        "basis": "stated",
        "note": "",
    },
    "attribution_passages": [passage_summary("article", 141, 156, "The leader said")],
    "notes": "Also on the radio.",
    "url": f"{BASE}/api/v1/quotes/democracy/",
    "site_url": f"{BASE}/quotes/democracy/",
    "created_at": STAMP,
    "updated_at": STAMP,
}
STRIKE_CALL = {
    **DEMOCRACY,
    "slug": "strike-call",
    "text": "indefinite general strike",
    "passage": passage_summary("article", 94, 119, "indefinite general strike"),
    "speaker": "Bolivian Workers' Centre (COB)",
    "speaker_actor": None,
    "speaker_organisation": summary("organisations", "cob", "Bolivian Workers' Centre"),
    "source": None,
    "event": None,
    "date": {
        **DEMOCRACY["date"],
        "edtf": "2004-01-22",
        "earliest": "2004-01-22",
        "latest": "2004-01-22",
        "display": "22 January 2004",
        "as_written": "",
    },
    "attribution_passages": [],
    "notes": "",
    "url": f"{BASE}/api/v1/quotes/strike-call/",
    "site_url": f"{BASE}/quotes/strike-call/",
}
MASSES = {
    **STRIKE_CALL,
    "slug": "masses",
    "text": "the strike goes on",
    "passage": passage_summary("letter", 15, 33, "the strike goes on"),
    "speaker": "the masses in the square",
    "speaker_organisation": None,
    "speaker_description": "the masses in the square",
    "date": UNDATED,
    "url": f"{BASE}/api/v1/quotes/masses/",
    "site_url": f"{BASE}/quotes/masses/",
}
ADVISER = {
    **STRIKE_CALL,
    "slug": "adviser",
    "text": "gathered in Cochabamba",
    "passage": passage_summary("article", 43, 65, "gathered in Cochabamba"),
    "speaker": "an adviser",
    "speaker_organisation": None,
    "speaker_description": "an adviser",
    "date": {
        **DEMOCRACY["date"],
        "edtf": "1971",
        "earliest": "1971-01-01",
        "latest": "1971-12-31",
        "display": "1971",
        "precision": "year",
        "as_written": "",
    },
    "url": f"{BASE}/api/v1/quotes/adviser/",
    "site_url": f"{BASE}/quotes/adviser/",
}


def test_quote_list_is_in_date_order_without_drafts_in_summaries(client, quotes):
    response = client.get("/api/v1/quotes/")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"next": None, "previous": None, "results": [ADVISER, STRIKE_CALL, DEMOCRACY, MASSES]}


def test_quote_detail_is_the_whole_record(client, quotes):
    response = client.get("/api/v1/quotes/democracy/")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == DEMOCRACY


def test_draft_event_is_hidden_from_a_quotes_event_summary(client, curator_client, quotes):
    assert client.get("/api/v1/quotes/strike-call/").json()["event"] is None
    assert curator_client.get("/api/v1/quotes/strike-call/").json()["event"] == summary(
        "events", "draft-event", "Secret talks"
    )


def test_draft_speakers_are_hidden_from_anonymous_clients(client, curator_client, quotes):
    anonymous = client.get("/api/v1/quotes/adviser/").json()
    curator = curator_client.get("/api/v1/quotes/adviser/").json()

    assert (anonymous["speaker"], anonymous["speaker_actor"], anonymous["speaker_organisation"]) == (
        "an adviser",
        None,
        None,
    )
    assert (curator["speaker"], curator["speaker_actor"], curator["speaker_organisation"]) == (
        "Jorge Quiroga, Secret committee",
        summary("actors", "quiroga", "Jorge Quiroga"),
        summary("organisations", "secret", "Secret committee"),
    )


def test_quote_detail_of_unknown_slug_is_404(client, quotes):
    response = client.get("/api/v1/quotes/nothing/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"detail": "No Quote matches the given query."}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["adviser", "strike-call", "democracy", "masses"]),
        ("actor=solares", ["democracy"]),
        ("organisation=cob", ["strike-call"]),
        ("event=meeting", ["democracy"]),
        ("source=article", ["adviser", "strike-call", "democracy"]),
        ("source=letter", ["masses"]),
        ("source=radio", []),
        ("after=2004", ["strike-call", "democracy"]),
        ("after=2004-01-23", ["democracy"]),
        ("before=2000", ["adviser"]),
        ("before=2004-01-22", ["adviser", "strike-call"]),
        ("q=democracy", ["democracy"]),
        ("q=masses", ["masses"]),
        ("q=nothing", []),
        ("source=article&after=2004", ["strike-call", "democracy"]),
        ("actor=solares&event=meeting", ["democracy"]),
        ("organisation=cob&before=2000", []),
        ("source=article&ordering=-date", ["democracy", "strike-call", "adviser"]),
        ("ordering=date", ["adviser", "strike-call", "democracy", "masses"]),
        ("ordering=-date", ["democracy", "strike-call", "adviser", "masses"]),
    ],
)
def test_quote_filters_alone_and_combined(client, quotes, query, expected):
    assert slugs(client.get(f"/api/v1/quotes/?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("actor=quiroga", ["adviser"]),
        ("organisation=secret", ["adviser"]),
        ("event=draft-event", ["strike-call"]),
    ],
)
def test_curators_filter_quotes_by_drafts_too(curator_client, quotes, query, expected):
    assert slugs(curator_client.get(f"/api/v1/quotes/?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("colour=red", {"colour": ["Unknown parameter “colour”."]}),
        ("speaker=solares", {"speaker": ["Unknown parameter “speaker”."]}),
        ("actor=nobody", {"actor": [NO_SUCH_CHOICE]}),
        ("actor=quiroga", {"actor": [NO_SUCH_CHOICE]}),
        ("organisation=nobody", {"organisation": [NO_SUCH_CHOICE]}),
        ("organisation=secret", {"organisation": [NO_SUCH_CHOICE]}),
        ("event=nothing", {"event": [NO_SUCH_CHOICE]}),
        ("event=draft-event", {"event": [NO_SUCH_CHOICE]}),
        ("source=nothing", {"source": [NO_SUCH_CHOICE]}),
        ("after=January", {"after": [INVALID_EDTF]}),
        ("before=1972/1971", {"before": ["“1972/1971” ends before it starts."]}),
        ("ordering=title", {"ordering": [choice_error("title")]}),
        ("q=a&q=b", {"q": ["Give “q” once."]}),
        ("page_size=0", {"page_size": ["“page_size” must be a whole number from 1 to 100; got “0”."]}),
    ],
)
def test_invalid_quote_query_is_400_naming_the_parameter(client, quotes, query, errors):
    assert_invalid_query(client.get(f"/api/v1/quotes/?{query}"), errors)


def test_quote_pages(client, quotes):
    second = client.get("/api/v1/quotes/?page_size=3&page=2").json()

    assert second == {"next": None, "previous": f"{BASE}/api/v1/quotes/?page_size=3", "results": [MASSES]}


def test_quote_queries_are_bounded(client, quotes, django_assert_max_num_queries):
    passage, attribution = Passage.objects.get(slug="article-158-191"), Passage.objects.get(slug="article-141-156")
    speaker, event = ActorFactory(slug="solares"), EventFactory(slug="meeting")
    for quote in QuoteFactory.create_batch(30, passage=passage, speaker_actor=speaker, event=event):
        quote.attribution_passages.add(attribution)

    with django_assert_max_num_queries(3):
        assert len(slugs(client.get("/api/v1/quotes/?page_size=100"))) == 34
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/quotes/democracy/").status_code == HTTPStatus.OK
