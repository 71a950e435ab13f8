"""HTML pages: the timeline, one page per record, the document reader and search.

Every page reads through the models' queryset methods (``visible_to``,
``with_related``, ``chronological``, ``between``, ``involving``, ``search``) and
does a fixed number of queries, whatever the number of events.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import math
from http import HTTPStatus
from urllib.parse import quote_plus, urlencode

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    Func,
    Max,
    Min,
    Prefetch,
    Q,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import ExtractYear, Floor, Greatest, RowNumber, TruncMonth
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.views.generic import DetailView, ListView, TemplateView

from timeline import cache as response_cache
from timeline import dates, reader, visual
from timeline.filters import EventFilterSet
from timeline.keyset import CursorError, KeysetPage, encode_cursor, keyset_page, ordering
from timeline.models import (
    Actor,
    Citation,
    Event,
    EventRelation,
    EventType,
    Membership,
    Organisation,
    OrganisationPassage,
    ParticipantRole,
    Participation,
    Passage,
    Period,
    Place,
    PlacePassage,
    Quote,
    RelationType,
    Source,
    Status,
    counted_per,
)
from timeline.rows import attach as attach_rows
from timeline.templatetags.timeline_tags import (
    HEADLINE_START,
    HEADLINE_STOP,
    headline_html,
    highlight_text,
    json_ld,
    slug_url,
)

EVENTS_PER_PAGE = 50
CURSOR_MESSAGE = (
    "The “cursor” parameter is not a place in this list of events. Follow the Earlier and Later links, "
    "or start again from the first page."
)
MAX_CHOICES = 100  # past this many people, organisations or places, the filter is a text box for a slug
MAX_MARKS = 200  # above this many events in the window, the figure shows counts per bucket
MARK_SPANS = 50  # past MAX_MARKS, the figure marks major events from up to this many spans of its window
MARKS_PER_SPAN = MAX_MARKS // MARK_SPANS
MAX_COUNTED_HERE = 2000  # up to this many, the buckets are counted in Python from one query
SEARCH_RESULTS = 20


# Visibility ----------------------------------------------------------------


def visible(model, user):
    """The records of ``model`` this user may see (drafts only for curators)."""
    return model.objects.visible_to(user)


def shown(record, user) -> bool:
    """Whether a record fetched through a relation may be shown (it may be a draft)."""
    if record is None:
        return False
    if getattr(record, "status", Status.PUBLISHED) == Status.PUBLISHED:
        return True
    return bool(user and user.is_authenticated and user.has_perm(f"timeline.change_{record._meta.model_name}"))


def visible_participants(user) -> Q:
    """The participations whose person or organisation ``user`` may see: conditions on the joined rows
    (``select_related`` joins them anyway), not subqueries."""
    condition = Q()
    for model, field in ((Actor, "actor"), (Organisation, "organisation")):
        published = published_only(model, user, f"{field}__")
        if published:  # this kind's drafts are hidden: a participant of the other kind, or a published one
            condition &= Q(**{f"{field}__isnull": True}) | published
    return condition


def visible_participations(user):
    return (
        Participation.objects.filter(visible_participants(user)).select_related("actor", "organisation").order_by("pk")
    )


def events_with_related(user):
    """Visible events with place, period and their visible participants (three queries)."""
    return (
        visible(Event, user)
        .select_related("place", "period")
        .prefetch_related(Prefetch("participations", queryset=visible_participations(user)))
    )


def can_see_drafts(model, user) -> bool:
    """Whether ``visible_to`` shows this user the drafts of ``model`` (curators who may change them)."""
    return bool(
        user is not None and user.is_authenticated and user.has_perm(f"timeline.change_{model._meta.model_name}")
    )


def published_only(model, user, prefix: str = "") -> Q:
    """The condition ``visible_to`` applies, on a related ``model`` reached through ``prefix``."""
    return Q() if can_see_drafts(model, user) else Q(**{f"{prefix}status": Status.PUBLISHED})


def events_per_year(user) -> tuple[list[tuple[int, int]], int]:
    """The events ``user`` may see: ``[(year, how many begin in it), ...]`` in year order, and how many are
    undated. One query of a few hundred rows, not of every event: ``timeline_eventyearcount``, which the
    database keeps exact with triggers (migration 0013), counts them per status and year (0 for undated)."""
    drafts = can_see_drafts(Event, user)
    with connections[Event.objects.db].cursor() as cursor:
        cursor.execute(
            "SELECT year, SUM(n) FROM timeline_eventyearcount WHERE n > 0 AND (%s OR status = %s) "
            "GROUP BY year ORDER BY year",
            [drafts, Status.PUBLISHED],
        )
        per_year = {year: int(n) for year, n in cursor.fetchall()}
    undated = per_year.pop(0, 0)
    return list(per_year.items()), undated


RECORD_KINDS = (
    "Event",
    "Person",
    "Organisation",
    "Place",
    "Period",
    "Quotation",
    "Attribution",
    "Membership",
    "Participation",
    "Relation",
    "Citation",
)


def _record_part(queryset, kind, order, slug, a, b=None, c=None, d=None, e=None):
    """One kind of record a passage supports, as uniform rows for the UNION in :func:`passage_records`."""
    blank = Value("", output_field=CharField())
    return (
        queryset.annotate(
            r_passage=F("passage_id"),
            r_kind=Value(RECORD_KINDS.index(kind)),
            r_position=Window(RowNumber(), order_by=order),
            r_slug=F(slug),
            r_a=F(a),
            r_b=F(b) if b else blank,
            r_c=F(c) if c else blank,
            r_d=F(d) if d else blank,
            r_e=F(e) if e else blank,
        )
        .order_by()
        .values_list("r_passage", "r_kind", "r_position", "r_slug", "r_a", "r_b", "r_c", "r_d", "r_e")
    )


def passage_records(passage_ids, user) -> dict[int, list[dict]]:
    """What each passage supports, as (kind, label, url) rows, drafts left out: one query for every kind.

    The link tables are read together in one ``UNION ALL``; each part numbers its
    rows in that kind's order, and the rows come back by passage, kind and that number.
    """
    passage_ids = list(passage_ids)
    if not passage_ids:
        return {}
    on = {"passage_id__in": passage_ids}

    def event_ordering(prefix):
        """Event's own ordering (``Meta.ordering``), which ordering by a foreign key to an event follows."""
        return [
            F(f"{prefix}__date_earliest").asc(nulls_last=True),
            F(f"{prefix}__date_latest").asc(nulls_last=True),
            F(f"{prefix}__title").asc(),
        ]

    # A participation by a draft person or organisation is left out (``Q() | ...`` would drop the ``Q()``).
    actor_shown = Q(participation__actor__isnull=True) | Q(participation__actor__status=Status.PUBLISHED)
    organisation_shown = Q(participation__organisation__isnull=True) | Q(
        participation__organisation__status=Status.PUBLISHED
    )
    if can_see_drafts(Actor, user):
        actor_shown = Q()
    if can_see_drafts(Organisation, user):
        organisation_shown = Q()
    parts = [
        _record_part(
            Event.passages.through.objects.filter(published_only(Event, user, "event__"), **on),
            "Event",
            [F("event__date_earliest").asc(), F("event_id").asc()],
            "event__slug",
            "event__title",
        ),
        _record_part(
            Actor.passages.through.objects.filter(published_only(Actor, user, "actor__"), **on),
            "Person",
            [F("actor__name").asc(), F("actor__slug").asc()],
            "actor__slug",
            "actor__name",
        ),
        _record_part(
            OrganisationPassage.objects.filter(published_only(Organisation, user, "organisation__"), **on),
            "Organisation",
            [F("organisation__name").asc(), F("organisation__slug").asc()],
            "organisation__slug",
            "organisation__name",
            "organisation__acronym",
        ),
        _record_part(
            PlacePassage.objects.filter(**on),
            "Place",
            [F("place__name").asc(), F("place__slug").asc()],
            "place__slug",
            "place__name",
        ),
        _record_part(
            Period.passages.through.objects.filter(**on),
            "Period",
            [F("period__date_earliest").asc(nulls_last=True), F("period__name").asc()],
            "period__slug",
            "period__name",
        ),
        _record_part(Quote.objects.filter(**on), "Quotation", [F("slug").asc()], "slug", "text"),
        _record_part(
            Quote.attribution_passages.through.objects.filter(**on),
            "Attribution",
            [F("quote__slug").asc()],
            "quote__slug",
            "quote__text",
        ),
        _record_part(
            Membership.passages.through.objects.filter(
                published_only(Actor, user, "membership__actor__"),
                published_only(Organisation, user, "membership__organisation__"),
                **on,
            ),
            "Membership",
            [
                F("membership__organisation__name").asc(),
                F("membership__actor__name").asc(),
                F("membership__role").asc(),
            ],
            "membership__actor__slug",
            "membership__actor__name",
            "membership__organisation__name",
            "membership__organisation__acronym",
            "membership__role",
        ),
        _record_part(
            Participation.passages.through.objects.filter(
                actor_shown, organisation_shown, published_only(Event, user, "participation__event__"), **on
            ),
            "Participation",
            [F("participation_id").asc()],
            "participation__event__slug",
            "participation__actor__name",
            "participation__organisation__name",
            "participation__organisation__acronym",
            "participation__role",
            "participation__event__title",
        ),
        _record_part(
            EventRelation.passages.through.objects.filter(
                published_only(Event, user, "eventrelation__from_event__"),
                published_only(Event, user, "eventrelation__to_event__"),
                **on,
            ),
            "Relation",
            [
                *event_ordering("eventrelation__from_event"),
                F("eventrelation__relation").asc(),
                *event_ordering("eventrelation__to_event"),
            ],
            "eventrelation__from_event__slug",
            "eventrelation__from_event__title",
            d="eventrelation__relation",
            e="eventrelation__to_event__title",
        ),
        _record_part(
            Citation.objects.filter(**on),
            "Citation",
            [F("source__title").asc()],
            "source__slug",
            "source__title",
        ),
    ]
    rows = parts[0].union(*parts[1:], all=True).order_by("r_passage", "r_kind", "r_position")
    roles, relations = dict(ParticipantRole.choices), dict(RelationType.choices)
    result = {pk: [] for pk in passage_ids}
    for passage, kind_index, _, slug, a, b, c, d, e in rows:
        kind = RECORD_KINDS[kind_index]
        if kind == "Event":
            row = (a, "event-detail")
        elif kind == "Person":
            row = (a, "actor-detail")
        elif kind == "Organisation":
            row = (_organisation_name(a, b), "organisation-detail")
        elif kind == "Place":
            row = (a, "place-detail")
        elif kind == "Period":
            row = (a, "period-detail")
        elif kind in ("Quotation", "Attribution"):
            row = (f"“{_short(a)}”", "quote-detail")
        elif kind == "Membership":
            role = f", {d}" if d else ""
            row = (f"{a} in {_organisation_name(b, c)}{role}", "actor-detail")
        elif kind == "Participation":
            participant = a if a is not None else _organisation_name(b, c)
            row = (f"{participant} ({roles.get(d, d)}) in {e}", "event-detail")
        elif kind == "Relation":
            row = (f"{a} {relations.get(d, d)} {e}", "event-detail")
        else:
            row = (a, "source-detail")
        label, url_name = row
        result[passage].append({"kind": kind, "label": label, "url": slug_url(url_name, slug)})
    return result


