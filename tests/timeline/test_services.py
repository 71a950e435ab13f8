import pytest
from django.core.exceptions import ValidationError

from tests.factories import SourceFactory
from timeline.models import Passage
from timeline.services import Span, passage_get_or_create, passage_locate, passage_occurrences

pytestmark = pytest.mark.django_db


def test_occurrences_finds_every_match_including_overlaps():
    assert passage_occurrences(text="aaaa", words="aa") == [Span(0, 2), Span(1, 3), Span(2, 4)]
    assert passage_occurrences(text="abc", words="") == []


def test_locate_returns_offsets_of_unique_words():
    source = SourceFactory()

    span = passage_locate(source=source, words="in twenty days time")

    assert span == Span(120, 139)
    assert source.text[span.start : span.end] == "in twenty days time"


def test_locate_reports_missing_words():
    source = SourceFactory(title="The article")

    with pytest.raises(ValidationError) as excinfo:
        passage_locate(source=source, words="in thirty days time")

    assert excinfo.value.messages == [
        "These words are not in “The article”: “in thirty days time”. Paste them exactly as the document has them."
    ]


def test_locate_asks_which_occurrence_when_words_repeat():
    source = SourceFactory(title="The article")

    with pytest.raises(ValidationError) as excinfo:
        passage_locate(source=source, words="the")
    assert excinfo.value.messages == [
        "These words occur 3 times in “The article”; choose which occurrence (1 to 3), "
        "or paste more of the surrounding words."
    ]
    assert passage_locate(source=source, words="the", occurrence=2) == Span(45, 48)
    with pytest.raises(ValidationError) as excinfo:
        passage_locate(source=source, words="the", occurrence=4)
    assert excinfo.value.messages == ["These words occur 3 time(s) in “The article”; occurrence 4 does not exist."]


def test_get_or_create_stores_the_exact_text_once():
    source = SourceFactory()

    first = passage_get_or_create(source=source, words="gathered in Cochabamba")
    second = passage_get_or_create(source=source, words="gathered in Cochabamba")

    assert first == second
    assert Passage.objects.count() == 1
    assert (first.start, first.end, first.text) == (43, 65, "gathered in Cochabamba")
