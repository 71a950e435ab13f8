"""/api/v1/actors/: list, detail, filters, ordering, strictness, drafts and query counts."""

from http import HTTPStatus

import pytest

from tests.api.helpers import (
    BASE,
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
    MembershipFactory,
    OrganisationFactory,
    ParticipationFactory,
    PassageFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def actors():
    cob = OrganisationFactory(slug="cob", name="Bolivian Workers' Centre", acronym="COB")
    hidden = OrganisationFactory(slug="hidden-union", name="Hidden union", status="draft")
    solares = ActorFactory(
        slug="solares",
        name="Jaime Solares",
        aliases="Solares\n J. Solares \n",
        description="Executive secretary of the union.",
        notes="Named once.",
    )
    morales = ActorFactory(slug="morales", name="Evo Morales", description="Coca growers' leader.")
    quiroga = ActorFactory(slug="quiroga", name="Jorge Quiroga", status="draft")
    MembershipFactory(
        actor=solares,
        organisation=cob,
        role="executive secretary",
        role_as_written="secretario ejecutivo",
        date_edtf="2004",
        date_basis="stated",
    )
    MembershipFactory(actor=solares, organisation=hidden, role="member")
    MembershipFactory(actor=quiroga, organisation=cob, role="adviser")
    solares.passages.add(PassageFactory(source=SourceFactory(slug="article"), words="The leader said"))
    meeting, strike = EventFactory(slug="meeting"), EventFactory(slug="strike")
    ParticipationFactory(event=meeting, actor=solares)
    ParticipationFactory(event=meeting, actor=quiroga)
    ParticipationFactory(event=strike, actor=morales)
    EventFactory(slug="draft-event", status="draft")
    stamp(solares, morales, quiroga)
    return {"solares": solares, "morales": morales, "quiroga": quiroga}


COB_MEMBERSHIP = {
    "organisation": summary("organisations", "cob", "Bolivian Workers' Centre"),
    "role": "executive secretary",
    "role_as_written": "secretario ejecutivo",
    "date": {
        "edtf": "2004",
        "earliest": "2004-01-01",
        "latest": "2004-12-31",
        "display": "2004",
        "precision": "year",
        "approximate": False,
        "uncertain": False,
        "as_written": "",
        "basis": "stated",
        "note": "",
    },
}

SOLARES = {
    "slug": "solares",
    "name": "Jaime Solares",
    "aliases": ["Solares", "J. Solares"],
    "description": "Executive secretary of the union.",
    "status": "published",
    "memberships": [COB_MEMBERSHIP],
    "passages": [passage_summary("article", 141, 156, "The leader said")],
    "notes": "Named once.",
    "url": f"{BASE}/api/v1/actors/solares/",
    "site_url": f"{BASE}/actors/solares/",
    "created_at": STAMP,
    "updated_at": STAMP,
}

MORALES = {
    "slug": "morales",
    "name": "Evo Morales",
    "aliases": [],
    "description": "Coca growers' leader.",
    "status": "published",
    "memberships": [],
    "passages": [],
    "notes": "",
    "url": f"{BASE}/api/v1/actors/morales/",
    "site_url": f"{BASE}/actors/morales/",
    "created_at": STAMP,
    "updated_at": STAMP,
}


def test_actor_list_is_the_published_people_by_name(client, actors):
    response = client.get("/api/v1/actors/")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"next": None, "previous": None, "results": [MORALES, SOLARES]}


def test_actor_detail_is_the_whole_record_without_draft_organisations(client, actors):
    response = client.get("/api/v1/actors/solares/")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == SOLARES


def test_actor_detail_shows_draft_organisations_to_curators(curator_client, actors):
    response = curator_client.get("/api/v1/actors/solares/")

    assert response.status_code == HTTPStatus.OK
    assert response.json()["memberships"] == [
        COB_MEMBERSHIP,
        {
            "organisation": summary("organisations", "hidden-union", "Hidden union"),
            "role": "member",
            "role_as_written": "",
            "date": UNDATED,
        },
    ]