def _organisation_name(name: str, acronym: str) -> str:
    """``str(organisation)`` from its columns."""
    return f"{name} ({acronym})" if acronym else name


def _short(text: str, length: int = 90) -> str:
    return text if len(text) <= length else f"{text[: length - 1].rstrip()}…"


def visible_or_404(queryset, slug):
    try:
        return queryset.get(slug=slug)
    except queryset.model.DoesNotExist as exc:
        raise Http404(f"No {queryset.model._meta.verbose_name} “{slug}”.") from exc


# The visual timeline -------------------------------------------------------


def mark_span_key(window, unit):
    """The span of the window an event's marks compete in: ``(key(day), the same as SQL)``.

    Spans count from the window's first year (or month), so that the window holds at
    most ``MARK_SPANS`` of them; an event that began before the window is in the first.
    """
    first_year = window.first_month // 12
    if unit == "year":
        span = max(1, math.ceil(window.months / 12 / MARK_SPANS))  # years

        def key(day):
            return (max(day.year, first_year) - first_year) // span

        return key, Floor((Greatest(ExtractYear("date_earliest"), Value(first_year)) - Value(first_year)) / Value(span))

    def month_key(day):
        return max(day.year * 12 + day.month - 1, window.first_month)

    return month_key, TruncMonth(Greatest(F("date_earliest"), Value(window.start)))


