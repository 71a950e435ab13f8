"""The domain: what a document says happened, who and what took part, and where it says so.

Every record cites its evidence through :class:`Passage`, an exact span of a
:class:`Source`'s text. Dated records keep the EDTF value, the bounds derived
from it (indexed, for sorting and range filters), the date as written in the
document and how it was obtained.
"""

from __future__ import annotations

import datetime
import functools

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from simple_history.models import HistoricalRecords

from timeline import dates
from timeline.history import EvidenceHistoricalRecords

# Shared building blocks -----------------------------------------------------


@functools.cache
def choice_labels(field) -> dict:
    """A field's ``{value: label}``, built once per field."""
    return dict(make_hashable(field.flatchoices))


class Status(models.TextChoices):
    DRAFT = "draft", "draft"
    PUBLISHED = "published", "published"


class DateBasis(models.TextChoices):
    STATED = "stated", "stated in the text"
    RELATIVE = "relative", "relative to the document’s date"
    INFERRED = "inferred", "inferred from context"
    COMPUTED = "computed", "computed from a stated date"
    CURATOR = "curator", "added by the curator"


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class TimeStampedModel(models.Model):
    # Defaults rather than auto_now: fixtures loaded raw keep the stamps they carry.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.updated_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "updated_at"}
        super().save(*args, **kwargs)

    def _get_FIELD_display(self, field):
        """Django's, without rebuilding the field's choices on every call: a list page shows hundreds."""
        value = getattr(self, field.attname)
        return force_str(choice_labels(field).get(make_hashable(value), value), strings_only=True)


class SluggedModel(TimeStampedModel):
    slug = models.SlugField(max_length=120, unique=True)

    objects = SlugManager()

    class Meta:
        abstract = True

    def natural_key(self):
        return (self.slug,)


class DatedQuerySet(models.QuerySet):
    def between(self, lower: datetime.date | None = None, upper: datetime.date | None = None):
        """Records whose date range overlaps [lower, upper]; undated records are left out."""
        qs = self.filter(date_earliest__isnull=False)
        if lower is not None:
            qs = qs.filter(date_latest__gte=lower)
        if upper is not None:
            qs = qs.filter(date_earliest__lte=upper)
        return qs

    def chronological(self):
        return self.order_by(F("date_earliest").asc(nulls_last=True), F("date_latest").asc(nulls_last=True), "pk")


