"""Loading fixtures in bulk: what ``manage.py loaddata`` does for the timeline's records, in few queries.

Django's ``loaddata`` saves one object at a time. For each it looks up the
record's own natural key (does it exist already?) and every natural foreign key
with a query, builds the natural key of the record again (which reads its
related records, for participations and links), inserts the row and sends
``pre_save`` and ``post_save``, then calls ``set()`` on each many-to-many field
(a query for the links it has, a query for the ones to add, an insert, and
``m2m_changed`` four times). The real fixtures took about 4,100 queries.

:class:`Loader` gives the same rows with a few queries per model:

- The natural keys a run of records of one model refers to, and their own
  keys, are looked up with one query per model (:class:`Keys`), and remembered
  for the whole load; rows it inserts are remembered too.
- New records are inserted raw (the values the fixture gives, no ``save()``),
  many rows per ``INSERT``, in fixture order, so primary keys come out as with
  one ``INSERT`` per record. A record that exists already (found by its natural
  key, or given a primary key) is saved raw on its own, as Django does: an
  ``UPDATE``, or an ``INSERT`` when no row has that primary key.
- Many-to-many links are written straight into the through tables, in bulk,
  with the result of ``set()``: the links the fixture lists, no others.
- No signal is sent per record or link. Of the receivers in this project the
  response cache is bumped once by the command, and simple-history writes
  nothing for raw saves anyway, but its many-to-many history does not look at
  ``raw``: a loader calling ``set()`` would write history rows.

Unchanged from Django: objects are handled in the order of the fixture; a
reference to a record that comes later (a forward reference) is saved without
that field and finished at the end of the load, raw, as Django's
``save_deferred_fields`` does; a record whose natural key or primary key exists
is updated, never duplicated; ``--exclude``, ``--ignorenonexistent`` and
database routers apply. Only the models listed in :data:`NATURAL_KEYS` take this
path; any other object (another app's, a historical record) is handed back to
Django's own per-object code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.serializers import base
from django.db import DatabaseError, IntegrityError, connections, models

# The fields of each model's natural key, in the order of its ``natural_key()`` and its manager's
# ``get_by_natural_key()``. A foreign key stands for the related record's one-part natural key
# (``Participation.natural_key()`` gives the event's slug). tests/timeline/test_loading.py checks
# that this agrees with the models.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "timeline.source": ("slug",),
    "timeline.passage": ("slug",),
    "timeline.place": ("slug",),
    "timeline.period": ("slug",),
    "timeline.organisation": ("slug",),
    "timeline.actor": ("slug",),
    "timeline.event": ("slug",),
    "timeline.quote": ("slug",),
    "timeline.membership": ("actor", "organisation", "role"),
    "timeline.participation": ("event", "actor", "organisation", "role"),
    "timeline.eventrelation": ("from_event", "to_event", "relation"),
    "timeline.citation": ("source", "passage"),
    "timeline.placepassage": ("place", "passage"),
    "timeline.organisationpassage": ("organisation", "passage"),
}

# Values per query when looking keys up (SQLite allows 999 parameters).
CHUNK = 500


def is_natural_key(value) -> bool:
    """How Django's deserializer tells a natural key (a list) from a primary key."""
    return hasattr(value, "__iter__") and not isinstance(value, str)


def chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def handles(model) -> bool:
    """Whether :class:`Loader` loads this model's records (others go through Django's code)."""
    opts = model._meta
    return (
        opts.label_lower in NATURAL_KEYS
        and not opts.proxy
        and not opts.parents
        and opts.order_with_respect_to is None
        and hasattr(model._default_manager, "get_by_natural_key")
    )