def figure(events, *, window=None, limit=None, periods=(), link, selected_period=None, extent=None, per_year=None):
    """Lay out ``events`` (a queryset) in ``window``, in at most three queries.

    Without a window, the figure spans the events' own dates (``extent``, when
    the caller has them: ``{"first": ..., "last": ..., "dated": count}``). With
    more than ``MAX_MARKS`` events in the window, only major events are drawn and
    the others are counted per year (or per month in short windows). ``per_year``,
    when the caller has it (:func:`events_per_year`), is ``[(year, count), ...]``
    of the events, all of which are in the window: the counts are not read again.
    """
    known_total = None
    if window is None or limit is None:
        if extent is None:
            extent = events.aggregate(first=Min("date_earliest"), last=Max("date_latest"))
        if extent["first"] is None:
            return None
        limit = limit or visual.Window.covering(extent["first"], extent["last"])
        window = window or visual.Window.covering(extent["first"], extent["last"]).clamp(limit)
        if window == visual.Window.covering(extent["first"], extent["last"]):
            known_total = extent.get("dated")
    in_window = events.between(window.start, window.end).select_related(None).prefetch_related(None).order_by()
    # Plain rows, not model instances: a figure reads up to hundreds of events for a few fields.
    fields = ("title", "slug", "date_display", "date_earliest", "date_latest", "importance", "pk")
    unit = "year" if window.months > 36 else "month"
    buckets = None
    if known_total is not None and known_total <= MAX_MARKS:
        total, rows = known_total, in_window.values_list(*fields)
    elif known_total is not None and known_total <= MAX_COUNTED_HERE:
        # A few hundred events: read them once and count per bucket here (one query, not two).
        everything = list(in_window.values_list(*fields))
        total = len(everything)
        counts = {}
        for event in everything:
            day = event[3]
            start = datetime.date(day.year, 1, 1) if unit == "year" else day.replace(day=1)
            counts[start] = counts.get(start, 0) + 1
        buckets = [visual.BucketInput(start=start, count=n) for start, n in sorted(counts.items())]
        majors = sorted((event for event in everything if event[5] >= visual.MAJOR), key=lambda e: (e[3], e[6]))
        span_of, _ = mark_span_key(window, unit)
        taken, rows = {}, []
        for event in majors:
            key = span_of(event[3])
            taken[key] = taken.get(key, 0) + 1
            if taken[key] <= MARKS_PER_SPAN:
                rows.append(event)
        rows = rows[:MAX_MARKS]
    else:
        # The counts per bucket also give the total: one query, however many events. COUNT(*), not
        # COUNT(id): PostgreSQL can then count from the dates index (an index-only scan) rather than
        # read each event's row (at 100,000 events, about half the time).
        if per_year is not None and unit == "year":
            counts = [{"bucket": year, "n": n} for year, n in per_year]
        else:
            bucket = ExtractYear("date_earliest") if unit == "year" else TruncMonth("date_earliest")
            per_bucket = in_window.annotate(bucket=bucket).values("bucket").annotate(n=Count("*")).order_by("bucket")
            counts = remembered("figure-counts", per_bucket, lambda: list(per_bucket))
        total = sum(row["n"] for row in counts)
        if total > MAX_MARKS:
            buckets = [
                visual.BucketInput(
                    start=datetime.date(int(row["bucket"]), 1, 1) if unit == "year" else row["bucket"],
                    count=row["n"],
                )
                for row in counts
            ]
            # The first few major events of each span of the window (importance is at most MAJOR, a
            # constraint), so the marks spread over the whole window rather than crowd its start.
            _, part = mark_span_key(window, unit)
            rank = Window(RowNumber(), partition_by=[part], order_by=[F("date_earliest").asc(), F("pk").asc()])
            majors = in_window.filter(importance=visual.MAJOR).annotate(rank=rank).filter(rank__lte=MARKS_PER_SPAN)
            majors = majors.order_by("date_earliest", "pk").values_list(*fields)[:MAX_MARKS]
            rows = remembered("figure-marks", majors, lambda: list(majors))
        else:
            rows = in_window.values_list(*fields)
    if buckets is None:
        unit = "year"
    inputs = [
        visual.EventInput(
            title=title,
            url=slug_url("event-detail", slug),
            earliest=earliest,
            latest=latest,
            date_label=date_label,
            importance=importance,
        )
        for title, slug, date_label, earliest, latest, importance, _ in rows
    ]
    period_inputs = [
        visual.PeriodInput(
            name=period.name,
            url=slug_url("period-detail", period.slug),
            earliest=period.date_earliest,
            latest=period.date_latest,
            date_label=period.date_display,
            selected=period == selected_period,
        )
        for period in periods
    ]
    options = {
        "events": inputs,
        "periods": period_inputs,
        "buckets": buckets,
        "bucket_unit": unit,
        "total": total,
        "link": functools.cache(link),  # the wide and the narrow drawing link the same years
    }
    result = visual.layout(window, **options)
    result.narrow = visual.layout(window, width=visual.NARROW_WIDTH, **options)
    result.limit = limit
    return result


def zoom_links(layout, link, whole_span_url):
    window, limit = layout.window, layout.limit
    zoom_in, zoom_out = window.zoom_in(), window.zoom_out(limit)
    earlier, later = window.shift(-1, limit), window.shift(1, limit)
    is_whole = window == limit
    return {
        "zoom_in": link(zoom_in.edtf) if zoom_in else None,
        "zoom_in_label": zoom_in.label if zoom_in else "",
        "zoom_out": (link(zoom_out.edtf) if zoom_out else whole_span_url) if not is_whole else None,
        "zoom_out_label": zoom_out.label if zoom_out else limit.label,
        "earlier": link(earlier.edtf) if earlier else None,
        "earlier_label": earlier.label if earlier else "",
        "later": link(later.edtf) if later else None,
        "later_label": later.label if later else "",
        "whole_span": None if is_whole else whole_span_url,
        "whole_span_label": limit.label,
    }


# Shared pieces -------------------------------------------------------------


class PageMixin:
    """Canonical URL and description for every page."""

    description = ""

    def get_description(self):
        return self.description

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["canonical_url"] = self.request.build_absolute_uri(self.request.path)
        context["page_description"] = self.get_description()
        return context


def url_with(path: str, params: dict) -> str:
    params = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{path}?{urlencode(params, safe='/')}" if params else path


_DATE_PLACEHOLDER = "date-placeholder-7f3a"


def date_links(link):
    """``link(edtf)`` for many dates at once: the URL is built once and each date put in its place.

    The figure links every bar and year on its axis, often hundreds; encoding the
    whole query string for each cost more than drawing it. EDTF values are only
    digits, ``-``, ``/`` and qualifiers, encoded here as ``url_with`` encodes them.
    """
    pattern = link(_DATE_PLACEHOLDER)
    if pattern.count(_DATE_PLACEHOLDER) != 1:
        return link
    before, after = pattern.split(_DATE_PLACEHOLDER)

    def fast(edtf):
        return f"{before}{quote_plus(edtf, safe='/')}{after}"

    return fast