class DatedModel(models.Model):
    """A record with a date as historians give it (see :mod:`timeline.dates`)."""

    date_edtf = models.CharField(
        "date (EDTF)",
        max_length=64,
        blank=True,
        help_text="Extended Date/Time Format: 2004-01-22, 2003-10, 1971, 1971-07-18/1971-07-20, "
        "1952-04~ (approximate), 1970? (uncertain). Leave empty when undated.",
    )
    date_earliest = models.DateField("earliest date", null=True, blank=True, editable=False, db_index=True)
    date_latest = models.DateField("latest date", null=True, blank=True, editable=False, db_index=True)
    date_precision = models.CharField(
        "date precision", max_length=16, choices=dates.DatePrecision.choices, blank=True, editable=False
    )
    date_display = models.CharField(
        "date as shown", max_length=128, default="undated", editable=False, help_text="Derived from the EDTF value."
    )
    date_approximate = models.BooleanField(default=False, editable=False)
    date_uncertain = models.BooleanField(default=False, editable=False)
    date_as_written = models.CharField(
        "date as written", max_length=255, blank=True, help_text="The document’s own words for the date."
    )
    date_basis = models.CharField(
        "date obtained", max_length=16, choices=DateBasis.choices, blank=True, help_text="How the date was obtained."
    )
    date_note = models.TextField("note on the date", blank=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.refresh_date()
        super().save(*args, **kwargs)

    @classmethod
    def date_constraints(cls, prefix: str) -> list[models.BaseConstraint]:
        return [
            models.CheckConstraint(
                condition=Q(date_earliest__isnull=True, date_latest__isnull=True)
                | Q(date_earliest__isnull=False, date_latest__isnull=False, date_latest__gte=F("date_earliest")),
                name=f"{prefix}_date_bounds_ordered",
                violation_error_message="The latest date cannot be before the earliest date.",
            ),
            models.CheckConstraint(
                condition=Q(date_edtf="", date_earliest__isnull=True)
                | (~Q(date_edtf="") & Q(date_earliest__isnull=False)),
                name=f"{prefix}_date_bounds_match_edtf",
                violation_error_message="A date needs its bounds, and bounds need a date.",
            ),
            models.CheckConstraint(
                condition=Q(date_edtf="") | ~Q(date_basis=""),
                name=f"{prefix}_date_has_basis",
                violation_error_message="Say how the date was obtained.",
            ),
        ]

    def refresh_date(self) -> None:
        """Derive the bounds, precision and qualifiers from the EDTF value."""
        self.date_edtf = (self.date_edtf or "").strip()
        if not self.date_edtf:
            self.date_earliest = self.date_latest = None
            self.date_precision = ""
            self.date_approximate = self.date_uncertain = False
            self.date_display = dates.display("")
            return
        parsed = dates.parse(self.date_edtf)
        self.date_earliest, self.date_latest = parsed.earliest, parsed.latest
        self.date_precision = parsed.precision
        self.date_approximate, self.date_uncertain = parsed.approximate, parsed.uncertain
        self.date_display = dates.display(self.date_edtf)

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if not exclude or "date_edtf" not in exclude:
            try:
                self.refresh_date()
            except ValidationError as exc:
                errors.setdefault("date_edtf", []).extend(exc.messages)
        if self.date_edtf and not self.date_basis and (not exclude or "date_basis" not in exclude):
            errors.setdefault("date_basis", []).append("Say how the date was obtained.")
        if errors:
            raise ValidationError(errors)


SEARCH_CONFIG = "english"


class SearchableQuerySet(models.QuerySet):
    """Full-text search: PostgreSQL's, on a stored and GIN-indexed vector; a plain fallback elsewhere.

    On PostgreSQL a trigger (migration 0002) keeps ``search_vector`` current from
    the model's ``SEARCH_WEIGHTS``; queries use ``websearch_to_tsquery`` and are
    ranked. On SQLite every word must appear in one of the searched fields.
    """

    def search(self, query: str):
        query = (query or "").strip()
        if not query:
            return self.annotate(search_rank=Value(0.0))
        if connections[self.db].vendor == "postgresql":
            search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
            return self.filter(search_vector=search_query).annotate(
                search_rank=SearchRank(F("search_vector"), search_query)
            )
        condition = Q()
        fields = [field for _, columns in self.model.SEARCH_WEIGHTS for field in columns]
        for word in query.split():
            any_field = Q()
            for field in fields:
                any_field |= Q(**{f"{field}__icontains": word})
            condition &= any_field
        return self.filter(condition).annotate(search_rank=Value(1.0))


class SearchableModel(models.Model):
    # Maintained by a PostgreSQL trigger; never serialised, never edited.
    search_vector = SearchVectorField(null=True, editable=False, serialize=False)

    SEARCH_WEIGHTS: tuple[tuple[str, tuple[str, ...]], ...] = ()

    class Meta:
        abstract = True


class PublishableQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def visible_to(self, user):
        """Published records, and drafts too for curators who may change them."""
        if (
            user is not None
            and user.is_authenticated
            and user.has_perm(f"timeline.change_{self.model._meta.model_name}")
        ):
            return self
        return self.published()


class SubqueryCount(Subquery):
    """How many rows a correlated subquery finds for each outer row: ``(SELECT COUNT(*) FROM (...))``.

    Where an index covers the subquery's filter (``(period_id, status)`` for a period's published
    events), each count is an index-only scan of the matching entries; the join and ``GROUP BY``
    it replaces read the whole events table for a page of periods.
    """

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


def counted_per(queryset, field: str) -> SubqueryCount:
    """How many rows of ``queryset`` have the outer row as their ``field``: ``queryset`` counted per row."""
    return SubqueryCount(queryset.filter(**{field: OuterRef("pk")}).order_by().values("pk"))


# Sources and passages -------------------------------------------------------


class SourceKind(models.TextChoices):
    ARTICLE = "article", "article"
    NEWSPAPER = "newspaper", "newspaper"
    NEWS_AGENCY = "news_agency", "news agency"
    RADIO = "radio", "radio"
    BOOK = "book", "book"
    REPORT = "report", "report"
    UNKNOWN = "unknown", "unknown"


class SourceQuerySet(DatedQuerySet):
    pass


class Source(SluggedModel, DatedModel):
    """A document or publication: the article we hold, or one it cites."""

    title = models.CharField(max_length=255)
    kind = models.CharField(max_length=16, choices=SourceKind.choices)
    author = models.CharField(max_length=255, blank=True, help_text="Only as the document names it.")
    outlet = models.ForeignKey(
        "Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="publications",
        help_text="The newspaper, agency or body that published it, where known.",
    )
    citation = models.CharField(
        max_length=255, blank=True, help_text="The citation exactly as the citing document writes it."
    )
    page = models.CharField(max_length=64, blank=True)
    cited_in = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cited_sources",
        help_text="The document that cites this one.",
    )
    language = models.CharField(max_length=16, blank=True, help_text="BCP 47 code, e.g. en, es.")
    url = models.URLField("URL", blank=True)
    text = models.TextField(blank=True, help_text="The full text, where we hold it.")
    notes = models.TextField(blank=True)
    passages = models.ManyToManyField(
        "Passage",
        through="timeline.Citation",
        blank=True,
        related_name="sources_cited",
        help_text="Where the citing document cites it.",
    )

    objects = SlugManager.from_queryset(SourceQuerySet)()
    history = EvidenceHistoricalRecords(excluded_fields=["text"])

    class Meta:
        ordering = ["title", "slug"]
        constraints = DatedModel.date_constraints("source")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("timeline:source-detail", kwargs={"slug": self.slug})