class Keys:
    """Natural key → primary key, per model, looked up in bulk and remembered for one load.

    A key is held in the model's own columns: ``(slug,)``, or for a participation
    ``(event_id, actor_id, organisation_id, role)``. Records never change their
    primary key while loading, and every record this load writes is added, so
    what is remembered, found or absent, stays true until the load ends.
    """

    def __init__(self, using: str):
        self.using = using
        self.found: dict[type, dict[tuple, Any]] = defaultdict(dict)
        self.absent: dict[type, set[tuple]] = defaultdict(set)
        self._fields: dict[type, list] = {}
        self.queries = 0

    def fields(self, model) -> list:
        if model not in self._fields:
            self._fields[model] = [model._meta.get_field(name) for name in NATURAL_KEYS[model._meta.label_lower]]
        return self._fields[model]

    def columns(self, model, natural_key) -> tuple | None:
        """A natural key as written in a fixture, in the model's columns; None when a part is unknown."""
        fields = self.fields(model)
        natural_key = tuple(natural_key)
        if len(natural_key) != len(fields):
            return None
        columns = []
        for key_field, value in zip(fields, natural_key, strict=True):
            if value is None:
                columns.append(None)
            elif key_field.is_relation:
                pk = self.pk(key_field.related_model, (value,))
                if pk is None:
                    return None
                columns.append(pk)
            else:
                columns.append(key_field.to_python(value))
        return tuple(columns)

    def columns_of(self, instance) -> tuple:
        return tuple(getattr(instance, key_field.attname) for key_field in self.fields(type(instance)))

    def pk(self, model, natural_key):
        """The primary key of the record with this natural key, or None if there is none (yet)."""
        columns = self.columns(model, natural_key)
        return None if columns is None else self.pk_of_columns(model, columns)

    def pk_of_columns(self, model, columns: tuple):
        found = self.found[model]
        if columns not in found and columns not in self.absent[model]:
            self.fetch(model, [columns])
        return found.get(columns)

    def prefetch(self, model, natural_keys: Iterable) -> None:
        """Look up many natural keys of one model at once (and first, the records they name)."""
        fields = self.fields(model)
        keys = {tuple(key) for key in natural_keys if len(tuple(key)) == len(fields)}
        for position, key_field in enumerate(fields):
            if key_field.is_relation:
                self.prefetch(key_field.related_model, {(key[position],) for key in keys if key[position] is not None})
        self.fetch(model, {columns for key in keys if (columns := self.columns(model, key)) is not None})

    def fetch(self, model, wanted: Iterable[tuple]) -> None:
        found, absent = self.found[model], self.absent[model]
        wanted = [columns for columns in set(wanted) if columns not in found and columns not in absent]
        if not wanted:
            return
        names = [key_field.attname for key_field in self.fields(model)]
        firsts = sorted({columns[0] for columns in wanted if columns[0] is not None}, key=str)
        queryset = model._default_manager.db_manager(self.using).all()
        conditions = [models.Q(**{f"{names[0]}__in": part}) for part in chunks(firsts)]
        if any(columns[0] is None for columns in wanted):
            conditions.append(models.Q(**{f"{names[0]}__isnull": True}))
        for condition in conditions:
            self.queries += 1
            for pk, *values in queryset.filter(condition).values_list("pk", *names):
                columns = tuple(values)
                if found.get(columns, pk) != pk:
                    raise model.MultipleObjectsReturned(
                        f"More than one {model._meta.object_name} has the natural key {columns!r}."
                    )
                found[columns] = pk
        absent.update(columns for columns in wanted if columns not in found)

    def record(self, instance) -> None:
        model = type(instance)
        columns = self.columns_of(instance)
        self.found[model][columns] = instance.pk
        self.absent[model].discard(columns)


@dataclass
class Built:
    """One fixture object turned into an unsaved instance, as Django's deserializer does."""

    loader: Loader
    raw: dict
    instance: models.Model
    data: dict
    m2m: dict = field(default_factory=dict)  # field -> target primary keys
    deferred: dict = field(default_factory=dict)  # field -> value as written (a forward reference)
    key: tuple | None = None  # its natural key in its columns; None while a part is a forward reference
    existed: bool = False  # had a primary key before it was written (its row may hold links)

    def save_deferred_fields(self, using=None) -> None:
        """Finish the forward references, as Django's ``DeserializedObject.save_deferred_fields`` does, raw."""
        instance, opts = self.instance, self.instance._meta
        m2m = {}
        for deferred_field, value in self.deferred.items():
            if deferred_field.many_to_many:
                try:
                    m2m[deferred_field] = base.deserialize_m2m_values(deferred_field, value, using, False)
                except base.M2MDeserializationError as e:
                    raise base.DeserializationError.WithData(e.original_exc, opts.label_lower, instance.pk, e.pk) from e
            else:
                try:
                    resolved = base.deserialize_fk_value(deferred_field, value, using, False)
                except Exception as e:
                    raise base.DeserializationError.WithData(e, opts.label_lower, instance.pk, value) from e
                setattr(instance, deferred_field.attname, resolved)
        instance._save_table(raw=True, cls=type(instance), using=using)
        for m2m_field, targets in m2m.items():
            self.loader.write_links(m2m_field, [(instance.pk, targets)], existing=True)