def group_by_year_and_period(events):
    """[(year, [(period, [event, ...]), ...]), ...] over consecutive runs, in the given order."""
    groups = []
    for event in events:
        year = event.date_earliest.year if event.date_earliest else None
        if not groups or groups[-1]["year"] != year:
            groups.append({"year": year, "periods": []})
        periods = groups[-1]["periods"]
        if not periods or periods[-1]["period"] != event.period:
            periods.append({"period": event.period, "events": []})
        periods[-1]["events"].append(event)
    return groups


def paginate(request, queryset, per_page=EVENTS_PER_PAGE, count=None):
    """A page of ``queryset``; ``count``, when the caller has it already, saves the ``COUNT(*)``."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is never computed
    try:
        return paginator.page(request.GET.get("page") or 1)
    except Exception as exc:  # InvalidPage and its subclasses
        raise Http404("No such page.") from exc


def remembered(kind: str, queryset, compute):
    """``compute()``, a value read with ``queryset``, kept in the cache under the data version and its SQL.

    Any write bumps the data version (:mod:`timeline.cache`), so a value is never
    read after the data it was computed from has changed; the SQL (with its
    parameters: filters, drafts shown or not, window) says exactly what was
    read. Used for counts that would otherwise read every matching row on every
    request. ``DJANGO_COUNT_CACHE=0`` computes every value afresh (the
    benchmark's uncached figures).
    """
    if not settings.COUNT_CACHE:
        return compute()
    sql, params = queryset.query.sql_with_params()
    digest = hashlib.sha256(repr((queryset.db, sql, params)).encode()).hexdigest()
    key = f"timeline:{kind}:{response_cache.data_version()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, response_cache.TIMEOUT)
    return value


def filter_choices(form) -> dict[str, list[tuple[str, str]] | None]:
    """The choices of the person, organisation and place filters, read in one query.

    A list longer than ``MAX_CHOICES`` is ``None``: the form then shows a text
    box for the slug, not a select of thousands of options no one could use.
    """
    blank = Value("", output_field=CharField())
    extras = {"actor": blank, "organisation": F("acronym"), "place": blank}
    names = list(extras)
    parts, params = [], []
    for index, name in enumerate(names):
        # Any MAX_CHOICES + 1 rows, unordered: they are all the rows when there are few enough to list,
        # and otherwise only say there are too many. Sorting thousands of names to keep 101 cost more.
        queryset = form.fields[name].queryset.annotate(extra=extras[name]).order_by()
        sql, part_params = queryset.values_list("slug", "name", "extra")[: MAX_CHOICES + 1].query.sql_with_params()
        parts.append(f"SELECT {index} AS kind, part{index}.* FROM ({sql}) part{index}")  # noqa: S608 (compiled)
        params.extend(part_params)
    with connections[Actor.objects.db].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY 1, 3, 2", params)  # kind, name, slug
        rows = cursor.fetchall()
    found = {name: [] for name in names}
    for kind, slug, label, extra in rows:
        found[names[kind]].append((slug, f"{label} ({extra})" if extra else label))
    return {name: (choices if len(choices) <= MAX_CHOICES else None) for name, choices in found.items()}


def _attributes(attrs) -> str:
    """HTML attributes as ``django/forms/widgets/attrs.html`` writes them."""
    written = []
    for name, value in attrs.items():
        if value is True:
            written.append(f" {conditional_escape(name)}")
        elif value is not False:
            written.append(f' {conditional_escape(name)}="{escape(str(value))}"')  # stringformat:'s', then escaped
    return "".join(written)


class QuickSelect(forms.Select):
    """A select written in Python: the markup of Django's templates, without rendering one per option."""

    def _render(self, template_name, context, renderer=None):
        widget = context["widget"]
        out = [f'<select name="{conditional_escape(widget["name"])}"{_attributes(widget["attrs"])}>']
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            out.extend(
                f'\n  <option value="{escape(str(option["value"]))}"{_attributes(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"
                for option in options
            )
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))  # noqa: S308 - every value escaped above


class QuickTextInput(forms.TextInput):
    """A text input written in Python, as Django's ``input.html`` writes it."""

    def _render(self, template_name, context, renderer=None):
        widget = context["widget"]
        value = "" if widget["value"] is None else f' value="{escape(str(widget["value"]))}"'
        return mark_safe(  # noqa: S308 - every value escaped
            f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
            f"{value}{_attributes(widget['attrs'])}>"
        )


def quick(field) -> None:
    """Give a filter field the quick version of its widget (same attributes, choices and markup)."""
    widget = field.widget
    for plain, fast in ((forms.Select, QuickSelect), (forms.TextInput, QuickTextInput)):
        if type(widget) is plain:
            replacement = fast.__new__(fast)
            replacement.__dict__.update(widget.__dict__)
            field.widget = replacement
            return


# The timeline --------------------------------------------------------------


