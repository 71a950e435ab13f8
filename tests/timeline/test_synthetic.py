import pytest
from django.core.management import call_command

from tests.factories import EventFactory, ParticipationFactory, PassageFactory
from timeline import dates, synthetic
from timeline.management.commands.check_provenance import provenance_problems
from timeline.models import Actor, Event, Participation, Passage, Quote, Source

pytestmark = pytest.mark.django_db


def fingerprint():
    return list(
        Event.objects.filter(slug__startswith="synthetic-")
        .order_by("slug")
        .values_list("slug", "title", "date_edtf", "event_type", "importance", "status")
    )


def test_generates_the_requested_size_with_proportional_records():
    counts = synthetic.generate(events=200, seed=7)

    assert counts == {
        "events": 200,
        "actors": 40,
        "organisations": 20,
        "places": 10,
        "periods": 3,
        "sources": 2,
        "passages": 400,
        "quotes": 60,
        "participations": counts["participations"],
    }
    assert 500 <= counts["participations"] <= 600


def test_same_seed_gives_the_same_data_and_another_seed_does_not():
    synthetic.generate(events=50, seed=3)
    first = fingerprint()
    synthetic.purge()
    synthetic.generate(events=50, seed=3)
    assert fingerprint() == first
    synthetic.purge()
    synthetic.generate(events=50, seed=4)
    assert fingerprint() != first


def test_generated_dates_and_passages_are_valid():
    synthetic.generate(events=300, seed=1)

    for event in Event.objects.filter(slug__startswith="synthetic-"):
        parsed = dates.parse(event.date_edtf)
        assert (parsed.earliest, parsed.latest, parsed.approximate, dates.display(event.date_edtf)) == (
            event.date_earliest,
            event.date_latest,
            event.date_approximate,
            event.date_display,
        )
    assert provenance_problems() == []
    assert all(q.text == q.passage.text for q in Quote.objects.select_related("passage"))


def test_purge_removes_synthetic_records_and_leaves_the_real_data_untouched():
    real = ParticipationFactory(event=EventFactory(slug="real-event"))
    real.event.passages.add(PassageFactory())
    before = (Event.objects.count(), Actor.objects.count(), Passage.objects.count(), Source.objects.count())

    call_command("generate_synthetic", events=100, seed=2, verbosity=0)
    assert Event.objects.count() == before[0] + 100
    call_command("generate_synthetic", purge=True, verbosity=0)

    assert (Event.objects.count(), Actor.objects.count(), Passage.objects.count(), Source.objects.count()) == before
    assert Participation.objects.get() == real
    assert Event.objects.get(slug="real-event").passages.count() == 1


def test_refuses_to_generate_twice_without_replace():
    synthetic.generate(events=10)

    with pytest.raises(ValueError, match="already present"):
        synthetic.generate(events=10)
