"""Bad input everywhere: every page, filter, API endpoint and form answers it with a clear 4xx or form
error, never a 500; a refused write stores nothing; markup that is stored is shown escaped everywhere.
"""

import json
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from rest_framework.test import APIClient

from tests.api.conftest import openapi
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
from timeline.models import Actor, Event, Participation, Place, Status

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"
DATES = [
    "2004-13",
    "2004-02-30",
    "99999999",
    "-99999999999",
    "Y170000002",
    "Y-170000002",
    "2004/2003",
    "0000",
    "2004-01-01T00:00",
    "..",
    "[2004,2005]",
    "1" * 5000,
]
STRINGS = [
    "\x00",
    "a\x00b",
    "\x1b[31m\x07",
    "\uffff",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    SCRIPT,
    "' OR 1=1 --",
    '"; DROP TABLE timeline_event; --',
    "%",
    "_",
    "\\",
    "a & b | !c :*",
    "x" * 10000,
]
NUMBERS = ["0", "-1", str(10**9), "1" * 5000, "1e3", " ", "abc"]
CORE = ["\x00", SCRIPT, "' OR 1=1 --", "\uffff", "%", "x" * 10000, "1" * 5000]


def payloads(name: str) -> list[str]:
    """What to try on a parameter: dates on the date filters, numbers on paging, the rest on anything."""
    if name in ("after", "before", "date"):
        return DATES + CORE[:2]
    if name in ("page", "page_size", "importance", "cursor"):
        return NUMBERS + CORE[:2]
    if name in ("q",):
        return STRINGS
    return CORE


def anonymous():
    return APIClient(raise_request_exception=False)


@pytest.fixture(autouse=True)
def data(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000000/minute"}}
    place = PlaceFactory(slug="la-paz", latitude="-16.5", longitude="-68.15")
    event = EventFactory(slug="meeting", place=place, status=Status.PUBLISHED)
    event.passages.add(PassageFactory())
    ActorFactory(slug="actor")
    QuoteFactory(slug="quote")


# The API's reads -------------------------------------------------------------------------------------


def _list_operations():
    for path, operations in sorted(openapi()["paths"].items()):
        if "{slug}" in path or "get" not in operations:
            continue
        names = [p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "query"]
        yield path, names


LIST_OPERATIONS = list(_list_operations())


@pytest.mark.parametrize(("path", "names"), LIST_OPERATIONS, ids=[path for path, _ in LIST_OPERATIONS])
def test_every_api_list_answers_bad_parameters_with_400_naming_them(path, names):
    api = anonymous()
    for name in [*names, "unknown", "<b>"]:
        for value in payloads(name):
            response = api.get(path, {name: value})

            assert response.status_code in (HTTPStatus.OK, HTTPStatus.BAD_REQUEST), (path, name, value)
            if response.status_code == HTTPStatus.BAD_REQUEST:
                body = response.json()
                assert body["detail"].startswith("Invalid query parameter(s): "), body
                assert name in body["errors"], (path, name, value, body)


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"unknown": "1"}, {"unknown": ["Unknown parameter “unknown”."]}),
        ({"page_size": "0"}, {"page_size": ["“page_size” must be a whole number from 1 to 100; got “0”."]}),
        ({"page_size": "-1"}, {"page_size": ["“page_size” must be a whole number from 1 to 100; got “-1”."]}),
        (
            {"page_size": "1000000000"},
            {"page_size": ["“page_size” must be a whole number from 1 to 100; got “1000000000”."]},
        ),
        ({"page": "0"}, {"page": ["“page” must be a whole number from 1 to 1000000; got “0”."]}),
        ({"page": "1" * 5000}, {"page": [f"“page” must be a whole number from 1 to 1000000; got “{'1' * 5000}”."]}),
        ({"after": "2004-13"}, None),
        ({"after": "2004/2003"}, None),
        ({"place": "atlantis"}, None),
    ],
)
def test_api_bad_query_exact_answers(query, errors):
    response = anonymous().get("/api/v1/actors/" if "place" not in query else "/api/v1/events/", query)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.json()
    name = next(iter(query))
    assert body["detail"] == f"Invalid query parameter(s): {name}."
    if errors is not None:
        assert body["errors"] == errors
    else:
        assert list(body["errors"]) == [name]
        assert body["errors"][name][0]


