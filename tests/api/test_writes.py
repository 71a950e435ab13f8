"""Writes: the permission matrix, validation errors by field, and nothing half-written."""

from http import HTTPStatus

import pytest

from tests.factories import (
    ActorFactory,
    EventFactory,
    PassageFactory,
    PeriodFactory,
    PlaceFactory,
    QuoteFactory,
    SourceFactory,
    UserFactory,
)
from timeline import history
from timeline.models import Actor, Event, Passage, Place

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked():
    source = SourceFactory(slug="article")
    return {
        "place": PlaceFactory(slug="cochabamba"),
        "period": PeriodFactory(slug="mesa"),
        "passage": PassageFactory(source=source, words="twenty days time"),
    }


NEW_EVENT = {
    "slug": "strike",
    "title": "General strike",
    "type": "strike",
    "date": {"edtf": "2004-02-11~", "as_written": "in twenty days time", "basis": "computed"},
    "place": "cochabamba",
    "period": "mesa",
    "passages": ["article-123-139"],
}


def test_curator_creates_an_event(curator_client, linked):
    response = curator_client.post("/api/v1/events/", NEW_EVENT, format="json")

    assert response.status_code == HTTPStatus.CREATED, response.json()
    body = response.json()
    assert response["Location"] == "http://testserver/api/v1/events/strike/"
    assert body["date"] == {
        "edtf": "2004-02-11~",
        "earliest": "2004-02-11",
        "latest": "2004-02-11",
        "display": "c. 11 February 2004",
        "precision": "day",
        "approximate": True,
        "uncertain": False,
        "as_written": "in twenty days time",
        "basis": "computed",
        "note": "",
    }
    assert body["status"] == "draft"
    assert [p["slug"] for p in body["passages"]] == ["article-123-139"]
    event = Event.objects.get(slug="strike")
    assert (event.place, event.period, event.date_earliest.isoformat()) == (
        linked["place"],
        linked["period"],
        "2004-02-11",
    )


def test_curator_updates_and_deletes_an_event(curator_client):
    EventFactory(slug="meeting", title="Old title")

    etag = curator_client.get("/api/v1/events/meeting/")["ETag"]
    patched = curator_client.patch("/api/v1/events/meeting/", {"title": "New title"}, format="json", HTTP_IF_MATCH=etag)
    deleted = curator_client.delete("/api/v1/events/meeting/")

    assert patched.status_code == HTTPStatus.OK
    assert patched.json()["title"] == "New title"
    assert deleted.status_code == HTTPStatus.NO_CONTENT
    assert not Event.objects.filter(slug="meeting").exists()


def test_put_replaces_an_event(curator_client, linked):
    EventFactory(slug="strike", title="Old", summary="Old summary")

    etag = curator_client.get("/api/v1/events/strike/")["ETag"]
    response = curator_client.put("/api/v1/events/strike/", NEW_EVENT, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == HTTPStatus.OK, response.json()
    assert (response.json()["title"], response.json()["summary"]) == ("General strike", "Old summary")


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (
            {"date": {"edtf": "January 2004", "basis": "stated"}},
            {
                "date": {
                    "edtf": [
                        "“January 2004” is not a valid EDTF date. Use forms such as 2004-01-22, 2003-10, 1971, "
                        "1971-07-18/1971-07-20, 1952-04~ (approximate) or 1970? (uncertain)."
                    ]
                }
            },
        ),
        (
            {"date": {"edtf": "2004/2003", "basis": "stated"}},
            {"date": {"edtf": ["“2004/2003” ends before it starts."]}},
        ),
        ({"date": {"edtf": "2004", "basis": ""}}, {"date": {"basis": ["Say how the date was obtained."]}}),
        ({"place": "atlantis"}, {"place": ["Object with slug=atlantis does not exist."]}),
        ({"passages": ["nowhere-1-2"]}, {"passages": ["Object with slug=nowhere-1-2 does not exist."]}),
        ({"type": "picnic"}, {"type": ['"picnic" is not a valid choice.']}),
        ({"slug": "taken"}, {"slug": ["event with this slug already exists."]}),
        ({"title": ""}, {"title": ["This field may not be blank."]}),
    ],
)
def test_invalid_event_is_400_with_field_errors_and_nothing_written(curator_client, linked, payload, errors):
    EventFactory(slug="taken")

    response = curator_client.post("/api/v1/events/", {**NEW_EVENT, **payload}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"detail": "The request body is not valid; see errors.", "errors": errors}
    assert list(Event.objects.values_list("slug", flat=True)) == ["taken"]