class PassageQuerySet(models.QuerySet):
    def in_document_order(self):
        return self.order_by("source_id", "start", "end")


class PassageManager(models.Manager.from_queryset(PassageQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Passage(TimeStampedModel):
    """An exact span of a source's text: the evidence every other record cites.

    ``text`` always equals ``source.text[start:end]``. Offsets are computed from
    the quoted words (:func:`timeline.services.passage_locate`), never typed.
    """

    slug = models.SlugField(max_length=160, unique=True, editable=False)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="passages_held")
    start = models.PositiveIntegerField(help_text="Character offset of the first character.")
    end = models.PositiveIntegerField(help_text="Character offset just after the last character.")
    text = models.TextField()
    note = models.TextField(blank=True)

    objects = PassageManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["source", "start", "end"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="passage_end_after_start",
                violation_error_message="A passage must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(end=F("start") + Length("text")),
                name="passage_length_matches_offsets",
                violation_error_message="The passage’s text does not span its offsets.",
            ),
            models.UniqueConstraint(fields=["source", "start", "end"], name="passage_unique_span"),
        ]

    def __str__(self):
        text = self.text if len(self.text) <= 80 else f"{self.text[:77]}…"
        return f"“{text}” ({self.source.slug} {self.start}–{self.end})"

    def save(self, *args, **kwargs):
        self.slug = self.make_slug(self.source.slug, self.start, self.end)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.source.get_absolute_url()}#{self.anchor}"

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["timeline.source"]

    @staticmethod
    def make_slug(source_slug: str, start: int, end: int) -> str:
        return f"{source_slug}-{start}-{end}"

    def clean(self):
        super().clean()
        if self.start is None or self.end is None or not self.source_id:
            return
        if self.end <= self.start:
            raise ValidationError({"end": "A passage must end after it starts."})
        if self.source.text[self.start : self.end] != self.text:
            raise ValidationError(
                {"text": f"The text does not match “{self.source}” at characters {self.start}–{self.end}."}
            )

    @property
    def anchor(self) -> str:
        return f"passage-{self.start}-{self.end}"


