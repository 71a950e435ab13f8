"""Turn the curated YAML extraction (``fixtures/curation/``) into Django fixtures.

The curated files are the source of truth (see ``fixtures/curation/README.md``).
This module checks every reference, vocabulary value, EDTF date and quoted
passage, computes passage offsets from the quoted words, and produces fixture
objects with natural keys and no primary keys. It never touches the database.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError

from timeline import dates
from timeline.models import (
    DateBasis,
    EventType,
    Importance,
    Occurrence,
    OrganisationKind,
    ParticipantRole,
    Passage,
    PlaceKind,
    RelationType,
    SourceKind,
    Status,
)
from timeline.services import passage_occurrences

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Records whose passages go through an explicit link model (see timeline.models.EvidenceLink).
EXPLICIT_EVIDENCE_LINKS = {
    "source": ("citation", "source"),
    "place": ("placepassage", "place"),
    "organisation": ("organisationpassage", "organisation"),
}
LIST_KEYS = ("sources", "places", "periods", "organisations", "actors", "events", "quotes")


class CurationError(Exception):
    """The curated files have problems; ``problems`` lists every one."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the curated files:\n" + "\n".join(problems))


@dataclass
class Curation:
    article: dict
    text: str
    curated_at: str
    lists: dict[str, list[dict]] = field(default_factory=dict)


def load(curation_dir: Path, seeds_dir: Path) -> Curation:
    """Read every YAML file in ``curation_dir`` and merge them into one curation."""
    article, curated_at = None, None
    lists: dict[str, list[dict]] = defaultdict(list)
    files = sorted(curation_dir.glob("*.yaml"))
    if not files:
        raise CurationError([f"no *.yaml files in {curation_dir.name}/"])
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        unknown = set(data) - {"article", "curated_at", *LIST_KEYS}
        if unknown:
            raise CurationError([f"{path.name}: unknown top-level keys {sorted(unknown)}"])
        if "article" in data:
            if article is not None:
                raise CurationError([f"{path.name}: a second `article` block; one document per curation"])
            article = data["article"]
        if "curated_at" in data:
            curated_at = str(data["curated_at"])
        for key in LIST_KEYS:
            for item in data.get(key) or []:
                lists[key].append({**item, "_file": path.name})
    if article is None:
        raise CurationError(["no `article` block in the curated files"])
    if curated_at is None:
        raise CurationError(["no `curated_at` timestamp in the curated files"])
    seed = seeds_dir / article["seed"]
    text = seed.read_text(encoding="utf-8")
    return Curation(article=article, text=text, curated_at=curated_at, lists=dict(lists))


