"""HTML pages: the timeline, one page per record, the document reader and search.

Every page reads through the models' queryset methods (``visible_to``,
``with_related``, ``chronological``, ``between``, ``involving``, ``search``) and
does a fixed number of queries, whatever the number of events.
"""

from __future__ import annotations

import datetime
import re
from http import HTTPStatus
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import CharField, Count, F, Max, Min, Prefetch, Q, Value, Window
from django.db.models.functions import ExtractYear, RowNumber, TruncMonth
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.template import loader
from django.urls import get_script_prefix, reverse
from django.views.generic import DetailView, ListView, TemplateView

from timeline import dates, reader, visual
from timeline.filters import EventFilterSet
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
)
from timeline.templatetags.timeline_tags import (
    HEADLINE_START,
    HEADLINE_STOP,
    headline_html,
    highlight_text,
    json_ld,
)

EVENTS_PER_PAGE = 50
MAX_CHOICES = 100  # past this many people, organisations or places, the filter is a text box for a slug
MAX_MARKS = 200  # above this many events in the window, the figure shows counts per bucket
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


def visible_participations(user):
    return (
        Participation.objects.filter(
            Q(actor__isnull=True) | Q(actor__in=visible(Actor, user)),
            Q(organisation__isnull=True) | Q(organisation__in=visible(Organisation, user)),
        )
        .select_related("actor", "organisation")
        .order_by("pk")
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


# The visual timeline -------------------------------------------------------


def figure(events, *, window=None, limit=None, periods=(), link, selected_period=None, extent=None):
    """Lay out ``events`` (a queryset) in ``window``, in at most three queries.

    Without a window, the figure spans the events' own dates (``extent``, when
    the caller has them: ``{"first": ..., "last": ..., "dated": count}``). With
    more than ``MAX_MARKS`` events in the window, only major events are drawn and
    the others are counted per year (or per month in short windows).
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
    fields = ("title", "slug", "date_display", "date_earliest", "date_latest", "importance")
    unit = "year" if window.months > 36 else "month"
    buckets = None
    if known_total is not None and known_total <= MAX_MARKS:
        total, rows = known_total, in_window.only(*fields)
    elif known_total is not None and known_total <= MAX_COUNTED_HERE:
        # A few hundred events: read them once and count per bucket here (one query, not two).
        everything = list(in_window.only(*fields))
        total = len(everything)
        counts = {}
        for event in everything:
            day = event.date_earliest
            start = datetime.date(day.year, 1, 1) if unit == "year" else day.replace(day=1)
            counts[start] = counts.get(start, 0) + 1
        buckets = [visual.BucketInput(start=start, count=n) for start, n in sorted(counts.items())]
        majors = [event for event in everything if event.importance >= visual.MAJOR]
        rows = sorted(majors, key=lambda event: (-event.importance, event.date_earliest, event.pk))[:MAX_MARKS]
    else:
        # The counts per bucket also give the total: one query, however many events.
        bucket = ExtractYear("date_earliest") if unit == "year" else TruncMonth("date_earliest")
        counts = list(in_window.annotate(bucket=bucket).values("bucket").annotate(n=Count("pk")).order_by("bucket"))
        total = sum(row["n"] for row in counts)
        if total > MAX_MARKS:
            buckets = [
                visual.BucketInput(
                    start=datetime.date(int(row["bucket"]), 1, 1) if unit == "year" else row["bucket"],
                    count=row["n"],
                )
                for row in counts
            ]
            rows = in_window.at_least(visual.MAJOR).order_by("-importance", "date_earliest", "pk").only(*fields)
            rows = rows[:MAX_MARKS]
        else:
            rows = in_window.only(*fields)
    if buckets is None:
        unit = "year"
    inputs = [
        visual.EventInput(
            title=event.title,
            url=event.get_absolute_url(),
            earliest=event.date_earliest,
            latest=event.date_latest,
            date_label=event.date_display,
            importance=event.importance,
        )
        for event in rows
    ]
    period_inputs = [
        visual.PeriodInput(
            name=period.name,
            url=period.get_absolute_url(),
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
        "link": link,
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
        queryset = form.fields[name].queryset.annotate(extra=extras[name]).order_by("name", "slug")
        sql, part_params = queryset.values_list("slug", "name", "extra")[: MAX_CHOICES + 1].query.sql_with_params()
        parts.append(f"SELECT {index} AS kind, part{index}.* FROM ({sql}) part{index}")  # noqa: S608 (compiled)
        params.extend(part_params)
    # UNION ALL keeps each part's rows in their order.
    with connections[Actor.objects.db].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    found = {name: [] for name in names}
    for kind, slug, label, extra in rows:
        found[names[kind]].append((slug, f"{label} ({extra})" if extra else label))
    return {name: (choices if len(choices) <= MAX_CHOICES else None) for name, choices in found.items()}


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
        base = events_with_related(user).annotate(year=ExtractYear("date_earliest"))
        base = base.order_by(F("date_earliest").asc(nulls_last=True), F("date_latest").asc(nulls_last=True), "pk")
        filterset = EventFilterSet(request.GET, queryset=base, request=request, allowed_extra={"page"})
        context = self.get_context_data(filterset=filterset, **kwargs)
        context["filter_fields"] = self.form_fields(filterset.form)
        if not filterset.is_valid():
            context["invalid"] = True
            return self.render_to_response(context, status=HTTPStatus.BAD_REQUEST)
        page = paginate(request, filterset.qs)
        events = list(page.object_list)
        grouped = not (filterset.form.cleaned_data.get("q") or filterset.form.cleaned_data.get("ordering"))
        context.update(
            page_obj=page,
            events=events,
            groups=group_by_year_and_period(events) if grouped else None,
            active_filters=self.active_filters(filterset),
            figure=self.figure(filterset),
        )
        context.update(self.figure_links(context["figure"]))
        return self.render_to_response(context)

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
        return [form[name] for name in self.filter_fields]

    def link(self, edtf=None, **changes):
        params = {key: value for key, value in self.request.GET.items() if key != "page"}
        if edtf is not None:
            params.pop("after", None)
            params.pop("before", None)
            params["date"] = edtf
        params.update(changes)
        return url_with(self.request.path, params)

    def figure(self, filterset):
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
                events, limit=limit, periods=self.periods(limit), link=self.link, selected_period=data.get("period")
            )
        window = window.clamp(limit) if window else limit
        return figure(
            events,
            window=window,
            limit=limit,
            periods=self.periods(window),
            link=self.link,
            selected_period=data.get("period"),
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
            key: value for key, value in self.request.GET.items() if key not in ("date", "after", "before", "page")
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
            params = {k: v for k, v in self.request.GET.items() if k not in (key, "page")}
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
                queryset=EventRelation.objects.filter(to_event__in=visible(Event, user)).select_related("to_event"),
            ),
            Prefetch(
                "relations_in",
                queryset=EventRelation.objects.filter(from_event__in=visible(Event, user)).select_related("from_event"),
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
        previous = (
            others.filter(before, date_earliest__lte=event.date_earliest)
            .order_by("-date_earliest", "-date_latest", "-pk")
            .first()
        )
        following = (
            others.filter(after, date_earliest__gte=event.date_earliest)
            .order_by("date_earliest", "date_latest", "pk")
            .first()
        )
        return previous, following

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

        context["figure"] = figure(events.order_by(), link=link, extent=extent)
        context["timeline_url"] = url_with(reverse("timeline:home"), {param: slug})
        context["passages"] = self.object.passages.select_related("source").order_by("source__pk", "start")
        return context


class ActorListView(PageMixin, ListView):
    template_name = "timeline/actor_list.html"
    paginate_by = 100
    description = "Everyone the documents name, with their organisations and events."

    def get_queryset(self):
        user = self.request.user
        return (
            visible(Actor, user)
            .annotate(
                event_count=Count(
                    "participations__event",
                    filter=Q(participations__event__in=visible(Event, user)),
                    distinct=True,
                ),
                quote_count=Count("quotes", distinct=True),
            )
            .order_by("name", "slug")
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


class OrganisationListView(PageMixin, ListView):
    template_name = "timeline/organisation_list.html"
    paginate_by = 100
    description = "Every organisation the documents name: unions, parties, state bodies, newspapers."

    def get_queryset(self):
        user = self.request.user
        return (
            visible(Organisation, user)
            .annotate(
                event_count=Count(
                    "participations__event",
                    filter=Q(participations__event__in=visible(Event, user)),
                    distinct=True,
                ),
                member_count=Count(
                    "memberships__actor", filter=Q(memberships__actor__in=visible(Actor, user)), distinct=True
                ),
            )
            .order_by("name", "slug")
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


class PlaceListView(PageMixin, ListView):
    template_name = "timeline/place_list.html"
    paginate_by = 100
    description = "The places the documents name, with their events."

    def get_queryset(self):
        user = self.request.user
        return (
            Place.objects.select_related("within")
            .annotate(event_count=Count("events", filter=Q(events__in=visible(Event, user)), distinct=True))
            .order_by("name", "slug")
        )


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


class PeriodListView(PageMixin, ListView):
    template_name = "timeline/period_list.html"
    paginate_by = 100
    description = "The periods of Bolivian history the documents describe."

    def get_queryset(self):
        user = self.request.user
        return Period.objects.annotate(
            event_count=Count("events", filter=Q(events__in=visible(Event, user)), distinct=True)
        ).order_by("date_earliest", "date_latest", "name")


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


class SourceListView(PageMixin, ListView):
    template_name = "timeline/source_list.html"
    description = "The documents the timeline is built from, and the publications they cite."

    def get_queryset(self):
        return (
            Source.objects.select_related("cited_in", "outlet")
            .annotate(
                citation_count=Count("passages", distinct=True),
                quote_count=Count("attributed_quotes", distinct=True),
                passage_count=Count("passages_held", distinct=True),
            )
            .order_by(F("cited_in").asc(nulls_first=True), F("date_earliest").asc(nulls_last=True), "title")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sources = list(context["object_list"])
        context["documents"] = [s for s in sources if s.cited_in_id is None]
        cited = {}
        for source in sources:
            if source.cited_in_id is not None:
                cited.setdefault(source.cited_in_id, []).append(source)
        for document in context["documents"]:
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
        if name == "events":
            base = events_with_related(user)
        else:
            base = model.objects.visible_to(user) if hasattr(model.objects, "visible_to") else model.objects.all()
        # The total rides along on every row: no separate COUNT(*).
        matches = base.search(query).annotate(match_count=Window(Count("pk")), **self.headlines(model, fields, query))
        rows = list(matches.order_by("-search_rank", "pk")[:SEARCH_RESULTS])
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
