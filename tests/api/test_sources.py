"""/api/v1/sources/: list, detail, filters, ordering, strictness, draft outlets and query counts."""

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
from tests.factories import ARTICLE_TEXT, OrganisationFactory, PassageFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sources():
    econoticias = OrganisationFactory(slug="econoticias", name="Econoticias", kind="media")
    la_razon = OrganisationFactory(slug="la-razon-paper", name="La Razón", kind="media", status="draft")
    article = SourceFactory(
        slug="article",
        title="The third uprising",
        kind="article",
        author="A correspondent",
        outlet=econoticias,
        language="en",
        url="https://example.org/third-uprising",
        date_edtf="2004-01-26/2004-01-31",
        date_basis="inferred",
    )
    report = SourceFactory(
        slug="report",
        title="La Razón report",
        kind="newspaper",
        outlet=la_razon,
        citation="La Razón, 22 January",
        page="3",
        cited_in=article,
        language="es",
        text="",
        date_edtf="2004-01-22",
        date_basis="stated",
    )
    report.passages.add(PassageFactory(source=article, words="gathered in Cochabamba"))
    book = SourceFactory(
        slug="book", title="A history of the COB", kind="book", cited_in=article, text="", date_edtf="1971"
    )
    leaflet = SourceFactory(
        slug="leaflet", title="Unsigned leaflet", kind="unknown", text="", date_edtf="", date_basis=""
    )
    stamp(article, report, book, leaflet)


REPORT = {
    "slug": "report",
    "title": "La Razón report",
    "kind": "newspaper",
    "author": "",
    "outlet": None,
    "citation": "La Razón, 22 January",
    "page": "3",
    "cited_in": summary("sources", "article", "The third uprising"),
    "language": "es",
    "external_url": "",
    "date": {
        "edtf": "2004-01-22",
        "earliest": "2004-01-22",
        "latest": "2004-01-22",
        "display": "22 January 2004",
        "precision": "day",
        "approximate": False,
        "uncertain": False,
        "as_written": "",
        "basis": "stated",
        "note": "",
    },
    "text": "",
    "passages": [passage_summary("article", 43, 65, "gathered in Cochabamba")],
    "notes": "",
    "url": f"{BASE}/api/v1/sources/report/",
    "site_url": f"{BASE}/sources/report/",
    "created_at": STAMP,
    "updated_at": STAMP,
}
ARTICLE = {
    "slug": "article",
    "title": "The third uprising",
    "kind": "article",
    "author": "A correspondent",
    "outlet": summary("organisations", "econoticias", "Econoticias"),
    "citation": "",
    "page": "",
    "cited_in": None,
    "language": "en",
    "external_url": "https://example.org/third-uprising",
    "date": {
        "edtf": "2004-01-26/2004-01-31",
        "earliest": "2004-01-26",
        "latest": "2004-01-31",
        "display": "26–31 January 2004",
        "precision": "range",
        "approximate": False,
        "uncertain": False,
        "as_written": "",
        "basis": "inferred",
        "note": "",
    },
    "text": ARTICLE_TEXT,
    "passages": [],
    "notes": "",
    "url": f"{BASE}/api/v1/sources/article/",
    "site_url": f"{BASE}/sources/article/",
    "created_at": STAMP,
    "updated_at": STAMP,
}
BOOK = {
    **ARTICLE,
    "slug": "book",
    "title": "A history of the COB",
    "kind": "book",
    "author": "",
    "outlet": None,
    "cited_in": summary("sources", "article", "The third uprising"),
    "external_url": "",
    "date": {
        "edtf": "1971",
        "earliest": "1971-01-01",
        "latest": "1971-12-31",
        "display": "1971",
        "precision": "year",
        "approximate": False,
        "uncertain": False,
        "as_written": "",
        "basis": "inferred",
        "note": "",
    },
    "text": "",
    "url": f"{BASE}/api/v1/sources/book/",
    "site_url": f"{BASE}/sources/book/",
}
LEAFLET = {
    **BOOK,
    "slug": "leaflet",
    "title": "Unsigned leaflet",
    "kind": "unknown",
    "cited_in": None,
    "date": UNDATED,
    "url": f"{BASE}/api/v1/sources/leaflet/",
    "site_url": f"{BASE}/sources/leaflet/",
}