class TimelineView(PageMixin, TemplateView):
    """All events in time order, grouped by year and period, with the filters and the figure."""

    template_name = "timeline/home.html"
    description = (
        "Bolivian history from 1917 to 2007 as a timeline: every event, person and organisation "
        "linked to the passage of the document that states it."
    )
    filter_fields = ("q", "date", "period", "type", "actor", "organisation", "place", "after", "before", "importance")

    def get(self, request, *args, **kwargs):
        blank = [key for key, values in request.GET.lists() if all(value == "" for value in values)]
        if blank:
            # A submitted form sends every field; keep shared URLs short.
            params = [(key, value) for key, values in request.GET.lists() for value in values if value != ""]
            return HttpResponseRedirect(f"{request.path}?{urlencode(params, safe='/')}" if params else request.path)
        user = request.user
        base = events_with_related(user).select_related("place", "period").prefetch_related(None)
        base = base.order_by(F("date_earliest").asc(nulls_last=True), F("date_latest").asc(nulls_last=True), "pk")
        filterset = EventFilterSet(request.GET, queryset=base, request=request, allowed_extra={"page", "cursor"})
        context = self.get_context_data(filterset=filterset, **kwargs)
        context["filter_fields"] = self.form_fields(filterset.form)
        valid = filterset.is_valid()
        if valid:
            keys = filterset.sort_keys()
            try:
                cursor = self.read_cursor(keys)
            except CursorError as exc:
                filterset.form.add_error(None, str(exc))
                valid = False
        if not valid:
            context["invalid"] = True
            return self.render_to_response(context, status=HTTPStatus.BAD_REQUEST)
        # Unfiltered, the total and the figure's counts per year come from the kept counts, not every event.
        per_year = None if filterset.active else events_per_year(user)
        count = self.count(filterset) if per_year is None else sum(n for _, n in per_year[0]) + per_year[1]
        page = self.page(filterset.with_sort_annotations(filterset.qs, keys), keys, cursor, count)
        events = page.rows
        attach_rows(events, participants=visible_participants(user), passages=False)
        grouped = not (filterset.form.cleaned_data.get("q") or filterset.form.cleaned_data.get("ordering"))
        context.update(
            count=count,
            events=events,
            pages=self.pages(page, keys, count, moved=cursor is not None or "page" in request.GET),
            groups=group_by_year_and_period(events) if grouped else None,
            active_filters=self.active_filters(filterset),
            figure=self.figure(filterset, per_year=per_year[0] if per_year else None),
        )
        context.update(self.figure_links(context["figure"]))
        return self.render_to_response(context)

    def read_cursor(self, keys):
        """(direction, values) from the ``cursor`` parameter, or None for the first page."""
        given = self.request.GET.getlist("cursor")
        if not given:
            return None
        if len(given) > 1:
            raise CursorError("Give “cursor” once.")
        if "page" in self.request.GET:
            raise CursorError("Give “cursor” or “page”, not both.")
        try:
            return EventFilterSet.decode_cursor(given[0], keys)
        except CursorError as exc:
            raise CursorError(CURSOR_MESSAGE) from exc

    def count(self, filterset) -> int:
        """How many events match, counted once per set of filters until the data changes."""
        queryset = filterset.qs.order_by()
        return remembered("event-count", queryset, queryset.count)

    def page(self, queryset, keys, cursor, count) -> KeysetPage:
        """The page a cursor points to; ``page=N`` (the old numbered links) still works, by offset."""
        number = self.request.GET.get("page")
        if number is None or cursor is not None:
            return keyset_page(queryset, keys, cursor, size=EVENTS_PER_PAGE)
        try:
            number = int(number)
        except ValueError as exc:
            raise Http404("No such page.") from exc
        if number < 1 or (number > 1 and (number - 1) * EVENTS_PER_PAGE >= count):
            raise Http404("No such page.")
        if number == 1:
            return keyset_page(queryset, keys, size=EVENTS_PER_PAGE)
        start = (number - 1) * EVENTS_PER_PAGE
        ordered = queryset.prefetch_related(None).order_by(*ordering(keys, reverse=False))
        rows = list(ordered[start : start + EVENTS_PER_PAGE + 1])
        return KeysetPage(rows[:EVENTS_PER_PAGE], has_previous=True, has_next=len(rows) > EVENTS_PER_PAGE)

    @staticmethod
    def span(rows) -> str:
        """The dates a page in time order covers, as shown on its events."""
        if not rows:
            return ""
        first, last = rows[0].date_display, rows[-1].date_display
        return first if first == last else f"{first} to {last}"

    def pages(self, page, keys, count, *, moved: bool) -> dict:
        """The links to the pages before and after this one, each carrying a cursor, and what this page shows."""
        request = self.request
        params = {key: value for key, value in request.GET.items() if key not in ("page", "cursor")}
        rows = page.rows

        def link(direction, row):
            return url_with(request.path, {**params, "cursor": encode_cursor(direction, keys, row)})

        in_time = keys == EventFilterSet.default_sort_keys()
        return {
            "previous": link("b", rows[0]) if rows and page.has_previous else None,
            "next": link("a", rows[-1]) if rows and page.has_next else None,
            "first": url_with(request.path, params) if moved else None,
            "previous_label": "Earlier" if in_time else "Previous",
            "next_label": "Later" if in_time else "Next",
            "shown": len(rows),
            "count": count,
            "span": self.span(rows) if in_time else "",
            "past_the_end": moved and not rows,
        }

    def form_fields(self, form):
        """The filter form in reading order, with labels for people rather than for the API.

        Its choices come from two queries: the periods (shared with the figure) and
        the people, organisations and places together.
        """
        choices = filter_choices(form)
        self.all_periods = list(form.fields["period"].queryset)
        choices["period"] = [(period.slug, str(period)) for period in self.all_periods]
        for name in ("actor", "organisation", "place", "period"):
            field = form.fields[name]
            field.empty_label = "Any"
            field.help_text = ""
            if choices[name] is None:
                field.widget = forms.TextInput(attrs={"placeholder": "slug", "spellcheck": "false"})
            else:
                field.widget.choices = [("", "Any"), *choices[name]]
        form.fields["type"].empty_label = "Any"
        form.fields["importance"].choices = [("", "Any"), (2, "notable or major"), (3, "major only")]
        form.fields["q"].help_text = ""
        form.fields["q"].widget.input_type = "search"
        form.fields["type"].help_text = form.fields["importance"].help_text = ""
        form.fields["date"].help_text = "A year, month or range: 1971, 2003-10 or 2003-10/2004-02."
        form.fields["after"].help_text = form.fields["before"].help_text = "A year or month: 1971, 2003-10."
        for name in self.filter_fields:
            quick(form.fields[name])
        return [form[name] for name in self.filter_fields]

    def link(self, edtf=None, **changes):
        params = {key: value for key, value in self.request.GET.items() if key not in ("page", "cursor")}
        if edtf is not None:
            params.pop("after", None)
            params.pop("before", None)
            params["date"] = edtf
        params.update(changes)
        return url_with(self.request.path, params)

    def figure(self, filterset, per_year=None):
        data = filterset.form.cleaned_data
        user = self.request.user
        events = filterset.qs.order_by()
        # The window is the date filter; the figure's events obey every other filter too.
        span = visible(Event, user).aggregate(first=Min("date_earliest"), last=Max("date_latest"))
        if span["first"] is None:
            return None
        limit = visual.Window.covering(span["first"], span["last"])
        window = None
        if data.get("date"):
            window = visual.Window.covering(data["date"].earliest, data["date"].latest, whole_years=False)
        elif data.get("after") or data.get("before"):
            first = data["after"].earliest if data.get("after") else limit.start
            last = data["before"].latest if data.get("before") else limit.end
            window = visual.Window.covering(first, max(first, last), whole_years=False)
        if window is None and filterset.active:
            # Other filters: the figure spans the matching events (computed in figure()).
            return figure(
                events,
                limit=limit,
                periods=self.periods(limit),
                link=date_links(self.link),
                selected_period=data.get("period"),
            )
        window = window.clamp(limit) if window else limit
        return figure(
            events,
            window=window,
            limit=limit,
            periods=self.periods(window),
            link=date_links(self.link),
            selected_period=data.get("period"),
            # Without a filter the window spans every visible event: all the dated ones are in it.
            per_year=per_year if window == limit else None,
        )

    def periods(self, window):
        """The periods overlapping the window, from the list the filter form read."""
        overlapping = [
            period
            for period in self.all_periods
            if period.date_earliest is not None
            and period.date_latest >= window.start
            and period.date_earliest <= window.end
        ]
        return sorted(overlapping, key=lambda period: (period.date_earliest, period.pk))

    def figure_links(self, layout):
        if layout is None:
            return {}
        whole = {
            key: value
            for key, value in self.request.GET.items()
            if key not in ("date", "after", "before", "page", "cursor")
        }
        return {"zoom": zoom_links(layout, self.link, url_with(self.request.path, whole))}

    def active_filters(self, filterset):
        labels = {name: f.label for name, f in filterset.filters.items()}
        cleaned = filterset.form.cleaned_data
        result = []
        for key, raw in filterset.active.items():
            value = cleaned.get(key)
            if key in ("date", "after", "before"):
                shown_value = dates.display(raw)
            elif key == "type":
                shown_value = EventType(raw).label
            elif key == "importance":
                shown_value = {1: "any", 2: "notable or major", 3: "major"}.get(value, raw)
            elif key == "q":
                shown_value = f"“{raw}”"
            elif key == "ordering":
                shown_value = raw
            else:
                shown_value = str(value)
            params = {k: v for k, v in self.request.GET.items() if k not in (key, "page", "cursor")}
            result.append(
                {"label": labels.get(key, key), "value": shown_value, "remove": url_with(self.request.path, params)}
            )
        return result