class EvidencedModel(models.Model):
    """A record that cites the passages supporting it."""

    passages = models.ManyToManyField(Passage, blank=True, related_name="%(class)ss")
    notes = models.TextField(blank=True, help_text="Contradictions, ambiguities and curator remarks.")

    class Meta:
        abstract = True


class EvidenceLinkManager(models.Manager):
    def get_by_natural_key(self, record, passage):
        return self.get(**{f"{self.model.record_field}__slug": record, "passage__slug": passage})


class EvidenceLink(models.Model):
    """An explicit link from a record to a passage.

    Sources, places and organisations use explicit links rather than a plain
    many-to-many: passages belong to sources, sources name their outlet
    organisations, and organisations their country. Plain links would make
    that a cycle, and ``dumpdata`` could then write a record before a passage
    it needs. Explicit links are dumped after both ends.
    """

    record_field = ""
    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="+")

    objects = EvidenceLinkManager()

    class Meta:
        abstract = True

    def __str__(self):
        return f"{getattr(self, self.record_field)} ← {self.passage.slug}"

    def natural_key(self):
        return (getattr(self, self.record_field).slug, self.passage.slug)


class Citation(EvidenceLink):
    """Where a document cites a source."""

    record_field = "source"
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "timeline_source_passages"
        ordering = ["source", "passage"]
        constraints = [models.UniqueConstraint(fields=["source", "passage"], name="citation_unique")]


# Places, periods, organisations, people -----------------------------------


class PlaceKind(models.TextChoices):
    COUNTRY = "country", "country"
    DEPARTMENT = "department", "department"
    CITY = "city", "city"
    TOWN = "town", "town"
    BUILDING = "building", "building"
    SQUARE = "square", "square"
    MINE = "mine", "mine"
    REGION = "region", "region"
    SEA = "sea", "sea"
    OTHER = "other", "other"


class Place(SluggedModel, EvidencedModel):
    name = models.CharField(max_length=255)
    passages = models.ManyToManyField(Passage, through="timeline.PlacePassage", blank=True, related_name="places")
    kind = models.CharField(max_length=16, choices=PlaceKind.choices)
    within = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="contains")
    aliases = models.TextField(blank=True, help_text="Other names and spellings in the documents, one per line.")
    description = models.TextField(blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    coordinates_by_curator = models.BooleanField(
        "coordinates added by the curator", default=True, help_text="The documents give no coordinates."
    )

    objects = SlugManager()
    history = EvidenceHistoricalRecords()

    class Meta:
        ordering = ["name", "slug"]
        indexes = [models.Index(fields=["name", "slug"], name="place_name")]  # the places index, walked in order
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="place_coordinates_valid",
                violation_error_message="Give both latitude (−90 to 90) and longitude (−180 to 180), or neither.",
            ),
            models.CheckConstraint(condition=~Q(within=F("pk")), name="place_not_within_itself"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("timeline:place-detail", kwargs={"slug": self.slug})


class Period(SluggedModel, DatedModel, EvidencedModel):
    """A named era with a date range."""

    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)

    objects = SlugManager.from_queryset(DatedQuerySet)()
    history = EvidenceHistoricalRecords()

    class Meta:
        ordering = [F("date_earliest").asc(nulls_last=True), "name"]
        constraints = [
            *DatedModel.date_constraints("period"),
            models.CheckConstraint(
                condition=~Q(date_edtf=""), name="period_has_date", violation_error_message="A period needs dates."
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("timeline:period-detail", kwargs={"slug": self.slug})


class OrganisationKind(models.TextChoices):
    UNION = "union", "trade union"
    PARTY = "party", "political party"
    STATE_BODY = "state_body", "state body"
    COMPANY = "company", "company"
    MILITARY = "military", "military"
    MEDIA = "media", "news outlet"
    INTERNATIONAL = "international", "international institution"
    ASSEMBLY = "assembly", "assembly"
    MOVEMENT = "movement", "movement"
    OTHER = "other", "other"


class OrganisationQuerySet(PublishableQuerySet, SearchableQuerySet):
    pass


class Organisation(SluggedModel, EvidencedModel, SearchableModel):
    name = models.CharField(max_length=255)
    passages = models.ManyToManyField(
        Passage, through="timeline.OrganisationPassage", blank=True, related_name="organisations"
    )
    acronym = models.CharField(max_length=32, blank=True)
    aliases = models.TextField(blank=True, help_text="Other names and spellings in the documents, one per line.")
    kind = models.CharField(max_length=16, choices=OrganisationKind.choices)
    country = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        limit_choices_to={"kind": PlaceKind.COUNTRY},
    )
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)

    SEARCH_WEIGHTS = (("A", ("name", "acronym", "aliases")), ("B", ("description",)), ("C", ("notes",)))

    objects = SlugManager.from_queryset(OrganisationQuerySet)()
    history = EvidenceHistoricalRecords(excluded_fields=["search_vector"])

    class Meta:
        ordering = ["name", "slug"]
        constraints = [models.CheckConstraint(condition=~Q(parent=F("pk")), name="organisation_not_own_parent")]
        # The index pages: the published ones in name order, walked rather than sorted.
        indexes = [models.Index(fields=["status", "name", "slug"], name="organisation_status_name")]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self):
        return reverse("timeline:organisation-detail", kwargs={"slug": self.slug})