@pytest.mark.parametrize(
    "raw",
    [
        "/api/v1/events/?q=%FF%FE",
        "/api/v1/events/?after=%C0%AF",
        "/api/v1/events/?%FF=1",
        "/api/v1/actors/?q=%00",
        "/api/v1/events/csv/?q=%FF",
    ],
)
def test_api_non_utf8_and_control_characters_in_queries_are_not_500(raw):
    response = anonymous().get(raw)

    assert response.status_code in (HTTPStatus.OK, HTTPStatus.BAD_REQUEST)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/events/nowhere/", "/api/v1/actors/nowhere/", "/api/v1/events/%FF/", "/api/v1/nothing/", "/api/x"],
)
def test_api_unknown_slugs_and_paths_are_json_404(path):
    response = anonymous().get(path)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"detail": "Not found."} or response.json()["detail"].startswith("No ")


# The pages ---------------------------------------------------------------------------------------------

PAGES = ["/", "/actors/", "/organisations/", "/places/", "/periods/", "/sources/", "/search/"]
PAGE_PARAMETERS = ["after", "before", "date", "actor", "place", "period", "type", "importance", "q", "ordering"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_answer_bad_parameters_with_4xx_never_500(path):
    client = anonymous()
    for name in [*PAGE_PARAMETERS, "page", "unknown"]:
        for value in payloads(name):
            response = client.get(path, {name: value})

            assert response.status_code in (
                HTTPStatus.OK,
                HTTPStatus.FOUND,  # the timeline drops blank parameters with a redirect
                HTTPStatus.BAD_REQUEST,
                HTTPStatus.NOT_FOUND,
            ), (path, name, value, response.status_code)
            if response.status_code == HTTPStatus.OK and response["Content-Type"].startswith("text/html"):
                assert SCRIPT.encode() not in response.content


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/?after=2004-13", HTTPStatus.BAD_REQUEST, "is not a valid EDTF date"),
        ("/?date=2004/2003", HTTPStatus.BAD_REQUEST, "ends before it starts"),
        ("/?actor=nobody", HTTPStatus.BAD_REQUEST, "Select a valid choice"),
        ("/?unknown=1", HTTPStatus.BAD_REQUEST, "Unknown parameter"),
        ("/?page=0", HTTPStatus.NOT_FOUND, ""),
        ("/?page=1000000000", HTTPStatus.NOT_FOUND, ""),
        ("/?page=" + "1" * 5000, HTTPStatus.NOT_FOUND, ""),
        ("/search/?q=a%00b", HTTPStatus.BAD_REQUEST, "Null characters are not allowed."),
        ("/search/?q=1&x=2", HTTPStatus.BAD_REQUEST, "Unknown parameter “x”."),
        ("/search/?q=%FF%FE", HTTPStatus.OK, ""),
        ("/events/nowhere/", HTTPStatus.NOT_FOUND, ""),
        ("/actors/nowhere/", HTTPStatus.NOT_FOUND, ""),
        ("/events/%FF/", HTTPStatus.NOT_FOUND, ""),
        ("/events/" + "a" * 3000 + "/", HTTPStatus.NOT_FOUND, ""),
    ],
)
def test_pages_exact_answers(url, status, message):
    response = anonymous().get(url)

    assert response.status_code == status
    assert message in response.content.decode()


# The API's writes --------------------------------------------------------------------------------------


@pytest.fixture
def curator_api():
    user = UserFactory(
        username="bad-input-curator",
        permissions=[f"timeline.{a}_{m}" for a in ("add", "change") for m in ("event", "actor", "place")],
    )
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(user)
    return api