# Events --------------------------------------------------------------------


class EventDetailView(PageMixin, DetailView):
    model = Event
    template_name = "timeline/event_detail.html"

    def get_queryset(self):
        user = self.request.user
        return events_with_related(user).prefetch_related(
            Prefetch("passages", queryset=Passage.objects.select_related("source").order_by("source__pk", "start")),
            Prefetch(
                "quotes",
                queryset=Quote.objects.select_related("speaker_actor", "speaker_organisation", "source").order_by(
                    F("date_earliest").asc(nulls_last=True), "slug"
                ),
            ),
            Prefetch(
                "relations_out",
                queryset=EventRelation.objects.filter(published_only(Event, user, "to_event__")).select_related(
                    "to_event"
                ),
            ),
            Prefetch(
                "relations_in",
                queryset=EventRelation.objects.filter(published_only(Event, user, "from_event__")).select_related(
                    "from_event"
                ),
            ),
        )

    def get_description(self):
        event = self.object
        summary = event.summary or event.title
        return f"{event.date_display}: {_short(summary, 200)}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = self.object
        context["previous_event"], context["next_event"] = self.neighbours(event)
        context["people"] = [p for p in event.participations.all() if p.actor_id]
        context["organisations"] = [p for p in event.participations.all() if p.organisation_id]
        quotes = list(event.quotes.all())
        context["quotes"] = quotes
        context["related"] = [
            {"phrase": relation.get_relation_display(), "event": relation.to_event, "direction": "out"}
            for relation in event.relations_out.all()
        ] + [
            {"phrase": relation.get_relation_display(), "event": relation.from_event, "direction": "in"}
            for relation in event.relations_in.all()
        ]
        context["json_ld"] = json_ld(self.structured_data(event, context["canonical_url"]))
        return context

    def neighbours(self, event):
        if event.date_earliest is None:
            return None, None
        others = visible(Event, self.request.user).exclude(pk=event.pk).only("title", "slug", "date_display")
        before = Q(date_earliest__lt=event.date_earliest) | Q(
            date_earliest=event.date_earliest, date_latest__lt=event.date_latest
        )
        before |= Q(date_earliest=event.date_earliest, date_latest=event.date_latest, pk__lt=event.pk)
        after = Q(date_earliest__gt=event.date_earliest) | Q(
            date_earliest=event.date_earliest, date_latest__gt=event.date_latest
        )
        after |= Q(date_earliest=event.date_earliest, date_latest=event.date_latest, pk__gt=event.pk)
        # The plain range conditions let the database walk the date index from the event outwards.
        previous = others.filter(before, date_earliest__lte=event.date_earliest).order_by(
            "-date_earliest", "-date_latest", "-pk"
        )
        following = others.filter(after, date_earliest__gte=event.date_earliest).order_by(
            "date_earliest", "date_latest", "pk"
        )
        if connections[others.db].features.supports_slicing_ordering_in_compound:
            # Both in one query where the database allows a LIMIT in each part of a UNION.
            found = {
                row.side: row
                for row in previous.annotate(side=Value(-1))[:1].union(following.annotate(side=Value(1))[:1], all=True)
            }
            return found.get(-1), found.get(1)
        return previous.first(), following.first()

    def structured_data(self, event, url):
        data = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": event.title,
            "url": url,
        }
        if event.summary:
            data["description"] = event.summary
        if event.date_earliest:
            data["startDate"] = event.date_earliest.isoformat()
            data["endDate"] = event.date_latest.isoformat()
        if event.place:
            data["location"] = {"@type": "Place", "name": event.place.name}
        performers = [
            {"@type": "Person" if p.actor_id else "Organization", "name": str(p.participant)}
            for p in event.participations.all()
        ]
        if performers:
            data["performer"] = performers
        return data


# People, organisations, places, periods ------------------------------------


class EntityEventsMixin(PageMixin):
    """An entity page with its events: a small figure and a paginated list."""

    def entity_events(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        events = self.entity_events()
        # How many, how many dated, and their span: one query for the pagination and the figure.
        extent = events.order_by().aggregate(
            count=Count("pk"),
            dated=Count("pk", filter=Q(date_earliest__isnull=False)),
            first=Min("date_earliest"),
            last=Max("date_latest"),
        )
        page = paginate(
            self.request, events.order_by(*Event.objects.chronological().query.order_by), count=extent["count"]
        )
        context["events_page"] = page
        context["events"] = list(page.object_list)
        param, slug = self.filter_param, self.object.slug

        def link(edtf):
            return url_with(reverse("timeline:home"), {param: slug, "date": edtf})

        context["figure"] = figure(events.order_by(), link=date_links(link), extent=extent)
        context["timeline_url"] = url_with(reverse("timeline:home"), {param: slug})
        context["passages"] = self.object.passages.select_related("source").order_by("source__pk", "start")
        return context


class CountsForThePageMixin:
    """A paginated list whose rows carry counts (``annotate_counts``), computed for the shown page only.

    Annotating the whole table and keeping a hundred rows made the people index count every
    participation in the database on each request (half a second with 300,000). Here the page's
    rows are chosen first, as a subquery (``LIMIT``/``OFFSET`` over the name index), and only they
    are counted: still one query, its cost set by the page size rather than the table's.
    """

    def annotate_counts(self, queryset):
        raise NotImplementedError

    def paginate_queryset(self, queryset, page_size):
        paginator, page, rows, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = self.annotate_counts(queryset.filter(pk__in=rows.values("pk")))
        return paginator, page, page.object_list, is_paginated


class ActorListView(PageMixin, CountsForThePageMixin, ListView):
    template_name = "timeline/actor_list.html"
    paginate_by = 100
    description = "Everyone the documents name, with their organisations and events."

    def get_queryset(self):
        return visible(Actor, self.request.user).order_by("name", "slug")

    def annotate_counts(self, queryset):
        return queryset.annotate(
            event_count=Count(
                "participations__event",
                filter=published_only(Event, self.request.user, "participations__event__"),
                distinct=True,
            ),
            quote_count=Count("quotes", distinct=True),
        )


class ActorDetailView(EntityEventsMixin, DetailView):
    model = Actor
    template_name = "timeline/actor_detail.html"
    filter_param = "actor"

    def get_queryset(self):
        user = self.request.user
        return visible(Actor, user).prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(organisation__in=visible(Organisation, user))
                .select_related("organisation")
                .order_by(F("date_earliest").asc(nulls_last=True), "organisation__name"),
            ),
            Prefetch(
                "quotes",
                queryset=Quote.objects.select_related("event", "source").order_by(
                    F("date_earliest").asc(nulls_last=True), "slug"
                ),
            ),
        )

    def get_description(self):
        return _short(self.object.description or f"{self.object.name} in the Bolivia timeline.", 200)

    def entity_events(self):
        return events_with_related(self.request.user).involving(self.object)