def test_actor_detail_of_unknown_slug_is_404(client, actors):
    response = client.get("/api/v1/actors/nobody/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"detail": "No Actor matches the given query."}


def test_draft_actors_are_hidden_from_anonymous_clients(client, curator_client, actors):
    assert slugs(client.get("/api/v1/actors/")) == ["morales", "solares"]
    assert client.get("/api/v1/actors/quiroga/").status_code == HTTPStatus.NOT_FOUND
    assert slugs(curator_client.get("/api/v1/actors/")) == ["morales", "solares", "quiroga"]
    assert curator_client.get("/api/v1/actors/quiroga/").json()["status"] == "draft"


def test_draft_actors_are_hidden_from_a_published_events_participants(client, curator_client, actors):
    def participants(api):
        return [p["participant"]["slug"] for p in api.get("/api/v1/events/meeting/").json()["participants"]]

    assert participants(client) == ["solares"]
    assert participants(curator_client) == ["solares", "quiroga"]


def test_draft_actors_are_hidden_from_an_organisations_members(client, curator_client, actors):
    def members(api):
        return [m["actor"]["slug"] for m in api.get("/api/v1/organisations/cob/").json()["members"]]

    assert members(client) == ["solares"]
    assert members(curator_client) == ["solares", "quiroga"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["morales", "solares"]),
        ("q=Solares", ["solares"]),
        ("q=coca", ["morales"]),
        ("q=nothing", []),
        ("organisation=cob", ["solares"]),
        ("event=meeting", ["solares"]),
        ("event=strike", ["morales"]),
        ("organisation=cob&event=meeting", ["solares"]),
        ("organisation=cob&event=strike", []),
        ("ordering=name", ["morales", "solares"]),
        ("ordering=-name", ["solares", "morales"]),
        ("q=leader&ordering=-name", ["morales"]),
    ],
)
def test_actor_filters_alone_and_combined(client, actors, query, expected):
    assert slugs(client.get(f"/api/v1/actors/?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("organisation=cob", ["solares", "quiroga"]),
        ("organisation=hidden-union", ["solares"]),
        ("event=meeting&ordering=-name", ["quiroga", "solares"]),
        ("event=draft-event", []),
    ],
)
def test_curators_filter_by_drafts_too(curator_client, actors, query, expected):
    assert slugs(curator_client.get(f"/api/v1/actors/?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("colour=red", {"colour": ["Unknown parameter “colour”."]}),
        ("kind=union", {"kind": ["Unknown parameter “kind”."]}),
        ("organisation=nobody", {"organisation": [NO_SUCH_CHOICE]}),
        ("organisation=hidden-union", {"organisation": [NO_SUCH_CHOICE]}),
        ("event=nothing", {"event": [NO_SUCH_CHOICE]}),
        ("event=draft-event", {"event": [NO_SUCH_CHOICE]}),
        ("ordering=date", {"ordering": [choice_error("date")]}),
        ("q=a&q=b", {"q": ["Give “q” once."]}),
        ("page_size=101", {"page_size": ["“page_size” must be a whole number from 1 to 100; got “101”."]}),
        ("page=0", {"page": ["“page” must be a whole number from 1 to 1000000; got “0”."]}),
    ],
)
def test_invalid_actor_query_is_400_naming_the_parameter(client, actors, query, errors):
    assert_invalid_query(client.get(f"/api/v1/actors/?{query}"), errors)


def test_unknown_parameters_on_an_actor_detail_are_400(client, actors):
    assert_invalid_query(
        client.get("/api/v1/actors/solares/?organisation=cob"),
        {"organisation": ["Unknown parameter “organisation”."]},
    )


def test_actor_pages(client, actors):
    first = client.get("/api/v1/actors/?page_size=1").json()
    second = client.get("/api/v1/actors/?page_size=1&page=2").json()

    assert [a["slug"] for a in first["results"]] == ["morales"]
    assert first["next"] == f"{BASE}/api/v1/actors/?page=2&page_size=1"
    assert second == {"next": None, "previous": f"{BASE}/api/v1/actors/?page_size=1", "results": [SOLARES]}


def test_actor_queries_are_bounded(client, actors, django_assert_max_num_queries):
    for actor in ActorFactory.create_batch(30):
        MembershipFactory(actor=actor, organisation=actors["solares"].organisations.first())

    with django_assert_max_num_queries(4):
        assert len(slugs(client.get("/api/v1/actors/?page_size=100"))) == 32
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/actors/solares/").status_code == HTTPStatus.OK