def test_source_list_is_every_source_by_title(client, sources):
    response = client.get("/api/v1/sources/")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"next": None, "previous": None, "results": [BOOK, REPORT, ARTICLE, LEAFLET]}


def test_source_detail_is_the_whole_record_without_a_draft_outlet(client, sources):
    response = client.get("/api/v1/sources/report/")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == REPORT


def test_draft_outlet_is_shown_to_curators(curator_client, sources):
    response = curator_client.get("/api/v1/sources/report/")

    assert response.json()["outlet"] == summary("organisations", "la-razon-paper", "La Razón")


def test_source_detail_of_unknown_slug_is_404(client, sources):
    response = client.get("/api/v1/sources/nothing/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"detail": "No Source matches the given query."}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["book", "report", "article", "leaflet"]),
        ("kind=newspaper", ["report"]),
        ("kind=radio", []),
        ("cited_in=article", ["book", "report"]),
        ("cited_in=book", []),
        ("after=2004", ["report", "article"]),
        ("after=2004-01-25", ["article"]),
        ("before=2000", ["book"]),
        ("before=2004-01-22", ["book", "report"]),
        ("after=1900&before=2100", ["book", "report", "article"]),
        ("cited_in=article&after=2004", ["report"]),
        ("kind=book&cited_in=article", ["book"]),
        ("cited_in=article&ordering=-title", ["report", "book"]),
        ("ordering=title", ["book", "report", "article", "leaflet"]),
        ("ordering=-title", ["leaflet", "article", "report", "book"]),
        ("ordering=date", ["book", "report", "article", "leaflet"]),
        ("ordering=-date", ["article", "report", "book", "leaflet"]),
    ],
)
def test_source_filters_alone_and_combined(client, sources, query, expected):
    assert slugs(client.get(f"/api/v1/sources/?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("colour=red", {"colour": ["Unknown parameter “colour”."]}),
        ("q=uprising", {"q": ["Unknown parameter “q”."]}),
        ("kind=pamphlet", {"kind": [choice_error("pamphlet")]}),
        ("cited_in=nothing", {"cited_in": [NO_SUCH_CHOICE]}),
        ("after=January", {"after": [INVALID_EDTF]}),
        ("before=1971/..", {"before": ["“1971/..” is open-ended or has an unknown end; give both ends of the range."]}),
        ("ordering=author", {"ordering": [choice_error("author")]}),
        ("kind=book&kind=article", {"kind": ["Give “kind” once."]}),
        ("page=1&page=2", {"page": ["Give “page” once."]}),
    ],
)
def test_invalid_source_query_is_400_naming_the_parameter(client, sources, query, errors):
    assert_invalid_query(client.get(f"/api/v1/sources/?{query}"), errors)


def test_source_pages(client, sources):
    second = client.get("/api/v1/sources/?page_size=3&page=2").json()

    assert second == {"next": None, "previous": f"{BASE}/api/v1/sources/?page_size=3", "results": [LEAFLET]}


def test_source_queries_are_bounded(client, sources, django_assert_max_num_queries):
    article = SourceFactory(slug="article")
    passage = PassageFactory(source=article, words="indefinite general strike")
    for source in SourceFactory.create_batch(30, cited_in=article, outlet=OrganisationFactory(slug="econoticias")):
        source.passages.add(passage)

    with django_assert_max_num_queries(3):
        assert len(slugs(client.get("/api/v1/sources/?page_size=100"))) == 34
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/sources/report/").status_code == HTTPStatus.OK