VALID_EVENT = {"slug": "new-event", "title": "New", "type": "meeting"}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": "x" * 256}, "title", "Ensure this field has no more than 255 characters."),
        ({"title": "a\x00b"}, "title", "Null characters are not allowed."),
        ({"title": ""}, "title", "This field may not be blank."),
        ({"title": None}, "title", "This field may not be null."),
        ({"title": ["list"]}, "title", "Not a valid string."),
        ({"slug": "bad slug!"}, "slug", None),
        ({"slug": "x" * 300}, "slug", None),
        ({"type": SCRIPT}, "type", None),
        ({"status": "secret"}, "status", None),
        ({"place": "atlantis"}, "place", "Object with slug=atlantis does not exist."),
        ({"place": SCRIPT}, "place", None),
        ({"passages": "not-a-list"}, "passages", None),
        ({"date": {"edtf": "2004-13", "basis": "stated"}}, "date", None),
        ({"date": {"edtf": "2004/2003", "basis": "stated"}}, "date", None),
        ({"date": {"edtf": "Y170000002", "basis": "stated"}}, "date", None),
        ({"date": {"edtf": "1" * 5000, "basis": "stated"}}, "date", None),
        ({"date": {"edtf": "' OR 1=1 --", "basis": "stated"}}, "date", None),
        ({"date": "2004"}, "date", None),
    ],
)
def test_invalid_event_writes_are_400_and_store_nothing(curator_api, change, field, message):
    before = sorted(Event.objects.values_list("slug", "title"))

    response = curator_api.post("/api/v1/events/", {**VALID_EVENT, **change}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    body = response.json()
    assert body["detail"] == "The request body is not valid; see errors."
    assert field in body["errors"]
    if message:
        assert body["errors"][field] == [message]
    assert sorted(Event.objects.values_list("slug", "title")) == before


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"\xff\xfe\x00garbage", "application/json", HTTPStatus.BAD_REQUEST),
        (b"{", "application/json", HTTPStatus.BAD_REQUEST),
        (b"[1, 2]", "application/json", HTTPStatus.BAD_REQUEST),
        (b"null", "application/json", HTTPStatus.BAD_REQUEST),
        (json.dumps(VALID_EVENT).encode(), "application/x-www-form-urlencoded", HTTPStatus.UNSUPPORTED_MEDIA_TYPE),
        (json.dumps(VALID_EVENT).encode(), "text/html", HTTPStatus.UNSUPPORTED_MEDIA_TYPE),
    ],
)
def test_malformed_bodies_are_4xx_and_store_nothing(curator_api, body, content_type, status):
    response = curator_api.generic("POST", "/api/v1/events/", body, content_type=content_type)

    assert response.status_code == status
    assert response.json()["detail"]
    assert not Event.objects.filter(slug="new-event").exists()


def test_a_failed_update_changes_nothing_not_even_half(curator_api):
    event = Event.objects.get(slug="meeting")
    before = (event.title, event.summary, event.date_edtf, event.updated_at)

    response = curator_api.patch(
        "/api/v1/events/meeting/",
        {"title": "Changed", "summary": "Changed too", "place": "atlantis"},
        format="json",
        HTTP_IF_MATCH="*",
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    event.refresh_from_db()
    assert (event.title, event.summary, event.date_edtf, event.updated_at) == before


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("/api/v1/actors/", {"slug": "a", "name": "x" * 1000}, "name"),
        ("/api/v1/actors/", {"slug": "a", "name": "\x00"}, "name"),
        (
            "/api/v1/places/",
            {"slug": "p", "name": "P", "kind": "city", "latitude": "91", "longitude": "0"},
            "non_field_errors",
        ),
        (
            "/api/v1/places/",
            {"slug": "p", "name": "P", "kind": "city", "latitude": "0", "longitude": "1e999"},
            "longitude",
        ),
        (
            "/api/v1/places/",
            {"slug": "p", "name": "P", "kind": "city", "latitude": "NaN", "longitude": "0"},
            "latitude",
        ),
        ("/api/v1/places/", {"slug": "p", "name": "P", "kind": SCRIPT}, "kind"),
    ],
)
def test_other_resources_refuse_bad_fields(curator_api, path, payload, field):
    counts = (Actor.objects.count(), Place.objects.count())

    response = curator_api.post(path, payload, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert field in response.json()["errors"]
    assert (Actor.objects.count(), Place.objects.count()) == counts


# Markup that is stored is shown as text everywhere ----------------------------------------------------------


@pytest.fixture
def scripted(db):
    SourceFactory(slug="article")
    event = EventFactory(
        slug="scripted", title=f"Title {SCRIPT}", summary=f"Summary </script>{SCRIPT}", status=Status.PUBLISHED
    )
    return event


@pytest.mark.parametrize("url", ["/", "/events/scripted/", "/search/?q=title", "/?q=title"])
def test_stored_markup_is_escaped_on_pages(client, scripted, url):
    response = client.get(url)

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;" in html or "\\u003cscript\\u003e" in html.lower()


def test_stored_markup_is_escaped_in_the_json_ld_of_the_event_page(client, scripted):
    html = client.get("/events/scripted/").content.decode()
    json_ld = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]

    assert json.loads(json_ld)["name"] == f"Title {SCRIPT}"  # the data, intact
    assert "<" not in json_ld  # and nothing that could close the element


