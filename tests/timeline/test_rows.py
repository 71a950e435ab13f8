"""Participants and passages read as plain rows for a page of events."""

import pytest
from django.db.models import Q

from tests.factories import (
    ActorFactory,
    EventFactory,
    OrganisationFactory,
    ParticipationFactory,
    PassageFactory,
    SourceFactory,
)
from timeline.models import Event, Status
from timeline.rows import attach, participants_of, passages_of

pytestmark = pytest.mark.django_db


def test_attach_reads_every_page_in_two_queries_in_the_managers_order(django_assert_num_queries):
    meeting, strike, alone = (EventFactory(slug=slug) for slug in ("meeting", "strike", "alone"))
    cob = OrganisationFactory(slug="cob", name="Workers' Union", acronym="COB")
    ParticipationFactory(event=meeting, actor=None, organisation=cob, role="organiser")
    ParticipationFactory(event=meeting, actor=ActorFactory(slug="solares", name="Jaime Solares"), role_as_written="he")
    ParticipationFactory(event=strike, actor=ActorFactory(slug="draft", status=Status.DRAFT))
    article = SourceFactory(slug="article")
    meeting.passages.add(
        PassageFactory(source=article, words="general strike"), PassageFactory(source=article, words="The national")
    )
    events = list(Event.objects.order_by("pk"))

    with django_assert_num_queries(2):
        attach(events)

    rows = {event.slug: event for event in events}
    assert [(str(p.participant), p.role, p.role_as_written) for p in participants_of(rows["meeting"])] == [
        ("Workers' Union (COB)", "organiser", ""),
        ("Jaime Solares", "leader", "he"),
    ]
    assert [(p.actor_id, p.organisation_id) for p in participants_of(rows["meeting"])] == [
        (None, cob.pk),
        (rows["meeting"].participations.order_by("pk")[1].actor_id, None),
    ]
    assert [p.participant._meta.model_name for p in participants_of(rows["strike"])] == ["actor"]
    assert [(p.start, p.end, p.text, p.source.slug) for p in passages_of(rows["meeting"])] == [
        (0, 12, "The national", "article"),
        (105, 119, "general strike", "article"),
    ]
    assert (participants_of(rows["alone"]), passages_of(rows["alone"])) == ([], [])
    assert participants_of(alone) == []  # not attached: read through the related manager


def test_attach_narrows_participants_and_may_skip_passages(django_assert_num_queries):
    event = EventFactory()
    ParticipationFactory(event=event, actor=ActorFactory(slug="draft", status=Status.DRAFT))
    ParticipationFactory(event=event, actor=ActorFactory(slug="shown"))
    event.passages.add(PassageFactory(source=SourceFactory(slug="article")))

    with django_assert_num_queries(1):
        attach([event], participants=Q(actor__status=Status.PUBLISHED), passages=False)

    assert [p.actor.slug for p in participants_of(event)] == ["shown"]
    assert [p.slug for p in passages_of(event)] == ["article-43-65"]  # from the related manager