class PlacePassage(EvidenceLink):
    record_field = "place"
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "timeline_place_passages"
        ordering = ["place", "passage"]
        constraints = [models.UniqueConstraint(fields=["place", "passage"], name="placepassage_unique")]


class OrganisationPassage(EvidenceLink):
    record_field = "organisation"
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "timeline_organisation_passages"
        ordering = ["organisation", "passage"]
        constraints = [models.UniqueConstraint(fields=["organisation", "passage"], name="organisationpassage_unique")]


class ActorQuerySet(PublishableQuerySet, SearchableQuerySet):
    pass


class Actor(SluggedModel, EvidencedModel, SearchableModel):
    """A person named in a document."""

    name = models.CharField(max_length=255)
    aliases = models.TextField(blank=True, help_text="Other names the documents use, one per line (e.g. “Goni”).")
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    organisations = models.ManyToManyField(Organisation, through="Membership", related_name="members", blank=True)

    SEARCH_WEIGHTS = (("A", ("name", "aliases")), ("B", ("description",)), ("C", ("notes",)))

    objects = SlugManager.from_queryset(ActorQuerySet)()
    history = EvidenceHistoricalRecords(excluded_fields=["search_vector"])

    class Meta:
        ordering = ["name", "slug"]
        # The people index: the published ones in name order, walked rather than sorted.
        indexes = [models.Index(fields=["status", "name", "slug"], name="actor_status_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("timeline:actor-detail", kwargs={"slug": self.slug})

    @property
    def alias_list(self) -> list[str]:
        return [alias.strip() for alias in self.aliases.splitlines() if alias.strip()]


class MembershipManager(models.Manager):
    def get_by_natural_key(self, actor, organisation, role):
        return self.get(actor__slug=actor, organisation__slug=organisation, role=role)


class Membership(TimeStampedModel, DatedModel, EvidencedModel):
    """A person's role in an organisation, as the document gives it."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=255, blank=True, help_text="Role or title, e.g. executive secretary.")
    role_as_written = models.CharField(max_length=255, blank=True)

    objects = MembershipManager()
    history = EvidenceHistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "actor__name", "role"]
        constraints = [
            *DatedModel.date_constraints("membership"),
            models.UniqueConstraint(fields=["actor", "organisation", "role"], name="membership_unique_role"),
        ]

    def __str__(self):
        role = f", {self.role}" if self.role else ""
        return f"{self.actor} — {self.organisation}{role}"

    def natural_key(self):
        return (self.actor.slug, self.organisation.slug, self.role)

    natural_key.dependencies = ["timeline.actor", "timeline.organisation"]


# Events ----------------------------------------------------------------------


class EventType(models.TextChoices):
    REVOLUTION = "revolution", "revolution"
    INSURRECTION = "insurrection", "insurrection"
    STRIKE = "strike", "strike"
    BLOCKADE = "blockade", "blockade"
    COUP = "coup", "coup"
    COUP_ATTEMPT = "coup_attempt", "coup attempt"
    ASSEMBLY = "assembly", "assembly"
    MEETING = "meeting", "meeting"
    CONGRESS = "congress", "congress"
    STATEMENT = "statement", "statement"
    SPEECH = "speech", "speech"
    PROTEST = "protest", "protest"
    POLICY = "policy", "policy"
    ELECTION = "election", "election"
    MASSACRE = "massacre", "massacre"
    REPORT = "report", "report"
    PUBLICATION = "publication", "publication"
    WAR = "war", "war"
    NATIONALISATION = "nationalisation", "nationalisation"
    OCCUPATION = "occupation", "occupation"
    GOVERNMENT_CHANGE = "government_change", "change of government"
    DIPLOMACY = "diplomacy", "diplomacy"
    OTHER = "other", "other"


class Occurrence(models.TextChoices):
    OCCURRED = "occurred", "occurred"
    PLANNED = "planned", "planned or called"
    PROPOSED = "proposed", "proposed"
    FORECAST = "forecast", "forecast"


class Importance(models.IntegerChoices):
    MINOR = 1, "minor"
    NOTABLE = 2, "notable"
    MAJOR = 3, "major"


class EventQuerySet(PublishableQuerySet, DatedQuerySet, SearchableQuerySet):
    def involving(self, entity):
        """Events in which an actor or an organisation takes part."""
        if isinstance(entity, Actor):
            condition = Q(actor=entity)
        elif isinstance(entity, Organisation):
            condition = Q(organisation=entity)
        else:
            raise TypeError(f"involving() takes an Actor or an Organisation, not {type(entity).__name__}")
        return self.filter(Exists(Participation.objects.filter(condition, event=OuterRef("pk"))))

    def at_least(self, importance: int):
        return self.filter(importance__gte=importance)

    def with_related(self):
        """What list pages need, in a fixed number of queries."""
        return self.select_related("place", "period").prefetch_related(
            models.Prefetch(
                "participations",
                queryset=Participation.objects.select_related("actor", "organisation").order_by("pk"),
            )
        )


class Event(SluggedModel, DatedModel, EvidencedModel, SearchableModel):
    title = models.CharField(max_length=255)
    summary = models.TextField(blank=True)
    event_type = models.CharField("type", max_length=32, choices=EventType.choices)
    occurrence = models.CharField(
        max_length=16,
        choices=Occurrence.choices,
        default=Occurrence.OCCURRED,
        help_text="Whether the document says it happened, was planned or called, proposed, or forecast.",
    )
    place = models.ForeignKey(Place, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    place_as_written = models.CharField(max_length=255, blank=True)
    period = models.ForeignKey(Period, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    importance = models.PositiveSmallIntegerField(choices=Importance.choices, default=Importance.NOTABLE)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    related_events = models.ManyToManyField(
        "self", through="EventRelation", symmetrical=False, related_name="related_from", blank=True
    )

    SEARCH_WEIGHTS = (
        ("A", ("title",)),
        ("B", ("summary",)),
        ("C", ("notes", "date_as_written", "place_as_written")),
    )

    objects = SlugManager.from_queryset(EventQuerySet)()
    history = EvidenceHistoricalRecords(excluded_fields=["search_vector"])

    class Meta:
        ordering = [F("date_earliest").asc(nulls_last=True), F("date_latest").asc(nulls_last=True), "title"]
        constraints = [
            *DatedModel.date_constraints("event"),
            models.CheckConstraint(condition=Q(importance__gte=1, importance__lte=3), name="event_importance_range"),
        ]
        indexes = [
            # A type's events in time, with the other date and the status checked in the index, not the table
            # (``type=strike&after=1950&before=1980``: 8 ms → 0.4 ms at 100,000 events).
            models.Index(fields=["event_type", "date_earliest", "date_latest", "status"], name="event_type_dates"),
            # Events overlapping a window, for everyone (curators see every status): a range on the latest
            # date, the earliest and the status checked in the index. The exports and the window's counts
            # read it (the TimelineJS export's probe: 8 ms → 0.5 ms at 100,000 events).
            models.Index(fields=["date_latest", "date_earliest", "status"], name="event_overlap"),
            # Lists in time, for everyone: walked along the index, the latest date and the status checked
            # there, not in the table. A window's first page (``date=2003-10/2004-02``) at 100,000 events:
            # 8 ms → 1.7 ms for anonymous readers (on (status, date_earliest, date_latest) before), 85 ms →
            # 2 ms for curators, who see every status and so could not use that index.
            models.Index(fields=["date_earliest", "date_latest", "status"], name="event_dates"),
            # ``ordering=title`` and ``ordering=importance``, either way, read along an index (see
            # NullsLastOrderingFilter: ties go by the primary key, in the direction of the field).
            models.Index(fields=["status", "title", "id"], name="event_status_title"),
            models.Index(fields=["status", "importance", "id"], name="event_status_importance"),
            # A place's and a period's events: counted on the index alone (the index pages), and listed in
            # time along it (their pages, ``place=`` and ``period=``). With (period, status), PostgreSQL
            # walked the whole dates index, checking each row's period, to find the one event of the 1952
            # revolution: that query took 58 ms at 100,000 events, 0.05 ms on this index.
            models.Index(fields=["place", "date_earliest", "date_latest", "status"], name="event_place_dates"),
            models.Index(fields=["period", "date_earliest", "date_latest", "status"], name="event_period_dates"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("timeline:event-detail", kwargs={"slug": self.slug})


class ParticipantRole(models.TextChoices):
    LEADER = "leader", "leader"
    ORGANISER = "organiser", "organiser"
    PARTICIPANT = "participant", "participant"
    SPEAKER = "speaker", "speaker"
    AUTHOR = "author", "author"
    TARGET = "target", "target"
    OPPONENT = "opponent", "opponent"
    SUPPORTER = "supporter", "supporter"
    SUBJECT = "subject", "subject"


class ParticipationManager(models.Manager):
    def get_by_natural_key(self, event, actor, organisation, role):
        return self.get(
            event__slug=event,
            actor__slug=actor,
            organisation__slug=organisation,
            role=role,
        )


class Participation(TimeStampedModel, EvidencedModel):
    """An actor or an organisation taking part in an event, in a role."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, null=True, blank=True, related_name="participations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="participations"
    )
    role = models.CharField(max_length=16, choices=ParticipantRole.choices, default=ParticipantRole.PARTICIPANT)
    role_as_written = models.CharField(max_length=255, blank=True)

    objects = ParticipationManager()
    history = EvidenceHistoricalRecords()

    class Meta:
        ordering = ["event", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(actor__isnull=False, organisation__isnull=True)
                | Q(actor__isnull=True, organisation__isnull=False),
                name="participation_one_participant",
                violation_error_message="Choose either a person or an organisation.",
            ),
            models.UniqueConstraint(
                fields=["event", "actor", "role"], condition=Q(actor__isnull=False), name="participation_unique_actor"
            ),
            models.UniqueConstraint(
                fields=["event", "organisation", "role"],
                condition=Q(organisation__isnull=False),
                name="participation_unique_organisation",
            ),
        ]

    def __str__(self):
        return f"{self.participant} — {self.get_role_display()} — {self.event}"

    @property
    def participant(self):
        return self.actor or self.organisation

    def natural_key(self):
        return (
            self.event.slug,
            self.actor.slug if self.actor_id else None,
            self.organisation.slug if self.organisation_id else None,
            self.role,
        )

    natural_key.dependencies = ["timeline.event", "timeline.actor", "timeline.organisation"]


