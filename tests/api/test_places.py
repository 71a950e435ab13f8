"""/api/v1/places/: list, detail, filters, ordering, strictness and query counts."""

from http import HTTPStatus

import pytest

from tests.api.helpers import (
    BASE,
    NO_SUCH_CHOICE,
    STAMP,
    assert_invalid_query,
    choice_error,
    passage_summary,
    slugs,
    stamp,
    summary,
)
from tests.factories import PassageFactory, PlaceFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    bolivia = PlaceFactory(slug="bolivia", name="Bolivia", kind="country")
    cochabamba = PlaceFactory(
        slug="cochabamba",
        name="Cochabamba",
        kind="city",
        within=bolivia,
        aliases="Cochabamba city\nKochabamba",
        description="Where the union met.",
        latitude="-17.389500",
        longitude="-66.156800",
        notes="Coordinates of the city centre.",
    )
    la_paz = PlaceFactory(slug="la-paz", name="La Paz", kind="city", within=bolivia)
    plaza = PlaceFactory(slug="plaza-murillo", name="Plaza Murillo", kind="square", within=la_paz)
    peru = PlaceFactory(slug="peru", name="Peru", kind="country")
    cochabamba.passages.add(PassageFactory(source=SourceFactory(slug="article"), words="gathered in Cochabamba"))
    stamp(bolivia, cochabamba, la_paz, plaza, peru)


COCHABAMBA = {
    "slug": "cochabamba",
    "name": "Cochabamba",
    "kind": "city",
    "within": summary("places", "bolivia", "Bolivia"),
    "aliases": ["Cochabamba city", "Kochabamba"],
    "description": "Where the union met.",
    "latitude": -17.3895,
    "longitude": -66.1568,
    "coordinates_by_curator": True,
    "passages": [passage_summary("article", 43, 65, "gathered in Cochabamba")],
    "notes": "Coordinates of the city centre.",
    "url": f"{BASE}/api/v1/places/cochabamba/",
    "site_url": f"{BASE}/places/cochabamba/",
    "created_at": STAMP,
    "updated_at": STAMP,
}


def plain(slug, name, kind, within=None):
    return {
        "slug": slug,
        "name": name,
        "kind": kind,
        "within": within,
        "aliases": [],
        "description": "",
        "latitude": None,
        "longitude": None,
        "coordinates_by_curator": True,
        "passages": [],
        "notes": "",
        "url": f"{BASE}/api/v1/places/{slug}/",
        "site_url": f"{BASE}/places/{slug}/",
        "created_at": STAMP,
        "updated_at": STAMP,
    }


def test_place_list_is_every_place_by_name(client, places):
    response = client.get("/api/v1/places/")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "next": None,
        "previous": None,
        "results": [
            plain("bolivia", "Bolivia", "country"),
            COCHABAMBA,
            plain("la-paz", "La Paz", "city", summary("places", "bolivia", "Bolivia")),
            plain("peru", "Peru", "country"),
            plain("plaza-murillo", "Plaza Murillo", "square", summary("places", "la-paz", "La Paz")),
        ],
    }


def test_place_detail_is_the_whole_record(client, places):
    response = client.get("/api/v1/places/cochabamba/")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == COCHABAMBA


def test_place_detail_of_unknown_slug_is_404(client, places):
    response = client.get("/api/v1/places/atlantis/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"detail": "No Place matches the given query."}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["bolivia", "cochabamba", "la-paz", "peru", "plaza-murillo"]),
        ("kind=city", ["cochabamba", "la-paz"]),
        ("kind=country", ["bolivia", "peru"]),
        ("kind=mine", []),
        ("within=bolivia", ["cochabamba", "la-paz"]),
        ("within=la-paz", ["plaza-murillo"]),
        ("within=peru", []),
        ("kind=city&within=bolivia", ["cochabamba", "la-paz"]),
        ("kind=square&within=bolivia", []),
        ("within=bolivia&ordering=-name", ["la-paz", "cochabamba"]),
        ("ordering=name", ["bolivia", "cochabamba", "la-paz", "peru", "plaza-murillo"]),
        ("ordering=-name", ["plaza-murillo", "peru", "la-paz", "cochabamba", "bolivia"]),
    ],
)
def test_place_filters_alone_and_combined(client, places, query, expected):
    assert slugs(client.get(f"/api/v1/places/?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("colour=red", {"colour": ["Unknown parameter “colour”."]}),
        ("q=paz", {"q": ["Unknown parameter “q”."]}),
        ("kind=village", {"kind": [choice_error("village")]}),
        ("within=atlantis", {"within": [NO_SUCH_CHOICE]}),
        ("ordering=kind", {"ordering": [choice_error("kind")]}),
        ("within=bolivia&within=peru", {"within": ["Give “within” once."]}),
        ("page=-1", {"page": ["“page” must be a whole number from 1 to 1000000; got “-1”."]}),
    ],
)
def test_invalid_place_query_is_400_naming_the_parameter(client, places, query, errors):
    assert_invalid_query(client.get(f"/api/v1/places/?{query}"), errors)


def test_place_pages(client, places):
    first = client.get("/api/v1/places/?page_size=2").json()
    third = client.get("/api/v1/places/?page_size=2&page=3").json()

    assert [p["slug"] for p in first["results"]] == ["bolivia", "cochabamba"]
    assert first["next"] == f"{BASE}/api/v1/places/?page=2&page_size=2"
    assert third == {
        "next": None,
        "previous": f"{BASE}/api/v1/places/?page=2&page_size=2",
        "results": [plain("plaza-murillo", "Plaza Murillo", "square", summary("places", "la-paz", "La Paz"))],
    }


def test_place_queries_are_bounded(client, places, django_assert_max_num_queries):
    PlaceFactory.create_batch(30, within=PlaceFactory(slug="bolivia"))

    with django_assert_max_num_queries(3):
        assert len(slugs(client.get("/api/v1/places/?page_size=100"))) == 35
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/places/cochabamba/").status_code == HTTPStatus.OK


@pytest.mark.parametrize("path", ["/api/v1/places/la%20paz/", "/api/v1/places/la%0Apaz/", "/api/v2/places/"])
def test_any_other_api_url_is_a_json_404(client, path):
    response = client.get(path)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"detail": "Not found."}
