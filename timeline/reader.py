"""The document reader: a source's text as paragraphs, cut where passages begin and end.

Passages may overlap and nest, so they cannot be emitted as nested HTML
elements directly. :func:`paragraphs` cuts the text at every passage boundary
and every paragraph break and returns flat, non-overlapping segments, each
listing the passages that cover it (outermost first) and the passages that
start there (for their anchors). The template only loops; no HTML is built here.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    key: Hashable

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Segment:
    text: str
    start: int
    end: int
    covering: tuple[Hashable, ...] = ()
    starting: tuple[Hashable, ...] = ()

    @property
    def innermost(self) -> Hashable | None:
        """The shortest passage covering the segment (the one a link should lead to)."""
        return self.covering[-1] if self.covering else None


@dataclass(frozen=True)
class Paragraph:
    number: int
    start: int
    end: int
    segments: tuple[Segment, ...]
    passages: tuple[Hashable, ...] = field(default=())

    @property
    def text(self) -> str:
        return "".join(segment.text for segment in self.segments)


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each blank-line separated paragraph, surrounding whitespace trimmed."""
    bounds, position = [], 0
    for match in [*PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        chunk = text[position:end]
        stripped = chunk.strip()
        if stripped:
            start = position + (len(chunk) - len(chunk.lstrip()))
            bounds.append((start, start + len(stripped)))
        if match:
            position = match.end()
    return bounds


def paragraphs(text: str, spans: Iterable[Span]) -> list[Paragraph]:
    """Split ``text`` into paragraphs of segments cut at every passage boundary.

    A passage that crosses a paragraph break is cut there too: each paragraph
    gets the part of it that falls inside. Its anchor stays where it starts.
    Spans outside the text or empty are ignored.
    """
    spans = sorted(
        (span for span in spans if 0 <= span.start < span.end <= len(text)),
        key=lambda span: (span.start, -span.end),
    )
    result, previous_end = [], 0
    for number, (p_start, p_end) in enumerate(paragraph_bounds(text), start=1):
        inside = [span for span in spans if span.start < p_end and span.end > p_start]
        cuts = {p_start, p_end}
        for span in inside:
            cuts.update(offset for offset in (span.start, span.end) if p_start < offset < p_end)
        points = sorted(cuts)
        segments = []
        for seg_start, seg_end in itertools.pairwise(points):
            covering = tuple(span.key for span in inside if span.start <= seg_start and span.end >= seg_end)
            # A passage's anchor goes where it starts; one starting in the blank
            # lines before a paragraph is anchored at the paragraph's first word.
            starting = tuple(
                span.key
                for span in inside
                if span.start == seg_start or (seg_start == p_start and previous_end <= span.start < p_start)
            )
            segments.append(Segment(text[seg_start:seg_end], seg_start, seg_end, covering, starting))
        keys = tuple(dict.fromkeys(span.key for span in inside))
        result.append(Paragraph(number, p_start, p_end, tuple(segments), keys))
        previous_end = p_end
    return result