class Loader:
    """Loads fixture objects (the Python form: ``{"model", "pk", "fields"}``) in batches.

    ``allowed(model)`` says whether a model's records are saved (``--exclude``,
    routers); ``fallback(obj)`` saves an object of a model not in
    :data:`NATURAL_KEYS` the way Django does and says whether it was saved;
    ``defer(built)`` receives each object left with forward references, whose
    ``save_deferred_fields()`` must be called once everything is loaded.
    """

    def __init__(
        self,
        using: str,
        *,
        ignorenonexistent: bool = False,
        allowed: Callable[[type], bool] = lambda model: True,
        fallback: Callable[[dict], bool],
        defer: Callable[[Built], None],
    ):
        self.using = using
        self.ignorenonexistent = ignorenonexistent
        self.allowed = allowed
        self.fallback = fallback
        self.defer = defer
        self.keys = Keys(using)
        self.models: set[type] = set()
        self.batch: list[Built] = []
        self.batch_keys: set[tuple] = set()
        self._field_names: dict[type, set[str]] = {}

    # Reading ----------------------------------------------------------------

    def model_of(self, obj: dict):
        try:
            return apps.get_model(obj["model"])
        except (LookupError, TypeError):
            if self.ignorenonexistent:
                return None
            raise base.DeserializationError(f"Invalid model identifier: {obj['model']}") from None

    def field_names(self, model) -> set[str]:
        if model not in self._field_names:
            self._field_names[model] = {f.name for f in model._meta.get_fields()}
        return self._field_names[model]

    def load(self, objects: list[dict]) -> tuple[int, int]:
        """Load the objects of one fixture; returns (objects read, objects saved)."""
        read = saved = 0
        position = 0
        while position < len(objects):
            model = self.model_of(objects[position])
            if model is None:  # an unknown model, with --ignorenonexistent
                position += 1
                continue
            if not handles(model):
                self.flush()
                read += 1
                saved += bool(self.fallback(objects[position]))
                position += 1
                continue
            end = position + 1
            while end < len(objects) and objects[end].get("model") == objects[position].get("model"):
                end += 1
            run = objects[position:end]
            read += len(run)
            if self.allowed(model):
                self.load_run(model, run)
                saved += len(run)
            position = end
        self.flush()
        return read, saved

    def load_run(self, model, run: list[dict]) -> None:
        """Consecutive objects of one model."""
        self.models.add(model)
        self.prefetch(model, run)
        built = [self.build(model, obj) for obj in run]
        self.keys.fetch(model, [b.key for b in built if b.instance.pk is None and b.key is not None])
        for item in built:
            if any(f.related_model is model for f in item.deferred):
                # It names a record of its own model that was not written when it was built. If that
                # record is in the batch, write the batch; then look again.
                if self.names_pending(model, item):
                    self.flush()
                item = self.build(model, item.raw)
            if item.instance.pk is None:
                if item.key is None:
                    # A part of its natural key is a forward reference: Django's own way (which fails).
                    item.instance = base.build_instance(model, item.data, self.using)
                else:
                    if item.key in self.batch_keys:  # the same record twice: the second updates the first
                        self.flush()
                    item.instance.pk = self.keys.pk_of_columns(model, item.key)
                    if item.instance.pk is None:
                        self.batch_keys.add(item.key)
            item.existed = item.instance.pk is not None
            self.batch.append(item)
            if item.deferred:
                self.defer(item)
        self.flush()

    def names_pending(self, model, item: Built) -> bool:
        """Whether a forward reference of ``item`` may be to a record of the batch (not written yet)."""
        if not self.batch_keys:
            return False
        for deferred_field, value in item.deferred.items():
            if deferred_field.related_model is not model:
                continue
            keys = value if deferred_field.many_to_many else [value]
            for key in keys:
                if not is_natural_key(key):
                    continue
                columns = self.keys.columns(model, key)
                if columns is None or columns in self.batch_keys:
                    return True
        return False

    def prefetch(self, model, run: list[dict]) -> None:
        """Look up every natural key the run names, one query per model."""
        wanted: dict[type, set] = defaultdict(set)
        fields = {f.name: f for f in model._meta.get_fields() if f.is_relation and not f.auto_created}
        for obj in run:
            for name, value in (obj.get("fields") or {}).items():
                relation = fields.get(name)
                if relation is None or relation.related_model is None or not handles(relation.related_model):
                    continue
                if relation.many_to_many:
                    if is_natural_key(value):
                        wanted[relation.related_model].update(tuple(v) for v in value if is_natural_key(v))
                elif value is not None and is_natural_key(value):
                    wanted[relation.related_model].add(tuple(value))
        for related, keys in wanted.items():
            self.keys.prefetch(related, keys)

    def build(self, model, obj: dict) -> Built:
        """An instance from a fixture object, as Django's Python deserializer builds it."""
        opts = model._meta
        data: dict = {}
        m2m: dict = {}
        deferred: dict = {}
        label = obj["model"]
        if "pk" in obj:
            try:
                data[opts.pk.attname] = opts.pk.to_python(obj.get("pk"))
            except Exception as e:
                raise base.DeserializationError.WithData(e, label, obj.get("pk"), None) from e
        for name, value in obj["fields"].items():
            if self.ignorenonexistent and name not in self.field_names(model):
                continue
            model_field = opts.get_field(name)
            if model_field.remote_field and isinstance(model_field.remote_field, models.ManyToManyRel):
                try:
                    targets = self.m2m_values(model_field, value)
                except base.M2MDeserializationError as e:
                    raise base.DeserializationError.WithData(e.original_exc, label, obj.get("pk"), e.pk) from e
                if targets is base.DEFER_FIELD:
                    deferred[model_field] = value
                else:
                    m2m[model_field] = targets
            elif model_field.remote_field and isinstance(model_field.remote_field, models.ManyToOneRel):
                try:
                    resolved = self.fk_value(model_field, value)
                except Exception as e:
                    raise base.DeserializationError.WithData(e, label, obj.get("pk"), value) from e
                if resolved is base.DEFER_FIELD:
                    deferred[model_field] = value
                else:
                    data[model_field.attname] = resolved
            else:
                try:
                    data[model_field.name] = model_field.to_python(value)
                except Exception as e:
                    raise base.DeserializationError.WithData(e, label, obj.get("pk"), value) from e
        instance = model(**data)
        key = None if any(f in deferred for f in self.keys.fields(model)) else self.keys.columns_of(instance)
        return Built(self, obj, instance, data, m2m, deferred, key)

    def fk_value(self, fk, value):
        """``django.core.serializers.base.deserialize_fk_value``, with the keys looked up in bulk."""
        related = fk.remote_field.model
        if (
            value is None
            or not is_natural_key(value)
            or not handles(related)
            or fk.remote_field.field_name != related._meta.pk.name
        ):
            return base.deserialize_fk_value(fk, value, self.using, True)
        pk = self.keys.pk(related, value)
        return base.DEFER_FIELD if pk is None else pk

    def m2m_values(self, m2m_field, value):
        """``django.core.serializers.base.deserialize_m2m_values``, with the keys looked up in bulk."""
        related = m2m_field.remote_field.model
        if not handles(related):
            return base.deserialize_m2m_values(m2m_field, value, self.using, True)
        try:
            items = iter(value)
        except TypeError as e:
            raise base.M2MDeserializationError(e, value) from e
        targets = []
        for item in items:
            if is_natural_key(item):
                pk = self.keys.pk(related, item)
                if pk is None:
                    return base.DEFER_FIELD
            else:
                try:
                    pk = related._meta.pk.to_python(item)
                except Exception as e:
                    raise base.M2MDeserializationError(e, item) from e
            targets.append(pk)
        return targets

    # Writing ----------------------------------------------------------------

    def flush(self) -> None:
        """Write the batch: new records in bulk, existing ones one by one, in order; then their links."""
        batch, self.batch = self.batch, []
        self.batch_keys = set()
        if not batch:
            return
        model = type(batch[0].instance)
        new: list[Built] = []
        try:
            for item in batch:
                if item.instance.pk is None:
                    new.append(item)
                    continue
                self.insert(model, new)
                new = []
                item.instance._save_table(raw=True, cls=model, using=self.using)
                self.keys.record(item.instance)
            self.insert(model, new)
        except (DatabaseError, IntegrityError, ValueError) as e:
            first = batch[0].raw.get("pk", batch[0].key)
            e.args = (f"Could not load {model._meta.label} (one of {len(batch)} objects from {first!r} on): {e}",)
            raise
        links: dict = defaultdict(lambda: ([], []))
        for item in batch:
            for m2m_field, targets in item.m2m.items():
                links[m2m_field][item.existed].append((item.instance.pk, targets))
        for m2m_field, (new_links, existing_links) in links.items():
            self.write_links(m2m_field, new_links, existing=False)
            self.write_links(m2m_field, existing_links, existing=True)

    def insert(self, model, items: list[Built]) -> None:
        """Insert new records raw, many to an ``INSERT``, as ``Model.save_base(raw=True)`` inserts one."""
        if not items:
            return
        opts = model._meta
        connection = connections[self.using]
        objs = [item.instance for item in items]
        if not connection.features.can_return_rows_from_bulk_insert:
            for obj in objs:
                obj._save_table(raw=True, cls=model, using=self.using)
        else:
            fields = [f for f in opts.local_concrete_fields if not f.generated and f is not opts.auto_field]
            returning = opts.db_returning_fields
            size = max(connection.ops.bulk_batch_size(fields, objs), 1)
            for part in chunks(objs, size):
                rows = model._base_manager._insert(
                    part, fields=fields, returning_fields=returning, using=self.using, raw=True
                )
                for obj, row in zip(part, rows, strict=True):
                    for value, returned in zip(row, returning, strict=True):
                        setattr(obj, returned.attname, value)
        for obj in objs:
            obj._state.adding = False
            obj._state.db = self.using
            self.keys.record(obj)

    def write_links(self, m2m_field, links: list[tuple[Any, list]], *, existing: bool) -> None:
        """Make each record's links those listed, as ``set()`` would, without its signals.

        ``links`` holds (record's primary key, target primary keys). Records that
        existed before may have links: those not listed are removed, and only
        the missing ones are added. Rows are added in the order ``set()`` adds
        them, so the through table's own ids match.
        """
        if not links:
            return
        through = m2m_field.remote_field.through
        source = through._meta.get_field(m2m_field.m2m_field_name())
        target = through._meta.get_field(m2m_field.m2m_reverse_field_name())
        rows = through._base_manager.db_manager(self.using)
        current: dict[Any, list] = defaultdict(list)
        if existing:
            for part in chunks([pk for pk, _ in links]):
                for pk, target_pk in rows.filter(**{f"{source.attname}__in": part}).values_list(
                    source.attname, target.attname
                ):
                    current[pk].append(target_pk)
        removed = models.Q()
        added = []
        for pk, targets in links:
            wanted = set()
            for target_pk in targets:
                wanted.add(target.get_prep_value(target_pk))
            stale = set(current[pk]) - wanted
            if stale:
                removed |= models.Q(**{source.attname: pk, f"{target.attname}__in": sorted(stale)})
            added.extend(through(**{source.attname: pk, target.attname: t}) for t in wanted.difference(current[pk]))
        if removed:
            rows.filter(removed)._raw_delete(self.using)
        if added:
            rows.bulk_create(added)