class RelationType(models.TextChoices):
    CAUSED = "caused", "caused"
    LED_TO = "led_to", "led to"
    PART_OF = "part_of", "part of"
    RESPONSE_TO = "response_to", "response to"
    PRECEDENT_FOR = "precedent_for", "precedent for"


class EventRelationManager(models.Manager):
    def get_by_natural_key(self, from_event, to_event, relation):
        return self.get(from_event__slug=from_event, to_event__slug=to_event, relation=relation)


class EventRelation(TimeStampedModel, EvidencedModel):
    """A relation between two events that the document states."""

    from_event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="relations_out")
    to_event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="relations_in")
    relation = models.CharField(max_length=16, choices=RelationType.choices)

    objects = EventRelationManager()
    history = EvidenceHistoricalRecords()

    class Meta:
        ordering = ["from_event", "relation", "to_event"]
        constraints = [
            models.UniqueConstraint(fields=["from_event", "to_event", "relation"], name="event_relation_unique"),
            models.CheckConstraint(
                condition=~Q(from_event=F("to_event")),
                name="event_relation_not_reflexive",
                violation_error_message="An event cannot be related to itself.",
            ),
        ]

    def __str__(self):
        return f"{self.from_event} {self.get_relation_display()} {self.to_event}"

    def natural_key(self):
        return (self.from_event.slug, self.to_event.slug, self.relation)

    natural_key.dependencies = ["timeline.event"]