def test_stored_markup_is_escaped_in_the_admin(client, scripted):
    user = UserFactory(username="ana", is_staff=True)
    user.groups.add(Group.objects.get(name="curator"))
    client.force_login(user)

    for url in ["/admin/timeline/event/", f"/admin/timeline/event/{scripted.pk}/change/"]:
        html = client.get(url).content.decode()
        assert SCRIPT not in html, url
        assert "&lt;script&gt;" in html, url


def test_stored_markup_in_exports_is_data_not_markup(scripted):
    api = anonymous()

    csv = api.get("/api/v1/events/csv/")
    ics = api.get("/api/v1/events/ics/")
    timelinejs = api.get("/api/v1/events/timelinejs/").json()
    jsonld = api.get("/api/v1/events/jsonld/")

    assert csv["Content-Type"].startswith("text/csv")
    assert f"Title {SCRIPT}" in csv.content.decode()  # a CSV cell is text
    assert ics["Content-Type"].startswith("text/calendar")
    assert f"Title {SCRIPT}" in [node["name"] for node in jsonld.json()["@graph"]]
    # TimelineJS renders headline and text as HTML: they are escaped.
    slide = next(s for s in timelinejs["events"] if "Title" in s["text"]["headline"])
    assert slide["text"]["headline"] == "Title &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    assert "<script>" not in slide["text"]["text"]


# Drafts and permissions ------------------------------------------------------------------------------------

DRAFT_TITLE = "Draft nobody may see"
PUBLIC_URLS = [
    "/",
    "/?q=draft",
    "/search/?q=draft",
    "/places/la-paz/",
    "/api/v1/events/",
    "/api/v1/events/?q=draft",
    "/api/v1/events/csv/",
    "/api/v1/events/jsonld/",
    "/api/v1/events/ics/",
    "/api/v1/events/timelinejs/",
    "/api/v1/places/geojson/",
]


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "without-permission"])
def test_drafts_are_invisible_to_anonymous_and_unprivileged_users(signed_in):
    EventFactory(slug="secret-draft", title=DRAFT_TITLE, status=Status.DRAFT, place=Place.objects.get(slug="la-paz"))
    client = anonymous()
    if signed_in:
        client.force_authenticate(UserFactory(username="reader"))
        client.force_login(UserFactory(username="reader2"))

    for url in PUBLIC_URLS:
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK, url
        assert DRAFT_TITLE.encode() not in response.content, url
        assert b"secret-draft" not in response.content, url
    assert client.get("/events/secret-draft/").status_code == HTTPStatus.NOT_FOUND
    assert client.get("/api/v1/events/secret-draft/").status_code == HTTPStatus.NOT_FOUND
    assert client.get("/api/v1/events/secret-draft/jsonld/").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/timeline/event/", "/admin/timeline/event/add/", "/admin/auth/user/"]
)
def test_admin_refuses_anonymous_and_unprivileged_users(client, url):
    anonymous_response = client.get(url)
    client.force_login(UserFactory(username="not-staff"))
    not_staff = client.get(url)
    client.force_login(UserFactory(username="staff-without-permissions", is_staff=True))
    staff = client.get(url)

    assert anonymous_response.status_code == HTTPStatus.FOUND
    assert anonymous_response["Location"].startswith("/admin/login/")
    assert not_staff.status_code == HTTPStatus.FOUND
    assert staff.status_code == (HTTPStatus.OK if url == "/admin/" else HTTPStatus.FORBIDDEN)


