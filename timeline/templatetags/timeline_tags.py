"""Template helpers for the public pages: dates as <time>, safe search highlighting, JSON-LD."""

from __future__ import annotations

import html
import json
import re

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from timeline.dates import DatePrecision
from timeline.rows import participants_of

register = template.Library()

_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
_PLACEHOLDER = "slug-placeholder"
_url_patterns: dict[tuple[str, str], str] = {}


def slug_url(name: str, slug: str) -> str:
    """``reverse("timeline:<name>", kwargs={"slug": slug})``, without resolving the pattern for every record.

    A list page links to hundreds of records; reversing each costs more than the
    rest of its row. The pattern is reversed once (per script prefix) and the
    slug put in its place; a value that is not a plain slug goes through
    ``reverse`` itself, which refuses it as it always did.
    """
    if not _SLUG.match(slug):
        return reverse(f"timeline:{name}", kwargs={"slug": slug})
    key = (name, get_script_prefix())
    pattern = _url_patterns.get(key)
    if pattern is None:
        pattern = _url_patterns[key] = reverse(f"timeline:{name}", kwargs={"slug": _PLACEHOLDER})
    return pattern.replace(_PLACEHOLDER, slug, 1)


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


def _add(value, amount: int) -> str:
    """``{{ value|add:amount }}`` for a number: Django's ``add`` filter adds integers, truncating."""
    return str(int(value) + amount)


