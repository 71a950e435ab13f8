"""The document reader: what each passage supports, read in one query over every link table."""

import re

import pytest

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
from timeline.models import ParticipantRole, RelationType, Status

pytestmark = pytest.mark.django_db

STRIKE = "It called an indefinite general strike in twenty days time."
RECORD = re.compile(r'<li><span class="records__kind">([^<]*)</span> <a href="([^"]*)">([^<]*)</a></li>')


def note_records(response, passage) -> list[tuple[str, str, str]]:
    """(kind, url, label) of every record listed in the reader's note for ``passage``."""
    html = response.content.decode()
    tag = f'<li id="note-{passage.anchor}" class="note">'
    start = html.index(tag) + len(tag)
    end = html.find('class="note"', start)
    return RECORD.findall(html[start : end if end != -1 else len(html)])


@pytest.fixture
def supported():
    """One passage that supports a record of every kind, and drafts beside them."""
    source = SourceFactory(slug="article", title="The article")
    passage = PassageFactory(source=source, words=STRIKE)
    call = EventFactory(slug="strike-call", title="Strike called", date_edtf="2004-01-22")
    meeting = EventFactory(slug="meeting", title="Enlarged meeting", date_edtf="2004-01-20")
    hidden = EventFactory(slug="hidden", title="Hidden event", date_edtf="2004-01-21", status=Status.DRAFT)
    solares = ActorFactory(slug="solares", name="Jaime Solares")
    draft_actor = ActorFactory(slug="ana", name="Ana Draft", status=Status.DRAFT)
    cob = OrganisationFactory(slug="cob", name="Workers Union", acronym="COB")
    draft_organisation = OrganisationFactory(slug="secret-union", name="Secret Union", status=Status.DRAFT)
    place = PlaceFactory(slug="cochabamba", name="Cochabamba")
    period = PeriodFactory(slug="mesa", name="Mesa government")
    QuoteFactory(slug="strike-words", passage=passage, text="indefinite general strike", speaker_actor=solares)
    attributed = QuoteFactory(slug="democracy", speaker_actor=solares, passage__source=source)
    membership = MembershipFactory(actor=solares, organisation=cob, role="executive secretary")
    hidden_membership = MembershipFactory(actor=draft_actor, organisation=cob, role="member")
    organiser = ParticipationFactory(event=call, actor=None, organisation=cob, role=ParticipantRole.ORGANISER)
    by_draft = ParticipationFactory(event=call, actor=draft_actor, role=ParticipantRole.PARTICIPANT)
    in_hidden = ParticipationFactory(event=hidden, actor=solares, role=ParticipantRole.SPEAKER)
    relation = EventRelationFactory(from_event=meeting, to_event=call, relation=RelationType.LED_TO)
    cited = SourceFactory(slug="el-diario", title="El Diario", kind="newspaper", text="", cited_in=source)
    for record in (call, meeting, hidden, solares, draft_actor, cob, draft_organisation, place, period, cited):
        record.passages.add(passage)
    for record in (membership, hidden_membership, organiser, by_draft, in_hidden, relation):
        record.passages.add(passage)
    attributed.attribution_passages.add(passage)
    return passage


PUBLISHED = [
    ("Event", "/events/meeting/", "Enlarged meeting"),
    ("Event", "/events/strike-call/", "Strike called"),
    ("Person", "/actors/solares/", "Jaime Solares"),
    ("Organisation", "/organisations/cob/", "Workers Union (COB)"),
    ("Place", "/places/cochabamba/", "Cochabamba"),
    ("Period", "/periods/mesa/", "Mesa government"),
    ("Quotation", "/quotes/strike-words/", "“indefinite general strike”"),
    ("Attribution", "/quotes/democracy/", "“the workers defend real democracy”"),
    ("Membership", "/actors/solares/", "Jaime Solares in Workers Union (COB), executive secretary"),
    ("Participation", "/events/strike-call/", "Workers Union (COB) (organiser) in Strike called"),
    ("Relation", "/events/meeting/", "Enlarged meeting led to Strike called"),
    ("Citation", "/sources/el-diario/", "El Diario"),
]


def test_a_passage_lists_every_kind_of_record_it_supports_in_order_without_drafts(client, supported):
    response = client.get("/sources/article/")

    assert response.status_code == 200
    assert note_records(response, supported) == PUBLISHED


def test_curators_also_see_the_drafts_a_passage_supports(client, supported):
    client.force_login(
        UserFactory(permissions=["timeline.change_event", "timeline.change_actor", "timeline.change_organisation"])
    )

    response = client.get("/sources/article/")

    assert note_records(response, supported) == [
        ("Event", "/events/meeting/", "Enlarged meeting"),
        ("Event", "/events/hidden/", "Hidden event"),
        ("Event", "/events/strike-call/", "Strike called"),
        ("Person", "/actors/ana/", "Ana Draft"),
        ("Person", "/actors/solares/", "Jaime Solares"),
        ("Organisation", "/organisations/secret-union/", "Secret Union"),
        ("Organisation", "/organisations/cob/", "Workers Union (COB)"),
        *PUBLISHED[4:8],
        ("Membership", "/actors/ana/", "Ana Draft in Workers Union (COB), member"),
        ("Membership", "/actors/solares/", "Jaime Solares in Workers Union (COB), executive secretary"),
        ("Participation", "/events/strike-call/", "Workers Union (COB) (organiser) in Strike called"),
        ("Participation", "/events/strike-call/", "Ana Draft (participant) in Strike called"),
        ("Participation", "/events/hidden/", "Jaime Solares (speaker) in Hidden event"),
        *PUBLISHED[10:],
    ]


def test_a_cited_publication_lists_what_its_citing_passages_support(client, supported):
    response = client.get("/sources/el-diario/")

    assert RECORD.findall(response.content.decode()) == PUBLISHED


@pytest.mark.parametrize("passages", [1, 40])
def test_the_reader_reads_every_kind_of_record_in_the_same_six_queries(
    client, settings, django_assert_num_queries, passages
):
    """Source, its citing passages, its quotations, its passages, their records (one UNION), the sources it cites."""
    settings.RESPONSE_CACHE = False
    source = SourceFactory(slug="article", text=" ".join(f"Sentence number {n:03d}." for n in range(passages)))
    cob = OrganisationFactory(acronym="COB")
    for n in range(passages):
        passage = PassageFactory(source=source, words=f"Sentence number {n:03d}.")
        event, actor = EventFactory(), ActorFactory()
        for record in (event, actor, cob, PlaceFactory(), PeriodFactory(), SourceFactory(cited_in=source, text="")):
            record.passages.add(passage)
        for record in (
            MembershipFactory(actor=actor, organisation=cob),
            ParticipationFactory(event=event, actor=actor),
            EventRelationFactory(to_event=event),
        ):
            record.passages.add(passage)
        QuoteFactory(passage=passage, text=f"number {n:03d}").attribution_passages.add(passage)

    with django_assert_num_queries(6):
        response = client.get("/sources/article/")

    assert len(RECORD.findall(response.content.decode())) == passages * 11