def test_admin_change_of_a_record_needs_the_permission(client):
    event = Event.objects.get(slug="meeting")
    client.force_login(UserFactory(username="viewer", is_staff=True, permissions=["timeline.view_event"]))

    response = client.post(f"/admin/timeline/event/{event.pk}/change/", {"title": "Hacked"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    event.refresh_from_db()
    assert event.title != "Hacked"


# The admin's forms -----------------------------------------------------------------------------------------

ADMIN_BAD = [
    ({"date_edtf": "2004-13"}, "date_edtf"),
    ({"date_edtf": "2004/2003"}, "date_edtf"),
    ({"date_edtf": "Y170000002"}, "date_edtf"),
    ({"date_edtf": "1" * 5000}, "date_edtf"),
    ({"date_edtf": "' OR 1=1 --"}, "date_edtf"),
    ({"title": "x" * 256}, "title"),
    ({"title": "a\x00b"}, "title"),
    ({"title": ""}, "title"),
    ({"slug": "bad slug <b>"}, "slug"),
    ({"event_type": SCRIPT}, "event_type"),
    ({"importance": "1" * 5000}, "importance"),
    ({"place": "' OR 1=1 --"}, "place"),
    ({"loaded_updated_at": "2000-01-01T00:00:00+00:00"}, "__all__"),  # someone saved meanwhile
]


@pytest.mark.parametrize(("change", "field"), ADMIN_BAD, ids=[str(i) for i in range(len(ADMIN_BAD))])
def test_admin_event_form_refuses_bad_input_and_stores_nothing(client, change, field):
    from tests.timeline.test_admin import form_data, form_errors, make_curator

    client.force_login(make_curator("ana"))
    event = Event.objects.get(slug="meeting")
    url = f"/admin/timeline/event/{event.pk}/change/"
    data = {**form_data(client.get(url)), **change}
    before = list(Event.objects.order_by("pk").values())

    response = client.post(url, data)

    assert response.status_code == HTTPStatus.OK  # the form again, with its errors
    errors = form_errors(response)
    assert field in errors, errors
    assert all(errors[field])
    assert list(Event.objects.order_by("pk").values()) == before


def test_admin_search_with_bad_input_is_not_500(client):
    from tests.timeline.test_admin import make_curator

    client.force_login(make_curator("ana"))
    for value in [*CORE, "2004-13"]:
        for url in ["/admin/timeline/event/", "/admin/timeline/actor/", "/admin/timeline/passage/"]:
            response = client.get(url, {"q": value})
            assert response.status_code == HTTPStatus.OK, (url, value)
    assert client.get("/admin/timeline/event/", {"o": "99"}).status_code in (HTTPStatus.OK, HTTPStatus.FOUND)
    # An unknown filter value: the admin's own answer, the list with "?e=1" (a redirect), never a 500.
    assert client.get("/admin/timeline/event/", {"unknown__field": SCRIPT}).status_code == HTTPStatus.FOUND
    assert client.get("/admin/timeline/event/999999999/change/").status_code == HTTPStatus.FOUND


@pytest.mark.parametrize(
    "forged",
    [
        {"event": "' OR 1=1 --", "actor": "abc", "passages": ["x", "1" * 5000]},
        # Beyond 64 bits: SQLite could not compare them (OverflowError).
        {"event": str(2**63), "actor": str(2**64), "passages": [str(2**63)]},
    ],
)
def test_admin_autocomplete_fields_with_forged_keys_show_errors_not_500(client, forged):
    from tests.timeline.test_admin import form_data, form_errors, make_curator

    client.force_login(make_curator("ana"))
    data = form_data(client.get("/admin/timeline/participation/add/"))
    data.update(forged)

    response = client.post("/admin/timeline/participation/add/", data)

    assert response.status_code == HTTPStatus.OK
    errors = form_errors(response)
    assert {"event", "actor", "passages"} <= set(errors), errors
    assert not Participation.objects.exists()


BEYOND_64_BITS = str(2**63)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"/admin/timeline/event/{BEYOND_64_BITS}/change/", HTTPStatus.FOUND),  # "doesn't exist", to the list
        (f"/admin/timeline/passage/{BEYOND_64_BITS}/change/", HTTPStatus.FOUND),
        (f"/admin/timeline/event/{BEYOND_64_BITS}/history/", HTTPStatus.NOT_FOUND),
        (f"/admin/timeline/event/{BEYOND_64_BITS}/history/{BEYOND_64_BITS}/", HTTPStatus.NOT_FOUND),
        (f"/admin/timeline/event/add/?place={BEYOND_64_BITS}", HTTPStatus.OK),
        (f"/admin/timeline/event/add/?passages={BEYOND_64_BITS}", HTTPStatus.OK),
    ],
)
def test_admin_pages_for_keys_beyond_64_bits_never_answer_500(admin_client, url, status):
    assert admin_client.get(url).status_code == status