@register.simple_tag
def timeline_svg(layout, svg_id: str, variant: str) -> SafeString:
    """The visual timeline as an inline SVG, from a :class:`timeline.visual.Layout`.

    Built here rather than in a template: a figure has hundreds of marks and bars,
    drawn twice (wide and narrow), and the template language spent more time on
    them than on everything else on the page. Every text is escaped; numbers are
    printed with ``str``, as the template language prints them without grouping.
    """
    e = _escape
    variant, svg_id = e(variant), e(svg_id)
    width, height = str(layout.width), str(layout.height)
    out = [
        f'  <div class="figure__frame figure__frame--{variant}">\n',
        f'    <svg class="timeline-svg timeline-svg--{variant}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" aria-labelledby="{svg_id}-title {svg_id}-desc" xmlns="http://www.w3.org/2000/svg">\n',
        f'      <title id="{svg_id}-title">Visual timeline, {e(layout.window.label)}</title>\n',
        f'      <desc id="{svg_id}-desc">{e(layout.summary)} Every event is also listed in words below.</desc>\n',
        "      ",
    ]
    if layout.bands:
        out.append('<g class="bands">\n        ')
        for band in layout.bands:
            selected = " band--selected" if band.selected else ""
            label = f'<text x="{band.label_x!s}" y="{_add(band.y, 13)}">{e(band.label)}</text>' if band.label else ""
            out.append(
                f'<a href="{e(band.url)}" class="band{selected}"><title>Period: {e(band.title)}</title>'
                f'<rect x="{band.x!s}" y="{band.y!s}" width="{band.width!s}" height="18" rx="3"/>'
                f"{label}</a>\n        "
            )
        out.append("</g>")
    out.append("\n      ")
    if layout.bars:
        out.append('<g class="bars">\n        ')
        for bar in layout.bars:
            out.append(
                f'<a href="{e(bar.href)}" class="bar"><title>{e(bar.title)} (zoom in)</title>'
                f'<rect x="{bar.x!s}" y="{bar.y!s}" width="{bar.width!s}" height="{bar.height!s}"/>'
                "</a>\n        "
            )
        out.append("</g>")
    out.append('\n      <g class="marks">\n        ')
    for mark in layout.labelled:
        major = " mark--major" if mark.major else ""
        if mark.is_range:
            shape = f'<rect x="{mark.x!s}" y="{_add(mark.y, 4)}" width="{mark.width!s}" height="10" rx="5"/>'
        else:
            shape = f'<circle cx="{mark.centre!s}" cy="{mark.middle_y!s}" r="5.5"/>'
        out.append(
            f'<a href="{e(mark.url)}" class="mark{major}"><title>{e(mark.title)}</title>{shape}'
            f'<text x="{mark.label_x!s}" y="{_add(mark.y, 13)}" text-anchor="{e(mark.label_anchor)}">'
            f"{e(mark.label)}</text></a>\n        "
        )
    out.append("\n        ")
    for mark in layout.unlabelled:
        major = " tick--major" if mark.major else ""
        out.append(
            f'<a href="{e(mark.url)}" class="tick{major}"><title>{e(mark.title)}</title>'
            f'<rect x="{mark.x!s}" y="{mark.y!s}" width="{mark.shape_width!s}" height="7" rx="1"/></a>'
            "\n        "
        )
    axis_y = str(layout.axis_y)
    out.append(
        '\n      </g>\n      <g class="axis">\n'
        f'        <line x1="16" x2="{_add(layout.width, -16)}" y1="{axis_y}" y2="{axis_y}"/>\n        '
    )
    tick_y, text_y = _add(layout.axis_y, 6), _add(layout.axis_y, 20)
    for tick in layout.ticks:
        x = str(tick.x)
        out.append(
            f'<a href="{e(tick.href)}"><title>Zoom to {e(tick.label)}</title>'
            f'<line x1="{x}" x2="{x}" y1="{axis_y}" y2="{tick_y}"/>'
            f'<text x="{x}" y="{text_y}" text-anchor="{e(tick.anchor)}">{e(tick.label)}</text></a>\n        '
        )
    out.append("\n      </g>\n    </svg>\n  </div>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above, numbers printed by str()


def _escape(value) -> str:
    """HTML-escape like the template language's autoescape (``&``, ``<``, ``>``, ``"`` and ``'``)."""
    return html.escape(str(value))


def event_card_html(event, heading=3, show_period=False) -> str:
    """One event as a card: its date, title, type, place, period and first five participants.

    Python rather than an included template: the timeline shows fifty cards, and
    including a template fifty times cost more than the rest of the page. The
    output is the markup the template made. ``event.participations`` should be
    prefetched.
    """
    e = _escape
    heading = heading or 3
    major = event.importance == 3
    lines = [
        f'<article class="event-card{" event-card--major" if major else ""}">\n',
        f'  <p class="event-card__date">{date_of(event)}</p>\n',
        f'  <h{heading} class="event-card__title"><a href="{e(slug_url("event-detail", event.slug))}">'
        f"{e(event.title)}</a></h{heading}>\n",
        '  <p class="event-card__meta">\n',
        f'    <span class="tag tag--type">{e(event.get_event_type_display())}</span>\n',
        "    " + ('<span class="tag tag--major">major</span>' if major else "") + "\n",
    ]
    occurrence = ""
    if event.occurrence != "occurred":
        occurrence = f'<span class="tag tag--occurrence">{e(event.get_occurrence_display())}</span>'
    lines.append(f"    {occurrence}\n")
    place = event.place
    if place:
        place = (
            f'<span class="event-card__place">in <a href="{e(slug_url("place-detail", place.slug))}">'
            f"{e(place.name)}</a></span>"
        )
    lines.append(f"    {place or ''}\n")
    period = event.period if show_period else None
    if period:
        period = (
            f'<span class="event-card__period">· <a href="{e(slug_url("period-detail", period.slug))}">'
            f"{e(period.name)}</a></span>"
        )
    lines.append(f"    {period or ''}\n  </p>\n  ")
    participations = participants_of(event)
    if participations:
        people = []
        for participation in participations[:5]:
            if participation.actor_id:
                actor = participation.actor
                url, name = slug_url("actor-detail", actor.slug), actor.name
            else:
                organisation = participation.organisation
                url = slug_url("organisation-detail", organisation.slug)
                name = organisation.acronym or organisation.name
            people.append(f'<a href="{e(url)}">{e(name)}</a>')
        more = f" and {len(participations) - 5} more" if len(participations) > 5 else ""
        lines.append(
            '\n  <p class="event-card__people"><span class="visually-hidden">Taking part: </span>'
            f"{', '.join(people)}{more}</p>\n  "
        )
    lines.append("\n</article>\n")
    return "".join(lines)


@register.simple_tag
def event_items(events, heading=3, show_period=False) -> SafeString:
    """``<li>`` and a card for each event (see :func:`event_card_html`)."""
    return mark_safe("".join(f"<li>{event_card_html(event, heading, show_period)}</li>" for event in events))  # noqa: S308
