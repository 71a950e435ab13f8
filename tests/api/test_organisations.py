"""/api/v1/organisations/: list, detail, filters, ordering, strictness, drafts and query counts."""

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
    PlaceFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisations():
    bolivia = PlaceFactory(slug="bolivia", name="Bolivia", kind="country")
    cob = OrganisationFactory(
        slug="cob",
        name="Bolivian Workers' Centre",
        acronym="COB",
        aliases="Central Obrera Boliviana\nCentral",
        kind="union",
        country=bolivia,
        description="The national union federation.",
    )
    confederation = OrganisationFactory(
        slug="confederation", name="Peasant Workers' Confederation", kind="union", parent=cob
    )
    mas = OrganisationFactory(slug="mas", name="Movement for Socialism", acronym="MAS", kind="party")
    secret = OrganisationFactory(slug="secret", name="Secret committee", kind="other", status="draft")
    lodge = OrganisationFactory(slug="lodge", name="Lodge", kind="other", parent=secret)
    solares = ActorFactory(slug="solares", name="Jaime Solares")
    hidden = ActorFactory(slug="hidden", name="Hidden person", status="draft")
    MembershipFactory(actor=solares, organisation=cob, role="executive secretary")
    MembershipFactory(actor=hidden, organisation=cob, role="adviser")
    cob.passages.add(PassageFactory(source=SourceFactory(slug="article"), words="national enlarged meeting"))
    meeting, strike = EventFactory(slug="meeting"), EventFactory(slug="strike")
    ParticipationFactory(event=meeting, actor=None, organisation=cob, role="organiser")
    ParticipationFactory(event=meeting, actor=None, organisation=secret, role="organiser")
    ParticipationFactory(event=strike, actor=None, organisation=mas)
    EventFactory(slug="draft-event", status="draft")
    stamp(cob, confederation, mas, secret, lodge)
    return {"cob": cob, "secret": secret}


COB = {
    "slug": "cob",
    "name": "Bolivian Workers' Centre",
    "acronym": "COB",
    "aliases": ["Central Obrera Boliviana", "Central"],
    "kind": "union",
    "country": summary("places", "bolivia", "Bolivia"),
    "parent": None,
    "description": "The national union federation.",
    "status": "published",
    "members": [
        {
            "actor": summary("actors", "solares", "Jaime Solares"),
            "role": "executive secretary",
            "role_as_written": "",
            "date": UNDATED,
        }
    ],
    "passages": [passage_summary("article", 4, 29, "national enlarged meeting")],
    "notes": "",
    "url": f"{BASE}/api/v1/organisations/cob/",
    "site_url": f"{BASE}/organisations/cob/",
    "created_at": STAMP,
    "updated_at": STAMP,
}


def plain(slug, name, kind, *, acronym="", parent=None):
    return {
        "slug": slug,
        "name": name,
        "acronym": acronym,
        "aliases": [],
        "kind": kind,
        "country": None,
        "parent": parent,
        "description": "",
        "status": "published",
        "members": [],
        "passages": [],
        "notes": "",
        "url": f"{BASE}/api/v1/organisations/{slug}/",
        "site_url": f"{BASE}/organisations/{slug}/",
        "created_at": STAMP,
        "updated_at": STAMP,
    }


def test_organisation_list_is_the_published_organisations_by_name(client, organisations):
    response = client.get("/api/v1/organisations/")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "next": None,
        "previous": None,
        "results": [
            COB,
            plain("lodge", "Lodge", "other"),
            plain("mas", "Movement for Socialism", "party", acronym="MAS"),
            plain(
                "confederation",
                "Peasant Workers' Confederation",
                "union",
                parent=summary("organisations", "cob", "Bolivian Workers' Centre"),
            ),
        ],
    }


def test_organisation_detail_is_the_whole_record_without_draft_members(client, organisations):
    response = client.get("/api/v1/organisations/cob/")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == COB


def test_organisation_detail_shows_draft_members_to_curators(curator_client, organisations):
    members = curator_client.get("/api/v1/organisations/cob/").json()["members"]

    assert [m["actor"]["slug"] for m in members] == ["hidden", "solares"]


def test_draft_parent_is_hidden_from_anonymous_clients(client, curator_client, organisations):
    assert client.get("/api/v1/organisations/lodge/").json()["parent"] is None
    assert curator_client.get("/api/v1/organisations/lodge/").json()["parent"] == summary(
        "organisations", "secret", "Secret committee"
    )