class OrganisationListView(PageMixin, CountsForThePageMixin, ListView):
    template_name = "timeline/organisation_list.html"
    paginate_by = 100
    description = "Every organisation the documents name: unions, parties, state bodies, newspapers."

    def get_queryset(self):
        return visible(Organisation, self.request.user).order_by("name", "slug")

    def annotate_counts(self, queryset):
        user = self.request.user
        return queryset.annotate(
            event_count=Count(
                "participations__event",
                filter=published_only(Event, user, "participations__event__"),
                distinct=True,
            ),
            member_count=Count(
                "memberships__actor", filter=published_only(Actor, user, "memberships__actor__"), distinct=True
            ),
        )


class OrganisationDetailView(EntityEventsMixin, DetailView):
    model = Organisation
    template_name = "timeline/organisation_detail.html"
    filter_param = "organisation"

    def get_queryset(self):
        user = self.request.user
        return (
            visible(Organisation, user)
            .select_related("country", "parent")
            .prefetch_related(
                Prefetch(
                    "memberships",
                    queryset=Membership.objects.filter(actor__in=visible(Actor, user))
                    .select_related("actor")
                    .order_by(F("date_earliest").asc(nulls_last=True), "actor__name"),
                ),
                Prefetch("children", queryset=visible(Organisation, user)),
                Prefetch(
                    "quotes",
                    queryset=Quote.objects.select_related("event", "source").order_by(
                        F("date_earliest").asc(nulls_last=True), "slug"
                    ),
                ),
                Prefetch("publications", queryset=Source.objects.order_by("title")),
            )
        )

    def get_description(self):
        return _short(self.object.description or f"{self.object} in the Bolivia timeline.", 200)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        parent = self.object.parent
        context["parent"] = parent if shown(parent, self.request.user) else None
        return context

    def entity_events(self):
        return events_with_related(self.request.user).involving(self.object)


class PlaceListView(PageMixin, CountsForThePageMixin, ListView):
    template_name = "timeline/place_list.html"
    paginate_by = 100
    description = "The places the documents name, with their events."

    def get_queryset(self):
        return Place.objects.select_related("within").order_by("name", "slug")

    def annotate_counts(self, queryset):
        return queryset.annotate(event_count=counted_per(Event.objects.visible_to(self.request.user), "place"))


class PlaceDetailView(EntityEventsMixin, DetailView):
    model = Place
    template_name = "timeline/place_detail.html"
    filter_param = "place"

    def get_queryset(self):
        return Place.objects.select_related("within").prefetch_related(
            Prefetch("contains", queryset=Place.objects.order_by("name")),
            Prefetch("organisations", queryset=visible(Organisation, self.request.user)),
        )

    def get_description(self):
        return _short(self.object.description or f"{self.object.name} in the Bolivia timeline.", 200)

    def entity_events(self):
        return events_with_related(self.request.user).filter(place=self.object)


class PeriodListView(PageMixin, CountsForThePageMixin, ListView):
    template_name = "timeline/period_list.html"
    paginate_by = 100
    description = "The periods of Bolivian history the documents describe."

    def get_queryset(self):
        return Period.objects.order_by("date_earliest", "date_latest", "name", "pk")

    def annotate_counts(self, queryset):
        return queryset.annotate(event_count=counted_per(Event.objects.visible_to(self.request.user), "period"))


class PeriodDetailView(EntityEventsMixin, DetailView):
    model = Period
    template_name = "timeline/period_detail.html"
    filter_param = "period"

    def get_description(self):
        return _short(
            self.object.description or f"{self.object.name}, {self.object.date_display}, in the Bolivia timeline.",
            200,
        )

    def entity_events(self):
        return events_with_related(self.request.user).filter(period=self.object)


# Sources and the document reader -------------------------------------------


class SourceListView(PageMixin, CountsForThePageMixin, ListView):
    """The documents, 50 a page, each with the publications it cites (and their counts)."""

    template_name = "timeline/source_list.html"
    paginate_by = 50
    description = "The documents the timeline is built from, and the publications they cite."

    def get_queryset(self):
        # A document's text can be a whole book: the list only needs to know that there is one.
        return (
            Source.objects.filter(cited_in=None)
            .select_related("outlet")
            .defer("text")
            .annotate(has_text=ExpressionWrapper(~Q(text=""), output_field=BooleanField()))
            .order_by(F("date_earliest").asc(nulls_last=True), "title", "pk")
        )

    def annotate_counts(self, queryset):
        return queryset.annotate(passage_count=Count("passages_held", distinct=True))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        documents = context["documents"] = list(context["object_list"])
        cited = {}
        publications = (
            Source.objects.filter(cited_in__in=documents)
            .defer("text")
            .annotate(
                citation_count=Count("passages", distinct=True),
                quote_count=Count("attributed_quotes", distinct=True),
            )
            .order_by(F("date_earliest").asc(nulls_last=True), "title", "pk")
        )
        for source in publications if documents else ():
            cited.setdefault(source.cited_in_id, []).append(source)
        for document in documents:
            document.cited_list = cited.get(document.pk, [])
        return context


