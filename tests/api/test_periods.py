"""/api/v1/periods/: list, detail, filters, ordering, strictness and query counts."""

from http import HTTPStatus

import pytest

from tests.api.helpers import (
    BASE,
    INVALID_EDTF,
    STAMP,
    assert_invalid_query,
    choice_error,
    passage_summary,
    slugs,
    stamp,
)
from tests.factories import PassageFactory, PeriodFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def periods():
    mesa = PeriodFactory(
        slug="mesa",
        name="Mesa's government",
        description="From Sánchez de Lozada's fall to Mesa's resignation.",
        date_edtf="2003-10/2005-06",
        date_as_written="October 2003 to June 2005",
        date_basis="inferred",
        date_note="The end is the resignation.",
        notes="Named by the curator.",
    )
    banzer = PeriodFactory(slug="banzer", name="Banzer's dictatorship", date_edtf="1971-08/1978-07")
    revolution = PeriodFactory(slug="revolution", name="National Revolution", date_edtf="1952/1964")
    mesa.passages.add(PassageFactory(source=SourceFactory(slug="article"), words="indefinite general strike"))
    stamp(mesa, banzer, revolution)


MESA = {
    "slug": "mesa",
    "name": "Mesa's government",
    "description": "From Sánchez de Lozada's fall to Mesa's resignation.",
    "date": {
        "edtf": "2003-10/2005-06",
        "earliest": "2003-10-01",
        "latest": "2005-06-30",
        "display": "October 2003 – June 2005",
        "precision": "range",
        "approximate": False,
        "uncertain": False,
        "as_written": "October 2003 to June 2005",
        "basis": "inferred",
        "note": "The end is the resignation.",
    },
    "passages": [passage_summary("article", 94, 119, "indefinite general strike")],
    "notes": "Named by the curator.",
    "url": f"{BASE}/api/v1/periods/mesa/",
    "site_url": f"{BASE}/periods/mesa/",
    "created_at": STAMP,
    "updated_at": STAMP,
}


def plain(slug, name, edtf, earliest, latest, display):
    return {
        "slug": slug,
        "name": name,
        "description": "",
        "date": {
            "edtf": edtf,
            "earliest": earliest,
            "latest": latest,
            "display": display,
            "precision": "range",
            "approximate": False,
            "uncertain": False,
            "as_written": "",
            "basis": "inferred",
            "note": "",
        },
        "passages": [],
        "notes": "",
        "url": f"{BASE}/api/v1/periods/{slug}/",
        "site_url": f"{BASE}/periods/{slug}/",
        "created_at": STAMP,
        "updated_at": STAMP,
    }


def test_period_list_is_every_period_in_date_order(client, periods):
    response = client.get("/api/v1/periods/")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "next": None,
        "previous": None,
        "results": [
            plain("revolution", "National Revolution", "1952/1964", "1952-01-01", "1964-12-31", "1952–1964"),
            plain(
                "banzer",
                "Banzer's dictatorship",
                "1971-08/1978-07",
                "1971-08-01",
                "1978-07-31",
                "August 1971 – July 1978",
            ),
            MESA,
        ],
    }


def test_period_detail_is_the_whole_record(client, periods):
    response = client.get("/api/v1/periods/mesa/")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == MESA


def test_period_detail_of_unknown_slug_is_404(client, periods):
    response = client.get("/api/v1/periods/nowhen/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"detail": "No Period matches the given query."}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["revolution", "banzer", "mesa"]),
        ("after=2000", ["mesa"]),
        ("after=1978-07", ["banzer", "mesa"]),
        ("after=1978-08", ["mesa"]),
        ("before=1960", ["revolution"]),
        ("before=1971-08-01", ["revolution", "banzer"]),
        ("before=1971-07", ["revolution"]),
        ("after=1960&before=1975", ["revolution", "banzer"]),
        ("after=1965&before=2003-09", ["banzer"]),
        ("after=1970&ordering=-date", ["mesa", "banzer"]),
        ("ordering=date", ["revolution", "banzer", "mesa"]),
        ("ordering=-date", ["mesa", "banzer", "revolution"]),
        ("ordering=name", ["banzer", "mesa", "revolution"]),
        ("ordering=-name", ["revolution", "mesa", "banzer"]),
    ],
)
def test_period_filters_alone_and_combined(client, periods, query, expected):
    assert slugs(client.get(f"/api/v1/periods/?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("colour=red", {"colour": ["Unknown parameter “colour”."]}),
        ("date=1971", {"date": ["Unknown parameter “date”."]}),
        ("after=January", {"after": [INVALID_EDTF]}),
        ("before=1972/1971", {"before": ["“1972/1971” ends before it starts."]}),
        ("before=1971/..", {"before": ["“1971/..” is open-ended or has an unknown end; give both ends of the range."]}),
        ("ordering=importance", {"ordering": [choice_error("importance")]}),
        ("after=1971&after=1972", {"after": ["Give “after” once."]}),
        ("page_size=0", {"page_size": ["“page_size” must be a whole number from 1 to 100; got “0”."]}),
    ],
)
def test_invalid_period_query_is_400_naming_the_parameter(client, periods, query, errors):
    assert_invalid_query(client.get(f"/api/v1/periods/?{query}"), errors)


def test_period_pages(client, periods):
    second = client.get("/api/v1/periods/?page_size=2&page=2&ordering=name").json()

    assert [p["slug"] for p in second["results"]] == ["revolution"]
    assert second["next"] is None
    assert second["previous"] == f"{BASE}/api/v1/periods/?ordering=name&page_size=2"


def test_period_queries_are_bounded(client, periods, django_assert_max_num_queries):
    PeriodFactory.create_batch(30)

    with django_assert_max_num_queries(3):
        assert len(slugs(client.get("/api/v1/periods/?page_size=100"))) == 33
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/periods/mesa/").status_code == HTTPStatus.OK