def test_failed_update_leaves_the_record_unchanged(curator_client):
    EventFactory(slug="meeting", title="Kept", date_edtf="2004-01-22")

    response = curator_client.patch(
        "/api/v1/events/meeting/", {"title": "Changed", "date": {"edtf": "2004-13"}}, format="json", HTTP_IF_MATCH="*"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    event = Event.objects.get(slug="meeting")
    assert (event.title, event.date_edtf) == ("Kept", "2004-01-22")


WRITES = [
    ("post", "/api/v1/events/", NEW_EVENT),
    ("patch", "/api/v1/events/meeting/", {"title": "x"}),
    ("put", "/api/v1/events/meeting/", NEW_EVENT),
    ("delete", "/api/v1/events/meeting/", None),
]


@pytest.mark.parametrize(("method", "url", "payload"), WRITES)
def test_anonymous_clients_cannot_write(client, linked, method, url, payload):
    EventFactory(slug="meeting", title="Kept")

    response = getattr(client, method)(url, payload, format="json")

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"] == "Token"
    assert list(Event.objects.values_list("title", flat=True)) == ["Kept"]


@pytest.mark.parametrize(("method", "url", "payload"), WRITES)
def test_signed_in_users_without_permission_cannot_write(reader_client, linked, method, url, payload):
    EventFactory(slug="meeting", title="Kept")

    response = getattr(reader_client, method)(url, payload, format="json")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == {"detail": "You do not have permission to perform this action."}
    assert list(Event.objects.values_list("title", flat=True)) == ["Kept"]


@pytest.mark.parametrize(
    ("permission", "method", "url", "payload", "status"),
    [
        ("add_event", "post", "/api/v1/events/", NEW_EVENT, HTTPStatus.CREATED),
        ("change_event", "post", "/api/v1/events/", NEW_EVENT, HTTPStatus.FORBIDDEN),
        ("change_event", "patch", "/api/v1/events/meeting/", {"title": "x"}, HTTPStatus.OK),
        ("add_event", "patch", "/api/v1/events/meeting/", {"title": "x"}, HTTPStatus.FORBIDDEN),
        ("delete_event", "delete", "/api/v1/events/meeting/", None, HTTPStatus.NO_CONTENT),
        ("change_event", "delete", "/api/v1/events/meeting/", None, HTTPStatus.FORBIDDEN),
    ],
)
def test_each_write_needs_its_model_permission(linked, permission, method, url, payload, status):
    from tests.api.conftest import SchemaCheckedClient

    EventFactory(slug="meeting")
    api = SchemaCheckedClient()
    api.force_authenticate(UserFactory(username="partial", permissions=[f"timeline.{permission}"]))

    assert getattr(api, method)(url, payload, format="json", HTTP_IF_MATCH="*").status_code == status


def test_token_authentication_works(linked):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    user = UserFactory(username="tokened", permissions=["timeline.add_event"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    assert api.post("/api/v1/events/", NEW_EVENT, format="json").status_code == HTTPStatus.CREATED


def test_session_authentication_needs_csrf(linked, settings):
    from rest_framework.test import APIClient

    settings.AXES_ENABLED = False  # the test client's login() passes no request for django-axes to watch
    UserFactory(username="session", permissions=["timeline.add_event"])
    api = APIClient(enforce_csrf_checks=True)
    api.login(username="session", password="correct horse battery staple")

    response = api.post("/api/v1/events/", NEW_EVENT, format="json")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["detail"].startswith("CSRF Failed")


def test_passage_is_created_from_its_words(curator_client):
    SourceFactory(slug="article")

    response = curator_client.post(
        "/api/v1/passages/", {"source": "article", "words": "general strike", "note": "The call."}, format="json"
    )

    assert response.status_code == HTTPStatus.CREATED, response.json()
    passage = Passage.objects.get()
    assert (passage.slug, passage.start, passage.end, passage.text, passage.note) == (
        "article-105-119",
        105,
        119,
        "general strike",
        "The call.",
    )
    assert response.json()["slug"] == "article-105-119"


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (
            {"source": "article", "words": "general assembly"},
            {
                "words": [
                    "These words are not in “Source article”: “general assembly”. "
                    "Paste them exactly as the document has them."
                ]
            },
        ),
        (
            {"source": "article", "words": "the"},
            {
                "occurrence": [
                    "These words occur 3 times in “Source article”; choose which occurrence (1 to 3), "
                    "or paste more of the surrounding words."
                ]
            },
        ),
        (
            {"source": "article", "words": "the", "occurrence": 9},
            {"occurrence": ["These words occur 3 time(s) in “Source article”; occurrence 9 does not exist."]},
        ),
        ({"source": "nowhere", "words": "the"}, {"source": ["Object with slug=nowhere does not exist."]}),
        ({"source": "article", "start": 0, "end": 3}, {"words": ["This field is required."]}),
    ],
)
def test_invalid_passage_is_400_and_nothing_written(curator_client, payload, errors):
    SourceFactory(slug="article", title="Source article")

    response = curator_client.post("/api/v1/passages/", payload, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"detail": "The request body is not valid; see errors.", "errors": errors}
    assert not Passage.objects.exists()


def test_the_same_words_give_the_same_passage(curator_client):
    passage = PassageFactory(source=SourceFactory(slug="article"), words="general strike")

    response = curator_client.post("/api/v1/passages/", {"source": "article", "words": "general strike"}, format="json")

    assert response.json()["slug"] == passage.slug
    assert Passage.objects.count() == 1


def test_deleting_a_record_others_depend_on_is_409(curator_client):
    quote = QuoteFactory()

    response = curator_client.delete(f"/api/v1/passages/{quote.passage.slug}/")

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json() == {"detail": "Other records depend on this one (quotes); remove or change them first."}
    assert Passage.objects.filter(pk=quote.passage.pk).exists()


def test_curator_creates_an_actor_with_aliases(curator_client):
    response = curator_client.post(
        "/api/v1/actors/", {"slug": "goni", "name": "Gonzalo Sánchez de Lozada", "aliases": ["Goni"]}, format="json"
    )

    assert response.status_code == HTTPStatus.CREATED, response.json()
    assert response.json()["aliases"] == ["Goni"]
    assert Actor.objects.get(slug="goni").aliases == "Goni"


def test_place_coordinates_are_validated_by_the_model(curator_client):
    response = curator_client.post(
        "/api/v1/places/", {"slug": "x", "name": "X", "kind": "city", "latitude": 10}, format="json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"] == {
        "non_field_errors": ["Give both latitude (−90 to 90) and longitude (−180 to 180), or neither."]
    }
    assert not Place.objects.exists()


def test_quote_words_must_be_in_their_passage(curator_client):
    passage = PassageFactory(source=SourceFactory(slug="article"), words="general strike")
    ActorFactory(slug="solares")

    response = curator_client.post(
        "/api/v1/quotes/",
        {"slug": "q", "text": "something else", "passage": passage.slug, "speaker_actor": "solares"},
        format="json",
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"] == {"text": ["The quotation’s words are not in its passage."]}


@pytest.mark.parametrize(
    ("url", "payload"),
    [
        ("/api/v1/organisations/", {"slug": "cob", "name": "COB", "kind": "union", "aliases": ["Central Obrera"]}),
        ("/api/v1/places/", {"slug": "oruro", "name": "Oruro", "kind": "city", "latitude": -17.9, "longitude": -67.1}),
        ("/api/v1/periods/", {"slug": "mesa", "name": "Mesa", "date": {"edtf": "2003-10/2005-06", "basis": "curator"}}),
        ("/api/v1/sources/", {"slug": "bolpress", "title": "Bolpress", "kind": "news_agency"}),
    ],
)
def test_curator_creates_each_kind_of_record(curator_client, url, payload):
    response = curator_client.post(url, payload, format="json")

    assert response.status_code == HTTPStatus.CREATED, response.json()
    assert response.json()["slug"] == payload["slug"]
    assert curator_client.get(f"{url}{payload['slug']}/").status_code == HTTPStatus.OK


def test_each_api_write_is_one_version_holding_the_passages_it_wrote(curator_client, linked):
    other = PassageFactory(source=linked["passage"].source, words="indefinite general strike")

    created = curator_client.post("/api/v1/events/", NEW_EVENT, format="json")
    etag = curator_client.get("/api/v1/events/strike/")["ETag"]
    patched = curator_client.patch(
        "/api/v1/events/strike/",
        {"title": "Strike", "passages": [other.slug]},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert (created.status_code, patched.status_code) == (HTTPStatus.CREATED, HTTPStatus.OK)
    event = Event.objects.get(slug="strike")
    rows = [
        (version.history_type, version.history_user.username, version.title, history.version_links(version))
        for version in event.history.order_by("history_date", "history_id")
    ]
    assert rows == [
        ("+", "api-curator", "General strike", {"passages": [linked["passage"].pk]}),
        ("~", "api-curator", "Strike", {"passages": [other.pk]}),
    ]