@pytest.mark.parametrize(
    ("url", "found"),
    [
        (f"/admin/timeline/event/?place__id__exact={BEYOND_64_BITS}", 0),
        (f"/admin/timeline/participation/?event__id__exact={BEYOND_64_BITS}", 0),
        # Lookups Django 5.2 leaves unguarded on SQLite (timeline/lookups.py): ``in``, and a foreign key's.
        (f"/admin/timeline/event/?place={BEYOND_64_BITS}", 0),
        (f"/admin/timeline/event/?period={BEYOND_64_BITS}", 0),
        (f"/admin/timeline/event/?id__in={BEYOND_64_BITS}", 0),
        (f"/admin/timeline/event/?place__gt={BEYOND_64_BITS}", 0),
        (f"/admin/timeline/event/?place__lt={BEYOND_64_BITS}", 2),  # every event with a place: both
        (f"/admin/timeline/event/?period__gte=-{BEYOND_64_BITS}1", 1),  # every event with a period: one
        (f"/admin/timeline/event/?period__lte=-{BEYOND_64_BITS}1", 0),
        (f"/admin/auth/user/?groups={BEYOND_64_BITS}", 0),
        (f"/admin/auth/group/?permissions={BEYOND_64_BITS}", 0),
    ],
)
def test_admin_filters_with_keys_beyond_64_bits_answer_as_postgresql_does(admin_client, url, found):
    """Beside the module's event in La Paz (no period), one with a place and a period."""
    EventFactory(place=PlaceFactory(), period=PeriodFactory(), status=Status.PUBLISHED)

    response = admin_client.get(url)

    assert (response.status_code, response.context["cl"].result_count) == (HTTPStatus.OK, found)


def test_an_admin_filter_no_lookup_guards_is_a_bad_filter_value(admin_client):
    """A range: SQLite cannot bind the number, and the admin answers as for any bad value, as on PostgreSQL."""
    response = admin_client.get(f"/admin/timeline/event/?id__range=1,{BEYOND_64_BITS}")

    assert (response.status_code, response["Location"]) == (HTTPStatus.FOUND, "/admin/timeline/event/?e=1")


@pytest.mark.parametrize("action", ["publish", "delete_selected"])
def test_an_admin_action_on_a_forged_selection_selects_nothing(client, action):
    """Django filters the selection with ``pk__in``: a value that is not a key was a ValueError (a 500)
    on both databases, one beyond 64 bits an OverflowError on SQLite."""
    from tests.timeline.test_admin import make_curator

    event = EventFactory(slug="draft", status=Status.DRAFT)
    client.force_login(make_curator("ana") if action == "publish" else UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        "/admin/timeline/event/", {"action": action, "_selected_action": [BEYOND_64_BITS, "x1"], "index": "0"}
    )

    # Nothing selected: the admin's own answer, back to the list with its message.
    assert (response.status_code, response["Location"]) == (HTTPStatus.FOUND, "/admin/timeline/event/")
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "Items must be selected in order to perform actions on them. No items have been changed."
    ]
    event.refresh_from_db()
    assert event.status == Status.DRAFT


def test_a_confirmed_action_acts_on_the_valid_keys_of_a_forged_selection(client):
    from tests.timeline.test_admin import make_curator

    draft = EventFactory(slug="draft", status=Status.DRAFT)
    EventFactory(slug="other", status=Status.DRAFT)
    client.force_login(make_curator("ana"))

    response = client.post(
        "/admin/timeline/event/",
        {"action": "publish", "_selected_action": [str(draft.pk), "x1", BEYOND_64_BITS], "post": "yes"},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert dict(Event.objects.filter(slug__in=["draft", "other"]).values_list("slug", "status")) == {
        "draft": Status.PUBLISHED,
        "other": Status.DRAFT,
    }


def test_an_admin_form_with_keys_beyond_64_bits_shows_errors(admin_client):
    response = admin_client.post("/admin/auth/group/add/", {"name": "editors", "permissions": [BEYOND_64_BITS]})

    assert response.status_code == HTTPStatus.OK
    assert response.context["adminform"].form.errors == {
        "permissions": [f"Select a valid choice. {BEYOND_64_BITS} is not one of the available choices."]
    }