# Quotations ------------------------------------------------------------------


class QuoteQuerySet(DatedQuerySet, SearchableQuerySet):
    def with_related(self):
        return self.select_related("speaker_actor", "speaker_organisation", "source", "passage__source", "event")


class Quote(SluggedModel, DatedModel, SearchableModel):
    """Words a document attributes to someone, verbatim."""

    text = models.TextField(help_text="Verbatim, without the quotation marks.")
    passage = models.ForeignKey(
        Passage, on_delete=models.PROTECT, related_name="quotes", help_text="Where the words appear."
    )
    speaker_actor = models.ForeignKey(
        Actor, on_delete=models.PROTECT, null=True, blank=True, related_name="quotes", verbose_name="speaker"
    )
    speaker_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
        verbose_name="speaking organisation",
    )
    speaker_description = models.CharField(
        max_length=255, blank=True, help_text="A described speaker, e.g. “the masses gathered in Plaza Murillo”."
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attributed_quotes",
        help_text="The publication the document attributes the words to.",
    )
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="quotes", help_text="The occasion."
    )
    attribution_passages = models.ManyToManyField(
        Passage,
        blank=True,
        related_name="quote_attributions",
        help_text="Words around the quotation that say who said it and where.",
    )
    notes = models.TextField(blank=True, help_text="Contradictions, ambiguities and curator remarks.")

    SEARCH_WEIGHTS = (("A", ("text",)), ("B", ("speaker_description",)), ("C", ("notes",)))

    objects = SlugManager.from_queryset(QuoteQuerySet)()
    history = EvidenceHistoricalRecords(m2m_fields=["attribution_passages"], excluded_fields=["search_vector"])

    class Meta:
        ordering = [F("date_earliest").asc(nulls_last=True), "slug"]
        constraints = [
            *DatedModel.date_constraints("quote"),
            models.CheckConstraint(
                condition=Q(speaker_actor__isnull=False)
                | Q(speaker_organisation__isnull=False)
                | ~Q(speaker_description=""),
                name="quote_has_speaker",
                violation_error_message="Say who spoke: a person, an organisation or a description.",
            ),
        ]

    def __str__(self):
        text = self.text if len(self.text) <= 60 else f"{self.text[:57]}…"
        return f"“{text}” — {self.speaker}"

    def get_absolute_url(self):
        return reverse("timeline:quote-detail", kwargs={"slug": self.slug})

    @property
    def speaker(self) -> str:
        names = [str(s) for s in (self.speaker_actor, self.speaker_organisation) if s] or [self.speaker_description]
        return ", ".join(names)

    def clean(self):
        super().clean()
        if self.passage_id and self.text and self.text not in self.passage.text:
            raise ValidationError({"text": "The quotation’s words are not in its passage."})
