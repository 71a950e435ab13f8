"""Writes that touch several rows or need a rule applied, in one place.

Views, the API, the admin and the management commands call these functions;
none of them computes a passage's offsets on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from timeline.models import Passage, Source


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def passage_occurrences(*, text: str, words: str) -> list[Span]:
    """Every place where ``words`` occur in ``text``, overlapping ones included."""
    if not words:
        return []
    spans, position = [], text.find(words)
    while position != -1:
        spans.append(Span(position, position + len(words)))
        position = text.find(words, position + 1)
    return spans


def passage_locate(*, source: Source, words: str, occurrence: int | None = None) -> Span:
    """Find quoted words in a source's text and return their offsets.

    ``occurrence`` (1-based) chooses among several matches; without it the
    words must occur exactly once. Raises ``ValidationError`` with a message
    a curator can act on.
    """
    if not words or not words.strip():
        raise ValidationError("Paste the words of the passage.", code="empty")
    if not source.text:
        raise ValidationError(f"“{source}” has no text to quote from.", code="no_text")
    spans = passage_occurrences(text=source.text, words=words)
    if not spans:
        raise ValidationError(
            "These words are not in “%(source)s”: “%(words)s”. Paste them exactly as the document has them.",
            code="not_found",
            params={"source": source, "words": words if len(words) <= 80 else words[:77] + "…"},
        )
    if occurrence is None:
        if len(spans) > 1:
            raise ValidationError(
                "These words occur %(count)d times in “%(source)s”; choose which occurrence (1 to %(count)d), "
                "or paste more of the surrounding words.",
                code="ambiguous",
                params={"count": len(spans), "source": source},
            )
        return spans[0]
    if not 1 <= occurrence <= len(spans):
        raise ValidationError(
            "These words occur %(count)d time(s) in “%(source)s”; occurrence %(occurrence)d does not exist.",
            code="bad_occurrence",
            params={"count": len(spans), "source": source, "occurrence": occurrence},
        )
    return spans[occurrence - 1]


@transaction.atomic
def passage_get_or_create(*, source: Source, words: str, occurrence: int | None = None, note: str = "") -> Passage:
    """The passage holding these words of the source, created if new."""
    span = passage_locate(source=source, words=words, occurrence=occurrence)
    passage, _ = Passage.objects.get_or_create(
        source=source,
        start=span.start,
        end=span.end,
        defaults={"text": source.text[span.start : span.end], "note": note},
    )
    return passage