class SourceDetailView(PageMixin, DetailView):
    model = Source
    template_name = "timeline/source_detail.html"

    def get_queryset(self):
        return Source.objects.select_related("cited_in", "outlet").prefetch_related(
            Prefetch("passages", queryset=Passage.objects.select_related("source").order_by("start")),
            Prefetch(
                "attributed_quotes",
                queryset=Quote.objects.select_related("speaker_actor", "speaker_organisation", "event").order_by(
                    F("date_earliest").asc(nulls_last=True), "slug"
                ),
            ),
        )

    def get_description(self):
        source = self.object
        if source.text:
            return f"The full text of “{source.title}”, every passage linked to the records it supports."
        return f"{source.title}: cited in “{source.cited_in}”." if source.cited_in else source.title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source, user = self.object, self.request.user
        held = list(source.passages_held.order_by("start", "end")) if source.text else []
        citing = list(source.passages.all())
        # Every record each passage supports, held or citing: one query, whatever the kinds.
        records = passage_records([p.pk for p in held] + [p.pk for p in citing], user)
        for passage in held + citing:
            passage.records = records[passage.pk]
        if source.text:
            by_key = {}
            for passage in held:
                passage.source = source
                by_key[passage.pk] = passage
            spans = [reader.Span(p.start, p.end, p.pk) for p in held]
            paragraphs = []
            for paragraph in reader.paragraphs(source.text, spans):
                segments = [
                    {
                        "text": segment.text,
                        "anchors": [by_key[key].anchor for key in segment.starting],
                        "passage": by_key[segment.innermost] if segment.innermost else None,
                        "depth": len(segment.covering),
                        "covering": " ".join(by_key[key].anchor for key in segment.covering),
                    }
                    for segment in paragraph.segments
                ]
                paragraphs.append(
                    {
                        "number": paragraph.number,
                        "segments": segments,
                        "passages": [by_key[key] for key in paragraph.passages],
                    }
                )
            context["paragraphs"] = paragraphs
            context["passage_count"] = len(held)
        context["citing_passages"] = citing
        quotes = list(source.attributed_quotes.all())
        context["attributed_quotes"] = quotes
        context["cited_sources"] = source.cited_sources.order_by(F("date_earliest").asc(nulls_last=True), "title")
        return context


class QuoteDetailView(PageMixin, DetailView):
    model = Quote
    template_name = "timeline/quote_detail.html"

    def get_queryset(self):
        return Quote.objects.with_related().prefetch_related(
            Prefetch("attribution_passages", queryset=Passage.objects.select_related("source").order_by("start"))
        )

    def get_description(self):
        return f"“{_short(self.object.text, 180)}”"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        quote, user = self.object, self.request.user
        context["speaker_actor"] = quote.speaker_actor if shown(quote.speaker_actor, user) else None
        context["speaker_organisation"] = (
            quote.speaker_organisation if shown(quote.speaker_organisation, user) else None
        )
        context["event"] = quote.event if shown(quote.event, user) else None
        return context


# Search --------------------------------------------------------------------


class SearchView(PageMixin, TemplateView):
    """Full-text search over events, people, organisations and quotations."""

    template_name = "timeline/search.html"
    description = "Search the events, people, organisations and quotations of the Bolivia timeline."
    kinds = (
        ("events", Event, ("title", "summary")),
        ("actors", Actor, ("name", "description")),
        ("organisations", Organisation, ("name", "description")),
        ("quotes", Quote, ("text", "speaker_description")),
    )

    def get(self, request, *args, **kwargs):
        query = request.GET.get("q", "").strip()
        context = self.get_context_data(query=query, **kwargs)
        unknown = sorted(key for key in request.GET if key != "q")
        if unknown or len(request.GET.getlist("q")) > 1:
            context["errors"] = [f"Unknown parameter “{key}”." for key in unknown] or ["Give “q” once."]
            return self.render_to_response(context, status=HTTPStatus.BAD_REQUEST)
        if "\x00" in query:  # PostgreSQL refuses it in any string; forms refuse it the same way
            context["errors"] = ["Null characters are not allowed."]
            return self.render_to_response(context, status=HTTPStatus.BAD_REQUEST)
        if query:
            context["results"] = [self.search(name, model, fields, query) for name, model, fields in self.kinds]
            context["total"] = sum(result["count"] for result in context["results"])
            context["timeline_url"] = url_with(reverse("timeline:home"), {"q": query})
        return self.render_to_response(context)

    def search(self, name, model, fields, query):
        """The best matches of one kind with their total, in one query (and the events' participants)."""
        user = self.request.user
        if name == "quotes":
            # Who said it is shown with each quotation: read with it, not one query per row.
            base = model.objects.select_related("speaker_actor", "speaker_organisation")
        else:  # the page shows no participants, place or period of the events it finds
            base = model.objects.visible_to(user)
        # One query: the best matches are chosen in a subquery that reads only their keys and rank, and
        # the total is a scalar subquery, so the full rows (and the headlines) are read for the shown ones
        # alone. A common word matches tens of thousands of rows; carrying them whole through a window
        # count cost twice as much.
        ranked = base.search(query)
        best = ranked.order_by("-search_rank", "pk").values("pk")[:SEARCH_RESULTS]
        total = ranked.order_by().values(n=Func(F("pk"), function="COUNT"))
        matches = ranked.filter(pk__in=Subquery(best))
        matches = matches.annotate(match_count=Subquery(total), **self.headlines(model, fields, query))
        rows = list(matches.order_by("-search_rank", "pk"))
        count = rows[0].match_count if rows else 0
        for row in rows:
            if hasattr(row, f"headline_{fields[0]}"):
                row.highlighted = {field: headline_html(getattr(row, f"headline_{field}")) for field in fields}
            else:
                row.highlighted = {field: highlight_text(getattr(row, field), query) for field in fields}
        return {"name": name, "label": model._meta.verbose_name_plural, "count": count, "rows": rows}

    def headlines(self, model, fields, query):
        """PostgreSQL's own highlighting, as annotations: it computes them for the shown rows only."""
        if connections[model.objects.db].vendor != "postgresql":
            return {}
        from django.contrib.postgres.search import SearchHeadline, SearchQuery

        from timeline.models import SEARCH_CONFIG

        search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        options = {"start_sel": HEADLINE_START, "stop_sel": HEADLINE_STOP, "config": SEARCH_CONFIG}
        return {
            f"headline_{field}": SearchHeadline(
                field, search_query, **options, **({"highlight_all": True} if index == 0 else {"max_words": 40})
            )
            for index, field in enumerate(fields)
        }


# Errors --------------------------------------------------------------------


def page_not_found(request, exception=None):
    return render(request, "404.html", {"page_description": "Page not found."}, status=HTTPStatus.NOT_FOUND)


def server_error(request):
    # No context processors: the failure may be in one of them.
    template = loader.get_template("500.html")
    from django.http import HttpResponseServerError

    return HttpResponseServerError(template.render({}))
