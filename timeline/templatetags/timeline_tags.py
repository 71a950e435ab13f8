"""Template helpers for the public pages: dates as <time>, safe search highlighting, JSON-LD."""

from __future__ import annotations

import json
import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from timeline.dates import DatePrecision

register = template.Library()

# SearchHeadline on PostgreSQL wraps matches in these; nothing in a document contains them.
HEADLINE_START, HEADLINE_STOP = "\x02", "\x03"

_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def search_words(query: str) -> list[str]:
    """The words of a search query, without websearch operators and quotes."""
    words = re.findall(r"\w+", query or "")
    return [word for word in words if word.lower() not in {"or", "and"}]


def highlight_text(text: str, query: str) -> SafeString:
    """Escape ``text`` and wrap every occurrence of a query word in <mark>.

    The text is split around the matches first and every piece escaped on its
    own, so nothing a visitor typed, nor anything in the data, reaches the page
    unescaped.
    """
    text = text or ""
    words = sorted(set(search_words(query)), key=len, reverse=True)
    if not words:
        return escape(text)
    pattern = re.compile("(" + "|".join(re.escape(word) for word in words) + ")", re.IGNORECASE)
    pieces = pattern.split(text)
    html = "".join(
        f"<mark>{escape(piece)}</mark>" if index % 2 else str(escape(piece)) for index, piece in enumerate(pieces)
    )
    return mark_safe(html)  # noqa: S308 - every piece escaped above


def headline_html(headline: str) -> SafeString:
    """Turn a PostgreSQL headline (matches between sentinel characters) into escaped HTML with <mark>."""
    html = str(escape(headline or ""))
    html = html.replace(HEADLINE_START, "<mark>").replace(HEADLINE_STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above; only our own tags added


@register.filter
def highlight(text, query):
    return highlight_text(str(text or ""), str(query or ""))


def datetime_attribute(record) -> str:
    """A valid HTML datetime value for a dated record, at its precision."""
    earliest = getattr(record, "date_earliest", None)
    if earliest is None:
        return ""
    precision = getattr(record, "date_precision", "")
    if precision == DatePrecision.MONTH:
        return earliest.strftime("%Y-%m")
    if precision in (DatePrecision.YEAR, DatePrecision.DECADE, DatePrecision.CENTURY, DatePrecision.MILLENNIUM):
        return f"{earliest.year:04d}"
    return earliest.isoformat()


@register.simple_tag
def date_of(record):
    """``<time datetime="2003-10">October 2003</time>``, or "undated"."""
    attribute = datetime_attribute(record)
    if not attribute:
        return format_html('<span class="undated">{}</span>', "undated")
    return format_html('<time datetime="{}">{}</time>', attribute, record.date_display)


def json_ld(data) -> SafeString:
    """JSON for a <script type="application/ld+json"> element, safe against "</script>"."""
    return mark_safe(json.dumps(data, ensure_ascii=False, indent=2).translate(_JSON_ESCAPES))  # noqa: S308


@register.filter
def speaker_for(quote, user) -> str:
    """Who said it, leaving out a speaker whose record is still a draft for this visitor."""
    from timeline.views import shown

    names = [str(s) for s in (quote.speaker_actor, quote.speaker_organisation) if s and shown(s, user)]
    if not names and quote.speaker_description:
        names = [quote.speaker_description]
    return ", ".join(names) or "an unnamed speaker"