class Builder:
    """Validates a curation and produces its fixture objects, or collects every problem."""

    def __init__(self, curation: Curation):
        self.c = curation
        self.problems: list[str] = []
        self.objects: list[dict] = []
        self.passages: dict[tuple[int, int], str] = {}
        self.article_slug = curation.article["slug"]
        self.slugs = {key: {} for key in LIST_KEYS}
        for key in LIST_KEYS:
            for item in curation.lists.get(key, []):
                slug = item.get("slug")
                where = f"{item['_file']}: {key} {slug!r}"
                if not slug or not SLUG_RE.match(str(slug)):
                    self.problems.append(f"{where}: slug must be lowercase ASCII words joined by hyphens")
                elif slug in self.slugs[key]:
                    self.problems.append(f"{where}: duplicate slug")
                else:
                    self.slugs[key][slug] = item

    # Helpers -----------------------------------------------------------------

    def where(self, kind: str, item: dict) -> str:
        return f"{item.get('_file', '?')}: {kind} {item.get('slug', '?')!r}"

    def ref(self, where: str, key: str, slug, *, required: bool = False):
        if slug in (None, ""):
            if required:
                self.problems.append(f"{where}: missing reference to {key}")
            return None
        if slug not in self.slugs[key]:
            self.problems.append(f"{where}: unknown {key[:-1]} slug {slug!r}")
            return None
        return [slug]

    def choice(self, where: str, name: str, value, choices, *, default=None):
        if value is None:
            value = default
        if value not in choices.values:
            self.problems.append(f"{where}: {name} {value!r} is not one of {', '.join(map(str, choices.values))}")
        return value

    def passage(self, where: str, evidence, *, whole_words: str | None = None) -> str | None:
        """The slug of the passage for one evidence item, registering it."""
        if isinstance(evidence, dict):
            words, occurrence = evidence.get("text"), evidence.get("occurrence")
        else:
            words, occurrence = evidence, None
        if not isinstance(words, str) or not words:
            self.problems.append(f"{where}: evidence must be words of the article, got {evidence!r}")
            return None
        spans = passage_occurrences(text=self.c.text, words=words)
        short = words if len(words) <= 70 else words[:67] + "..."
        if not spans:
            self.problems.append(f"{where}: words not in the article: {short!r}")
            return None
        if occurrence is None and len(spans) > 1:
            self.problems.append(f"{where}: words occur {len(spans)} times, give `occurrence`: {short!r}")
            return None
        index = (occurrence or 1) - 1
        if not 0 <= index < len(spans):
            self.problems.append(f"{where}: occurrence {occurrence} of {len(spans)}: {short!r}")
            return None
        span = spans[index]
        slug = Passage.make_slug(self.article_slug, span.start, span.end)
        self.passages[(span.start, span.end)] = slug
        return slug

    def evidence(self, where: str, item: dict, *, required: bool) -> list[list[str]]:
        items = item.get("evidence") or []
        if required and not items:
            self.problems.append(f"{where}: no evidence; every record cites the words that support it")
        slugs = [self.passage(where, evidence) for evidence in items]
        return [[slug] for slug in dict.fromkeys(s for s in slugs if s)]

    def date_fields(self, where: str, date: dict | None, *, required: bool = False) -> dict:
        date = date or {}
        unknown = set(date) - {"edtf", "as_written", "basis", "note"}
        if unknown:
            self.problems.append(f"{where}: unknown date keys {sorted(unknown)}")
        value = str(date.get("edtf") or "").strip()
        fields = {
            "date_edtf": value,
            "date_earliest": None,
            "date_latest": None,
            "date_precision": "",
            "date_display": dates.display(""),
            "date_approximate": False,
            "date_uncertain": False,
            "date_as_written": str(date.get("as_written") or ""),
            "date_basis": str(date.get("basis") or ""),
            "date_note": str(date.get("note") or ""),
        }
        if not value:
            if required:
                self.problems.append(f"{where}: a date is required")
            if fields["date_basis"] and fields["date_basis"] != DateBasis.CURATOR:
                fields["date_basis"] = ""
            return fields
        self.choice(where, "date basis", fields["date_basis"], DateBasis)
        try:
            parsed = dates.parse(value)
        except ValidationError as exc:
            self.problems.append(f"{where}: {' '.join(exc.messages)}")
            return fields
        fields.update(
            date_earliest=parsed.earliest.isoformat(),
            date_latest=parsed.latest.isoformat(),
            date_precision=str(parsed.precision),
            date_display=dates.display(value),
            date_approximate=parsed.approximate,
            date_uncertain=parsed.uncertain,
        )
        return fields

    def emit(self, model: str, fields: dict) -> None:
        stamped = {"created_at": self.c.curated_at, "updated_at": self.c.curated_at, **fields}
        self.objects.append({"model": f"timeline.{model}", "fields": stamped})

    @staticmethod
    def aliases(item: dict) -> str:
        return "\n".join(item.get("aliases") or [])

    # Records -------------------------------------------------------------------

    def build(self) -> list[dict]:
        article = self.c.article
        where = f"article {self.article_slug!r}"
        self.emit(
            "source",
            {
                "slug": self.article_slug,
                "title": article["title"],
                "kind": self.choice(where, "kind", article.get("kind"), SourceKind),
                "author": article.get("author") or "",
                "outlet": None,
                "citation": "",
                "page": "",
                "cited_in": None,
                "language": article.get("language") or "",
                "url": article.get("url") or "",
                "text": self.c.text,
                "notes": article.get("notes") or "",
                **self.date_fields(where, article.get("date")),
            },
        )
        records: list[tuple[str, dict]] = []

        for item in self.c.lists.get("places", []):
            where = self.where("place", item)
            has_coordinates = item.get("latitude") is not None
            records.append(
                (
                    "place",
                    {
                        "slug": item["slug"],
                        "name": item["name"],
                        "kind": self.choice(where, "kind", item.get("kind"), PlaceKind),
                        "within": self.ref(where, "places", item.get("within")),
                        "aliases": self.aliases(item),
                        "description": item.get("description") or "",
                        "latitude": str(item["latitude"]) if has_coordinates else None,
                        "longitude": str(item["longitude"]) if item.get("longitude") is not None else None,
                        "coordinates_by_curator": True,
                        "notes": item.get("notes") or "",
                        "passages": self.evidence(where, item, required=True),
                    },
                )
            )

        for item in self.c.lists.get("periods", []):
            where = self.where("period", item)
            records.append(
                (
                    "period",
                    {
                        "slug": item["slug"],
                        "name": item["name"],
                        "description": item.get("description") or "",
                        "notes": item.get("notes") or "",
                        "passages": self.evidence(where, item, required=True),
                        **self.date_fields(where, item.get("date"), required=True),
                    },
                )
            )

        for item in self.c.lists.get("organisations", []):
            where = self.where("organisation", item)
            records.append(
                (
                    "organisation",
                    {
                        "slug": item["slug"],
                        "name": item["name"],
                        "acronym": item.get("acronym") or "",
                        "aliases": self.aliases(item),
                        "kind": self.choice(where, "kind", item.get("kind"), OrganisationKind),
                        "country": self.ref(where, "places", item.get("country")),
                        "parent": self.ref(where, "organisations", item.get("parent")),
                        "description": item.get("description") or "",
                        "status": Status.PUBLISHED,
                        "notes": item.get("notes") or "",
                        "passages": self.evidence(where, item, required=True),
                    },
                )
            )

        for item in self.c.lists.get("sources", []):
            where = self.where("source", item)
            records.append(
                (
                    "source",
                    {
                        "slug": item["slug"],
                        "title": item["title"],
                        "kind": self.choice(where, "kind", item.get("kind"), SourceKind),
                        "author": item.get("author") or "",
                        "outlet": self.ref(where, "organisations", item.get("outlet")),
                        "citation": item.get("citation") or "",
                        "page": item.get("page") or "",
                        "cited_in": [self.article_slug],
                        "language": item.get("language") or "",
                        "url": item.get("url") or "",
                        "text": "",
                        "notes": item.get("notes") or "",
                        "passages": self.evidence(where, item, required=True),
                        **self.date_fields(where, item.get("date")),
                    },
                )
            )

        memberships = []
        for item in self.c.lists.get("actors", []):
            where = self.where("actor", item)
            records.append(
                (
                    "actor",
                    {
                        "slug": item["slug"],
                        "name": item["name"],
                        "aliases": self.aliases(item),
                        "description": item.get("description") or "",
                        "status": Status.PUBLISHED,
                        "notes": item.get("notes") or "",
                        "passages": self.evidence(where, item, required=True),
                    },
                )
            )
            seen = set()
            for membership in item.get("memberships") or []:
                mwhere = f"{where} membership of {membership.get('organisation')!r}"
                key = (membership.get("organisation"), membership.get("role") or "")
                if key in seen:
                    self.problems.append(f"{mwhere}: duplicate role {key[1]!r}")
                seen.add(key)
                memberships.append(
                    (
                        "membership",
                        {
                            "actor": [item["slug"]],
                            "organisation": self.ref(
                                mwhere, "organisations", membership.get("organisation"), required=True
                            ),
                            "role": membership.get("role") or "",
                            "role_as_written": membership.get("role_as_written") or "",
                            "notes": membership.get("notes") or "",
                            "passages": self.evidence(mwhere, membership, required=True),
                            **self.date_fields(mwhere, membership.get("date")),
                        },
                    )
                )
        records += memberships

        participations, relations = [], []
        for item in self.c.lists.get("events", []):
            where = self.where("event", item)
            records.append(
                (
                    "event",
                    {
                        "slug": item["slug"],
                        "title": item["title"],
                        "summary": item.get("summary") or "",
                        "event_type": self.choice(where, "type", item.get("type"), EventType),
                        "occurrence": self.choice(
                            where, "occurrence", item.get("occurrence"), Occurrence, default=Occurrence.OCCURRED
                        ),
                        "importance": self.choice(
                            where, "importance", item.get("importance"), Importance, default=Importance.NOTABLE
                        ),
                        "status": Status.PUBLISHED,
                        "place": self.ref(where, "places", item.get("place")),
                        "place_as_written": item.get("place_as_written") or "",
                        "period": self.ref(where, "periods", item.get("period")),
                        "notes": item.get("notes") or "",
                        "passages": self.evidence(where, item, required=True),
                        **self.date_fields(where, item.get("date")),
                    },
                )
            )
            seen = set()
            for participant in item.get("participants") or []:
                actor, organisation = participant.get("actor"), participant.get("organisation")
                pwhere = f"{where} participant {actor or organisation!r}"
                if bool(actor) == bool(organisation):
                    self.problems.append(f"{pwhere}: give either `actor` or `organisation`")
                    continue
                role = self.choice(pwhere, "role", participant.get("role"), ParticipantRole, default="participant")
                if (actor, organisation, role) in seen:
                    self.problems.append(f"{pwhere}: duplicate participant role {role!r}")
                    continue
                seen.add((actor, organisation, role))
                participations.append(
                    (
                        "participation",
                        {
                            "event": [item["slug"]],
                            "actor": self.ref(pwhere, "actors", actor),
                            "organisation": self.ref(pwhere, "organisations", organisation),
                            "role": role,
                            "role_as_written": participant.get("role_as_written") or "",
                            "notes": participant.get("notes") or "",
                            "passages": self.evidence(pwhere, participant, required=False),
                        },
                    )
                )
            for related in item.get("related") or []:
                rwhere = f"{where} related {related.get('event')!r}"
                if related.get("event") == item["slug"]:
                    self.problems.append(f"{rwhere}: an event cannot be related to itself")
                    continue
                relations.append(
                    (
                        "eventrelation",
                        {
                            "from_event": [item["slug"]],
                            "to_event": self.ref(rwhere, "events", related.get("event"), required=True),
                            "relation": self.choice(rwhere, "relation", related.get("relation"), RelationType),
                            "notes": related.get("notes") or "",
                            "passages": self.evidence(rwhere, related, required=False),
                        },
                    )
                )
        records += participations + relations

        for item in self.c.lists.get("quotes", []):
            where = self.where("quote", item)
            words = item.get("text")
            passage = self.passage(where, {"text": words, "occurrence": item.get("occurrence")})
            speakers = [item.get("speaker_actor"), item.get("speaker_organisation"), item.get("speaker_description")]
            if not any(speakers):
                self.problems.append(f"{where}: no speaker (person, organisation or description)")
            records.append(
                (
                    "quote",
                    {
                        "slug": item["slug"],
                        "text": words or "",
                        "passage": [passage] if passage else None,
                        "speaker_actor": self.ref(where, "actors", item.get("speaker_actor")),
                        "speaker_organisation": self.ref(where, "organisations", item.get("speaker_organisation")),
                        "speaker_description": item.get("speaker_description") or "",
                        "source": self.ref(where, "sources", item.get("source")),
                        "event": self.ref(where, "events", item.get("event")),
                        "notes": item.get("notes") or "",
                        "attribution_passages": self.evidence(where, item, required=False),
                        **self.date_fields(where, item.get("date")),
                    },
                )
            )

        for (start, end), slug in sorted(self.passages.items()):
            self.emit(
                "passage",
                {
                    "slug": slug,
                    "source": [self.article_slug],
                    "start": start,
                    "end": end,
                    "text": self.c.text[start:end],
                    "note": "",
                },
            )
        links = []
        for model, fields in records:
            if model in EXPLICIT_EVIDENCE_LINKS:
                link_model, record_field = EXPLICIT_EVIDENCE_LINKS[model]
                links += [(link_model, {record_field: [fields["slug"]], "passage": p}) for p in fields.pop("passages")]
            self.emit(model, fields)
        for model, fields in links:
            self.objects.append({"model": f"timeline.{model}", "fields": fields})
        if self.problems:
            raise CurationError(self.problems)
        return self.objects


def render(objects: list[dict]) -> str:
    return json.dumps(objects, ensure_ascii=False, indent=1) + "\n"