def test_organisation_detail_of_unknown_slug_is_404(client, organisations):
    response = client.get("/api/v1/organisations/nothing/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"detail": "No Organisation matches the given query."}


def test_draft_organisations_are_hidden_from_anonymous_clients(client, curator_client, organisations):
    assert slugs(client.get("/api/v1/organisations/")) == ["cob", "lodge", "mas", "confederation"]
    assert client.get("/api/v1/organisations/secret/").status_code == HTTPStatus.NOT_FOUND
    assert slugs(curator_client.get("/api/v1/organisations/")) == ["cob", "lodge", "mas", "confederation", "secret"]
    assert curator_client.get("/api/v1/organisations/secret/").json()["status"] == "draft"


def test_draft_organisations_are_hidden_from_a_published_events_participants(client, curator_client, organisations):
    def participants(api):
        return [p["participant"]["slug"] for p in api.get("/api/v1/events/meeting/").json()["participants"]]

    assert participants(client) == ["cob"]
    assert participants(curator_client) == ["cob", "secret"]


def test_draft_organisations_are_hidden_from_an_actors_memberships(client, organisations):
    MembershipFactory(actor=ActorFactory(slug="solares"), organisation=organisations["secret"], role="founder")

    memberships = client.get("/api/v1/actors/solares/").json()["memberships"]

    assert [m["organisation"]["slug"] for m in memberships] == ["cob"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["cob", "lodge", "mas", "confederation"]),
        ("kind=union", ["cob", "confederation"]),
        ("kind=party", ["mas"]),
        ("kind=media", []),
        ("actor=solares", ["cob"]),
        ("event=meeting", ["cob"]),
        ("event=strike", ["mas"]),
        ("q=COB", ["cob"]),
        ("q=Obrera", ["cob"]),
        ("q=national", ["cob"]),
        ("kind=union&actor=solares", ["cob"]),
        ("kind=party&event=meeting", []),
        ("kind=union&ordering=-name", ["confederation", "cob"]),
        ("ordering=name", ["cob", "lodge", "mas", "confederation"]),
        ("ordering=-name", ["confederation", "mas", "lodge", "cob"]),
    ],
)
def test_organisation_filters_alone_and_combined(client, organisations, query, expected):
    assert slugs(client.get(f"/api/v1/organisations/?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("event=meeting", ["cob", "secret"]),
        ("actor=hidden", ["cob"]),
        ("kind=other", ["lodge", "secret"]),
        ("event=draft-event", []),
    ],
)
def test_curators_filter_organisations_by_drafts_too(curator_client, organisations, query, expected):
    assert slugs(curator_client.get(f"/api/v1/organisations/?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("colour=red", {"colour": ["Unknown parameter “colour”."]}),
        ("country=bolivia", {"country": ["Unknown parameter “country”."]}),
        ("kind=picnic", {"kind": [choice_error("picnic")]}),
        ("actor=nobody", {"actor": [NO_SUCH_CHOICE]}),
        ("actor=hidden", {"actor": [NO_SUCH_CHOICE]}),
        ("event=nothing", {"event": [NO_SUCH_CHOICE]}),
        ("event=draft-event", {"event": [NO_SUCH_CHOICE]}),
        ("ordering=kind", {"ordering": [choice_error("kind")]}),
        ("kind=union&kind=party", {"kind": ["Give “kind” once."]}),
        ("page_size=ten", {"page_size": ["“page_size” must be a whole number from 1 to 100; got “ten”."]}),
    ],
)
def test_invalid_organisation_query_is_400_naming_the_parameter(client, organisations, query, errors):
    assert_invalid_query(client.get(f"/api/v1/organisations/?{query}"), errors)


def test_organisation_pages(client, organisations):
    second = client.get("/api/v1/organisations/?page_size=3&page=2").json()

    assert second == {
        "next": None,
        "previous": f"{BASE}/api/v1/organisations/?page_size=3",
        "results": [
            plain(
                "confederation",
                "Peasant Workers' Confederation",
                "union",
                parent=summary("organisations", "cob", "Bolivian Workers' Centre"),
            )
        ],
    }


def test_organisation_queries_are_bounded(client, organisations, django_assert_max_num_queries):
    for organisation in OrganisationFactory.create_batch(30, parent=organisations["cob"]):
        MembershipFactory(actor=ActorFactory(), organisation=organisation)

    with django_assert_max_num_queries(4):
        assert len(slugs(client.get("/api/v1/organisations/?page_size=100"))) == 34
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/organisations/cob/").status_code == HTTPStatus.OK
