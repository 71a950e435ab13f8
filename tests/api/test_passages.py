"""/api/v1/passages/: list, detail, the source filter, strictness and query counts."""

from http import HTTPStatus

import pytest

from tests.api.helpers import BASE, NO_SUCH_CHOICE, STAMP, assert_invalid_query, slugs, stamp
from tests.factories import PassageFactory, SourceFactory

pytestmark = pytest.mark.django_db

LETTER_TEXT = "Dear comrades, the strike goes on."


@pytest.fixture
def passages():
    article = SourceFactory(slug="article", title="The third uprising")
    letter = SourceFactory(slug="letter", title="A letter", text=LETTER_TEXT)
    made = [
        PassageFactory(source=article, words="gathered in Cochabamba", note="The place of the meeting."),
        PassageFactory(source=article, words="national enlarged meeting"),
        PassageFactory(source=letter, words="the strike goes on"),
    ]
    stamp(*made)


MEETING_PLACE = {
    "slug": "article-43-65",
    "source": {"slug": "article", "name": "The third uprising", "url": f"{BASE}/api/v1/sources/article/"},
    "start": 43,
    "end": 65,
    "text": "gathered in Cochabamba",
    "note": "The place of the meeting.",
    "url": f"{BASE}/api/v1/passages/article-43-65/",
    "site_url": f"{BASE}/sources/article/#passage-43-65",
    "created_at": STAMP,
    "updated_at": STAMP,
}
NATIONAL_MEETING = {
    "slug": "article-4-29",
    "source": {"slug": "article", "name": "The third uprising", "url": f"{BASE}/api/v1/sources/article/"},
    "start": 4,
    "end": 29,
    "text": "national enlarged meeting",
    "note": "",
    "url": f"{BASE}/api/v1/passages/article-4-29/",
    "site_url": f"{BASE}/sources/article/#passage-4-29",
    "created_at": STAMP,
    "updated_at": STAMP,
}
STRIKE = {
    "slug": "letter-15-33",
    "source": {"slug": "letter", "name": "A letter", "url": f"{BASE}/api/v1/sources/letter/"},
    "start": 15,
    "end": 33,
    "text": "the strike goes on",
    "note": "",
    "url": f"{BASE}/api/v1/passages/letter-15-33/",
    "site_url": f"{BASE}/sources/letter/#passage-15-33",
    "created_at": STAMP,
    "updated_at": STAMP,
}


def test_passage_list_is_in_source_then_document_order(client, passages):
    """Sources in the order they were added (the article, then the letter), each in document order."""
    response = client.get("/api/v1/passages/")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"next": None, "previous": None, "results": [NATIONAL_MEETING, MEETING_PLACE, STRIKE]}


def test_passage_detail_is_the_whole_record(client, passages):
    response = client.get("/api/v1/passages/article-43-65/")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == MEETING_PLACE


def test_passage_detail_of_unknown_slug_is_404(client, passages):
    response = client.get("/api/v1/passages/article-0-1/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"detail": "No Passage matches the given query."}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("source=article", ["article-4-29", "article-43-65"]),
        ("source=letter", ["letter-15-33"]),
        ("source=article&page_size=1&page=2", ["article-43-65"]),
    ],
)
def test_passage_filter_by_source(client, passages, query, expected):
    assert slugs(client.get(f"/api/v1/passages/?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("colour=red", {"colour": ["Unknown parameter “colour”."]}),
        ("ordering=start", {"ordering": ["Unknown parameter “ordering”."]}),
        ("q=strike", {"q": ["Unknown parameter “q”."]}),
        ("source=nothing", {"source": [NO_SUCH_CHOICE]}),
        ("source=article&source=letter", {"source": ["Give “source” once."]}),
        ("page_size=2.5", {"page_size": ["“page_size” must be a whole number from 1 to 100; got “2.5”."]}),
    ],
)
def test_invalid_passage_query_is_400_naming_the_parameter(client, passages, query, errors):
    assert_invalid_query(client.get(f"/api/v1/passages/?{query}"), errors)


def test_passage_pages(client, passages):
    first = client.get("/api/v1/passages/?page_size=2").json()

    assert first == {
        "next": f"{BASE}/api/v1/passages/?page=2&page_size=2",
        "previous": None,
        "results": [NATIONAL_MEETING, MEETING_PLACE],
    }


def test_passage_queries_are_bounded(client, passages, django_assert_max_num_queries):
    source = SourceFactory(slug="long", text="word " * 40)
    for start in range(0, 150, 5):
        PassageFactory(source=source, words="word", span=start)

    with django_assert_max_num_queries(2):
        assert len(slugs(client.get("/api/v1/passages/?page_size=100"))) == 33
    with django_assert_max_num_queries(2):
        assert client.get("/api/v1/passages/article-43-65/").status_code == HTTPStatus.OK


def test_passage_list_reads_no_source_text(client, passages, django_assert_max_num_queries):
    """A page of passages names each source; it never reads the documents' whole texts."""
    with django_assert_max_num_queries(2) as captured:
        response = client.get("/api/v1/passages/")

    assert response.status_code == HTTPStatus.OK
    assert [query["sql"] for query in captured.captured_queries if '"timeline_source"."text"' in query["sql"]] == []
