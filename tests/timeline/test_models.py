import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

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
)
from timeline.models import Event, Passage, Period, Place, Quote

pytestmark = pytest.mark.django_db


def test_event_save_derives_date_bounds_from_edtf():
    event = EventFactory(date_edtf="2003-10", date_as_written="October last year", date_basis="relative")
    event.refresh_from_db()

    assert (event.date_earliest, event.date_latest) == (datetime.date(2003, 10, 1), datetime.date(2003, 10, 31))
    assert event.date_precision == "month"
    assert event.date_display == "October 2003"
    assert event.date_as_written == "October last year"
    assert Event.objects.filter(date_display="October 2003").get() == event


def test_event_without_a_date_has_no_bounds():
    event = EventFactory(date_edtf="", date_basis="")
    event.refresh_from_db()

    assert (event.date_earliest, event.date_latest, event.date_precision) == (None, None, "")
    assert event.date_display == "undated"


def test_invalid_edtf_is_a_validation_error_on_the_field_and_saves_nothing():
    event = EventFactory.build(date_edtf="January 1970")

    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()

    assert list(excinfo.value.message_dict) == ["date_edtf"]
    assert excinfo.value.message_dict["date_edtf"][0].startswith("“January 1970” is not a valid EDTF date.")
    with pytest.raises(ValidationError):
        event.save()
    assert Event.objects.count() == 0


def test_a_date_needs_its_basis():
    event = EventFactory.build(date_edtf="1971", date_basis="")

    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()

    assert excinfo.value.message_dict == {"date_basis": ["Say how the date was obtained."]}


def test_end_before_start_is_rejected_by_the_model():
    period = PeriodFactory.build(date_edtf="1972/1971")

    with pytest.raises(ValidationError) as excinfo:
        period.full_clean()

    assert excinfo.value.message_dict["date_edtf"] == ["“1972/1971” ends before it starts."]


def test_end_before_start_is_rejected_by_the_database():
    event = EventFactory(date_edtf="1971")

    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(
            date_earliest=datetime.date(1971, 12, 31), date_latest=datetime.date(1971, 1, 1)
        )


def test_bounds_without_a_date_are_rejected_by_the_database():
    event = EventFactory(date_edtf="", date_basis="")

    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(date_earliest=datetime.date(1971, 1, 1))


def test_period_requires_a_date_in_the_database():
    period = PeriodFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Period.objects.filter(pk=period.pk).update(date_edtf="", date_earliest=None, date_latest=None)


def test_passage_slug_and_anchor_come_from_its_offsets():
    source = SourceFactory(slug="article")
    passage = PassageFactory(source=source, words="gathered in Cochabamba")

    assert (passage.start, passage.end) == (43, 65)
    assert passage.slug == "article-43-65"
    assert passage.get_absolute_url() == "/sources/article/#passage-43-65"


def test_passage_whose_text_does_not_match_its_source_is_rejected():
    source = SourceFactory()
    passage = Passage(source=source, start=43, end=65, text="gathered in La Paz!!!!")

    with pytest.raises(ValidationError) as excinfo:
        passage.full_clean()

    assert excinfo.value.message_dict["text"] == [f"The text does not match “{source}” at characters 43–65."]


def test_passage_end_before_start_is_rejected_by_the_model_and_the_database():
    source = SourceFactory()
    with pytest.raises(ValidationError) as excinfo:
        Passage(source=source, start=65, end=43, text="").full_clean()
    assert "A passage must end after it starts." in excinfo.value.message_dict["end"]

    with pytest.raises(IntegrityError), transaction.atomic():
        Passage.objects.create(source=source, start=65, end=43, text="x")


def test_passage_whose_length_does_not_span_its_offsets_is_rejected_by_the_database():
    source = SourceFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Passage.objects.create(source=source, start=0, end=10, text="The")


def test_participation_needs_exactly_one_participant():
    event, actor, organisation = EventFactory(), ActorFactory(), OrganisationFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ParticipationFactory(event=event, actor=actor, organisation=organisation)
    with pytest.raises(IntegrityError), transaction.atomic():
        ParticipationFactory(event=event, actor=None, organisation=None)


def test_event_cannot_relate_to_itself():
    event = EventFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        EventRelationFactory(from_event=event, to_event=event)


def test_quote_needs_a_speaker():
    quote = QuoteFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Quote.objects.filter(pk=quote.pk).update(speaker_actor=None)


def test_quote_words_must_be_in_its_passage():
    quote = QuoteFactory.build(text="words nobody said", passage=PassageFactory(words="real democracy"))

    with pytest.raises(ValidationError) as excinfo:
        quote.full_clean()

    assert excinfo.value.message_dict["text"] == ["The quotation’s words are not in its passage."]


def test_place_coordinates_must_be_in_range():
    with pytest.raises(IntegrityError), transaction.atomic():
        PlaceFactory(latitude=95, longitude=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlaceFactory(latitude=10, longitude=None)
    assert Place.objects.count() == 0


def test_slugs_are_unique_in_the_database():
    EventFactory(slug="strike")

    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(title="Another", slug="strike", event_type="strike")


def test_string_representations():
    source = SourceFactory(title="El Diario, 23 January 2004")
    membership = MembershipFactory(
        actor=ActorFactory(name="Jaime Solares"),
        organisation=OrganisationFactory(name="Bolivian Workers’ Union", acronym="COB"),
        role="executive secretary",
    )
    quote = QuoteFactory(speaker_actor=membership.actor)

    assert str(source) == "El Diario, 23 January 2004"
    assert str(membership) == "Jaime Solares — Bolivian Workers’ Union (COB), executive secretary"
    assert str(quote) == "“the workers defend real democracy” — Jaime Solares"
    assert str(quote.passage).startswith("“the workers defend real democracy” (source-")


def test_updated_at_moves_on_every_save():
    event = EventFactory()
    first = event.updated_at

    event.title = "Renamed"
    event.save()

    assert event.updated_at > first
    assert event.created_at <= first


def test_choice_labels_are_the_choices_and_a_value_outside_them_shows_as_it_is():
    from timeline.models import Event, Organisation

    assert Event(event_type="government_change").get_event_type_display() == "change of government"
    assert Event(occurrence="planned").get_occurrence_display() == "planned or called"
    assert Event(importance=3).get_importance_display() == "major"
    assert Organisation(kind="union").get_kind_display() == "trade union"
    assert Event(event_type="picnic").get_event_type_display() == "picnic"
