"""The data in the formats people already use: CSV, TimelineJS3, GeoJSON, JSON-LD, iCalendar.

Each format is a DRF renderer plus a function that builds its document from
records already read through the API's querysets (so the same visibility rules
and filters apply). Dates come from the records' stored EDTF values and bounds;
:mod:`timeline.dates` interprets them.
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from html import escape
from urllib.parse import urlencode

import icalendar
from rest_framework import renderers

from timeline import dates
from timeline.dates import DatePrecision
from timeline.models import Occurrence

SITE_NAME = "Bolivia timeline"

# Renderers --------------------------------------------------------------------


class CSVRenderer(renderers.BaseRenderer):
    """Rows (the first one the header) as UTF-8 CSV."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(data)
        return buffer.getvalue().encode(self.charset)


class GeoJSONRenderer(renderers.JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


class JSONLDRenderer(renderers.JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


class ICalendarRenderer(renderers.BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


EXPORT_RENDERERS = (CSVRenderer, GeoJSONRenderer, JSONLDRenderer, ICalendarRenderer)


# Dates ------------------------------------------------------------------------


def end_precisions(record) -> tuple[str, str]:
    """The precision of each end of a record's date: a range's ends may differ (1971-07/1982)."""
    if record.date_precision != DatePrecision.RANGE:
        return record.date_precision, record.date_precision
    return dates.end_precisions(record.date_edtf)


def iso_at_precision(day: datetime.date, precision: str) -> str:
    """An ISO 8601 date reduced to the precision the document gives (2003-10, 1971)."""
    if precision == DatePrecision.DAY:
        return day.isoformat()
    if precision == DatePrecision.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    return f"{day.year:04d}"


# CSV ---------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(_cell(item) for item in value)
    if isinstance(value, dict):
        if "slug" in value:
            return str(value["slug"])
        linked = next((item for item in value.values() if isinstance(item, dict) and "slug" in item), None)
        if linked is not None:
            role = value.get("role")
            return f"{linked['slug']} ({role})" if role else str(linked["slug"])
        return ""
    return str(value)


def csv_columns(serializer_class) -> list[str]:
    """Stable columns: the serializer's fields in order, the date object spread over ``date_*`` columns."""
    columns = []
    for name in serializer_class.Meta.fields:
        if name == "date":
            columns += [f"date_{part}" for part in serializer_class().fields["date"].fields]
        else:
            columns.append(name)
    return columns


#: A cell starting with one of these is a formula to a spreadsheet (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(value) -> str:
    """The cell of ``value``, with a text that a spreadsheet would run as a formula prefixed with ``'``.

    Numbers are left as they are (a negative latitude is no formula); any text that starts like a
    formula (a title, an alias, a note: curators' words) is shown, not run.
    """
    cell = _cell(value)
    if cell.startswith(FORMULA_STARTS) and not isinstance(value, (int, float, Decimal)):
        return "'" + cell
    return cell


def csv_rows(serializer_class, data: list[dict]) -> list[list[str]]:
    columns = csv_columns(serializer_class)
    rows = [columns]
    for item in data:
        flat = {**item, **{f"date_{key}": value for key, value in (item.get("date") or {}).items()}}
        rows.append([_safe_cell(flat.get(column)) for column in columns])
    return rows


# TimelineJS3 -------------------------------------------------------------------


def _timelinejs_date(day: datetime.date, precision: str) -> dict:
    value = {"year": day.year}
    if precision in (DatePrecision.DAY, DatePrecision.MONTH):
        value["month"] = day.month
    if precision == DatePrecision.DAY:
        value["day"] = day.day
    return value


def _timelinejs_span(record) -> dict:
    lower, upper = end_precisions(record)
    span = {"start_date": _timelinejs_date(record.date_earliest, lower)}
    end = _timelinejs_date(record.date_latest, upper)
    if end != span["start_date"] or record.date_precision == DatePrecision.RANGE:
        span["end_date"] = end
    return span


def _needs_display_date(record) -> bool:
    coarse = (DatePrecision.SEASON, DatePrecision.DECADE, DatePrecision.CENTURY, DatePrecision.MILLENNIUM)
    return record.date_approximate or record.date_uncertain or record.date_precision in coarse


def timelinejs_document(events, periods, *, request, site_url, title_text: str) -> dict:
    """A TimelineJS3 JSON document: a title slide, dated events at their precision, eras from periods."""
    slides = []
    for event in events:
        if event.date_earliest is None:
            continue
        text = f"<p>{escape(event.summary)}</p>" if event.summary else ""
        text += f'<p><a href="{escape(site_url(event))}">{escape(event.date_display)} · sources</a></p>'
        slide = {
            **_timelinejs_span(event),
            "text": {"headline": escape(event.title), "text": text},
            "group": event.get_event_type_display(),
            "unique_id": event.slug,
        }
        if _needs_display_date(event):
            slide["display_date"] = event.date_display
        slides.append(slide)
    eras = [
        {**_timelinejs_span(period), "text": {"headline": escape(period.name)}}
        for period in periods
        if period.date_earliest is not None
    ]
    for era in eras:
        era.setdefault("end_date", era["start_date"])
    return {
        "title": {"text": {"headline": SITE_NAME, "text": f"<p>{escape(title_text)}</p>"}, "unique_id": "title"},
        "events": slides,
        "eras": eras,
        "scale": "human",
    }


# GeoJSON -----------------------------------------------------------------------


#: The events listed in a place's feature, the first in time; ``event_count`` and ``events_url`` give the rest.
GEOJSON_EVENTS = 20


def geojson_document(places, *, api_url, site_url, events_url: str) -> dict:
    """Places with coordinates as Point features, with the first events at each and how many there are."""
    features = []
    for place in places:
        if place.latitude is None or place.longitude is None:
            continue
        features.append(
            {
                "type": "Feature",
                "id": place.slug,
                "geometry": {"type": "Point", "coordinates": [float(place.longitude), float(place.latitude)]},
                "properties": {
                    "slug": place.slug,
                    "name": place.name,
                    "kind": place.kind,
                    "coordinates_by_curator": place.coordinates_by_curator,
                    "url": api_url("place", place.slug),
                    "site_url": site_url(place),
                    "events": [
                        {
                            "slug": event.slug,
                            "title": event.title,
                            "date": event.date_display,
                            "url": api_url("event", event.slug),
                        }
                        for event in place.visible_events
                    ],
                    "event_count": place.event_count,
                    "events_url": f"{events_url}?{urlencode({'place': place.slug})}",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


# JSON-LD (schema.org) ------------------------------------------------------------

# An inline context: processors expand it without fetching anything.
JSONLD_CONTEXT = {"@vocab": "https://schema.org/"}


def _compact(node: dict) -> dict:
    return {key: value for key, value in node.items() if value not in (None, "", [])}


def _ref(kind: str, obj, site_url) -> dict:
    return {"@type": kind, "@id": site_url(obj), "name": getattr(obj, "title", None) or obj.name}


def place_jsonld(place, *, site_url) -> dict:
    geo = None
    if place.latitude is not None and place.longitude is not None:
        geo = {"@type": "GeoCoordinates", "latitude": float(place.latitude), "longitude": float(place.longitude)}
    return _compact(
        {
            "@type": "Place",
            "@id": site_url(place),
            "url": site_url(place),
            "name": place.name,
            "alternateName": [a.strip() for a in place.aliases.splitlines() if a.strip()],
            "description": place.description,
            "geo": geo,
            "containedInPlace": _ref("Place", place.within, site_url) if place.within_id else None,
        }
    )


def actor_jsonld(actor, *, site_url, visible) -> dict:
    return _compact(
        {
            "@type": "Person",
            "@id": site_url(actor),
            "url": site_url(actor),
            "name": actor.name,
            "alternateName": actor.alias_list,
            "description": actor.description,
            "memberOf": [
                {
                    "@type": "OrganizationRole",
                    "memberOf": _ref("Organization", membership.organisation, site_url),
                    **({"roleName": membership.role} if membership.role else {}),
                }
                for membership in actor.memberships.all()
                if visible(membership.organisation)
            ],
        }
    )


def organisation_jsonld(organisation, *, site_url, visible) -> dict:
    aliases = [a.strip() for a in organisation.aliases.splitlines() if a.strip()]
    return _compact(
        {
            "@type": "Organization",
            "@id": site_url(organisation),
            "url": site_url(organisation),
            "name": organisation.name,
            "alternateName": [organisation.acronym, *aliases] if organisation.acronym else aliases,
            "description": organisation.description,
            "location": _ref("Place", organisation.country, site_url) if organisation.country_id else None,
            "parentOrganization": _ref("Organization", organisation.parent, site_url)
            if organisation.parent_id and visible(organisation.parent)
            else None,
        }
    )


ORGANISING_ROLES = {"leader", "organiser"}


def event_jsonld(event, *, site_url, visible) -> dict:
    organisers, attendees = [], []
    for participation in event.participations.all():
        participant = participation.participant
        if not visible(participant):
            continue
        kind = "Person" if participation.actor_id else "Organization"
        (organisers if participation.role in ORGANISING_ROLES else attendees).append(_ref(kind, participant, site_url))
    node = {
        "@type": "Event",
        "@id": site_url(event),
        "url": site_url(event),
        "name": event.title,
        "description": event.summary,
        "location": place_jsonld(event.place, site_url=site_url) if event.place_id else None,
        "organizer": organisers,
        "attendee": attendees,
    }
    if event.date_earliest is not None:
        lower, upper = end_precisions(event)
        node["startDate"] = iso_at_precision(event.date_earliest, lower)
        node["endDate"] = iso_at_precision(event.date_latest, upper)
    if event.period_id:
        node["superEvent"] = _ref("Event", event.period, site_url)
    return _compact(node)


def jsonld_document(nodes: list[dict]) -> dict:
    return {"@context": JSONLD_CONTEXT, "@graph": nodes}


def jsonld_single(node: dict) -> dict:
    return {"@context": JSONLD_CONTEXT, **node}


# iCalendar --------------------------------------------------------------------


def calendar_dates(event) -> tuple[datetime.date, datetime.date] | None:
    """An event's days for a calendar, or None when its date is coarser than a day."""
    if event.date_earliest is None:
        return None
    if end_precisions(event) != (DatePrecision.DAY, DatePrecision.DAY):
        return None
    return event.date_earliest, event.date_latest


def icalendar_document(events, *, host: str, site_url) -> bytes:
    """Events dated to the day (or a range of days) as all-day VEVENTs; coarser dates are left out."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{SITE_NAME}//API//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", SITE_NAME)
    for event in events:
        days = calendar_dates(event)
        if days is None:
            continue
        vevent = icalendar.Event()
        vevent.add("uid", f"{event.slug}@{host}")
        vevent.add("dtstamp", event.updated_at.astimezone(datetime.UTC))
        vevent.add("dtstart", days[0])
        vevent.add("dtend", days[1] + datetime.timedelta(days=1))
        vevent.add("summary", event.title)
        description = event.summary
        if event.date_approximate or event.date_uncertain:
            description = f"{description}\n\nDate: {event.date_display}".strip()
        if description:
            vevent.add("description", description)
        vevent.add("url", site_url(event))
        vevent.add("categories", [event.get_event_type_display()])
        if event.place_id:
            vevent.add("location", event.place.name)
        tentative = event.date_approximate or event.date_uncertain or event.occurrence != Occurrence.OCCURRED
        vevent.add("status", "TENTATIVE" if tentative else "CONFIRMED")
        calendar.add_component(vevent)
    return calendar.to_ical()
