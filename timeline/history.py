"""Revision history of records together with the passages they cite.

django-simple-history keeps a version of a record on every save. With
``m2m_fields`` it also keeps, in each version, the passages the record cited
at that moment, so a curator can see when a passage was attached or removed,
by whom, and revert it.

Two things are added here to make that hold for the way records are edited:

- One version per record per edit. A save in the admin or the API writes the
  record, then its links (``set()`` sends one signal to remove and one to add),
  then the admin's passage rows (which send no many-to-many signal at all).
  Inside :func:`one_version_per_record`, the version the save wrote takes the
  links as they are at the end of the edit, instead of one version per step
  and none for the rows.
- Versions kept before links were recorded (``links_recorded`` false) say
  nothing about links: reverting to one leaves the current links alone, and
  the history page does not show a difference in links against one.

Loading fixtures writes no history: the project's loader (:mod:`timeline.loading`)
sends no signals, and for what Django's deserializer loads, simple-history skips
raw saves and the links then set on a raw-saved object are not versions either.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import pairwise

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete, pre_delete
from django.db.models.utils import make_model_tuple
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record, pre_create_historical_record

# (model label, primary key) -> (records, [versions written]) for the edit in progress; None outside one.
_versions: ContextVar[dict | None] = ContextVar("timeline_history_versions", default=None)


class LinkedVersion(models.Model):
    """What every historical model of a record with passages adds."""

    links_recorded = models.BooleanField(
        default=False,
        help_text="Whether this version recorded the record's passage links "
        "(versions kept before links were tracked, or written in bulk, did not).",
    )

    class Meta:
        abstract = True


def enabled() -> bool:
    return getattr(settings, "SIMPLE_HISTORY_ENABLED", True)


@contextmanager
def one_version_per_record() -> Iterator[None]:
    """Each record saved inside the block gets one version, with its links as they are at the end.

    Use it inside the edit's transaction: the versions' links are rewritten
    when the block ends without an exception.
    """
    if _versions.get() is not None:  # already inside one: the outer block finishes the versions
        yield
        return
    versions: dict = {}
    token = _versions.set(versions)
    try:
        yield
    finally:
        _versions.reset(token)
    for records, written in versions.values():
        for version in written:
            records.record_links(version)


class EvidenceHistoricalRecords(HistoricalRecords):
    """simple-history's records, with the record's passage links in each version."""

    def __init__(self, *args, m2m_fields=("passages",), **kwargs):
        super().__init__(*args, m2m_fields=list(m2m_fields), bases=[LinkedVersion], **kwargs)

    def finalize(self, sender, **kwargs):
        if sender is not self.cls:
            return
        # A link model declared after the record (sources, places and organisations) is
        # still a name here; simple-history needs the class, so wait until it exists.
        fields = [f for f in self.get_m2m_fields_from_model(sender) if isinstance(f.remote_field.through, str)]

        def resolved(*through_models):
            for field, through in zip(fields, through_models, strict=True):
                field.remote_field.through = through  # what Django's own pending operation does
            self._finalize(sender, **kwargs)

        pending = [make_model_tuple(field.remote_field.through) for field in fields]
        sender._meta.apps.lazy_model_operation(resolved, *pending)

    def _finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        sender._meta.history_records = self
        history_model = getattr(sender, self.manager_name).model
        pre_create_historical_record.connect(self._version_writing, sender=history_model, weak=False)
        post_create_historical_record.connect(self._version_written, sender=history_model, weak=False)

    def _version_writing(self, history_instance, **kwargs):
        # Only versions written one by one record their links (now, or when the edit ends);
        # simple-history's bulk paths (populate_history, bulk_create_with_history) do not.
        history_instance.links_recorded = True

    def _version_written(self, instance, history_instance, **kwargs):
        versions = _versions.get()
        if versions is not None:
            versions.setdefault((instance._meta.label, instance.pk), (self, []))[1].append(history_instance)

    def post_save(self, instance, created, using=None, **kwargs):
        if kwargs.get("raw"):
            # Loaded from a fixture: the deserializer sets the links next, on this same object.
            instance._history_loaded = True
        if enabled():
            super().post_save(instance, created, using=using, **kwargs)

    def post_delete(self, instance, using=None, **kwargs):
        if enabled():
            super().post_delete(instance, using=using, **kwargs)

    def create_historical_record_m2ms(self, history_instance, instance):
        if _versions.get() is None:  # inside an edit, the links are recorded when it ends
            super().create_historical_record_m2ms(history_instance, instance)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, model=None, **kwargs):
        if not enabled() or getattr(instance, "_history_loaded", False):
            return
        if reverse:
            # passage.events.add(event): the records are on the other side.
            if action in ("post_add", "post_remove") and pk_set:
                for record in self.cls._default_manager.filter(pk__in=pk_set):
                    self.links_changed(record)
            elif action == "pre_clear":
                field = self.cls._meta.get_field(attr)
                through = field.remote_field.through
                pks = through._default_manager.filter(**{field.m2m_reverse_field_name(): instance}).values_list(
                    field.m2m_field_name(), flat=True
                )
                instance._history_cleared = list(pks)
            elif action == "post_clear":
                for record in self.cls._default_manager.filter(pk__in=getattr(instance, "_history_cleared", [])):
                    self.links_changed(record)
            return
        if action in ("post_add", "post_remove", "post_clear"):
            self.links_changed(instance)

    def links_changed(self, record) -> None:
        """A record's links changed: a new version, unless the edit in progress already wrote one."""
        if hasattr(record, "skip_history_when_saving"):
            return
        versions = _versions.get()
        if versions is not None and (record._meta.label, record.pk) in versions:
            return
        self.create_historical_record(record, "~")

    def record_links(self, version) -> None:
        """Make ``version`` hold the links its record has now."""
        if version.history_type == "-":  # the record and its links are gone
            return
        for field in version._history_m2m_fields:
            getattr(version, field.name).all().delete()
        HistoricalRecords.create_historical_record_m2ms(self, version, version.instance)


def link_fields(model) -> list[str]:
    """The names of the many-to-many fields whose links ``model``'s versions record."""
    manager = getattr(model._meta, "simple_history_manager_attribute", None)
    if manager is None:
        return []
    return [field.name for field in getattr(getattr(model, manager).model, "_history_m2m_fields", [])]


def _link_model(model, name):
    """The historical many-to-many model keeping field ``name``'s links, and the column naming the passage."""
    history_model = getattr(model, model._meta.simple_history_manager_attribute).model
    field = model._meta.get_field(name)
    return getattr(history_model, name).model, f"{field.m2m_reverse_field_name()}_id"


def version_links(version) -> dict[str, list[int]]:
    """The passage ids each many-to-many field held in ``version``."""
    model = version.instance_type
    links = {}
    for name in link_fields(model):
        link_model, column = _link_model(model, name)
        links[name] = sorted(link_model.objects.filter(history=version).values_list(column, flat=True))
    return links


def existing_version_links(version) -> dict[str, list[int]]:
    """:func:`version_links` without the passages deleted since (they cannot be cited again)."""
    from timeline.models import Passage

    links = version_links(version)
    existing = set(
        Passage.objects.filter(pk__in={pk for ids in links.values() for pk in ids}).values_list("pk", flat=True)
    )
    return {name: [pk for pk in ids if pk in existing] for name, ids in links.items()}


def restore_links(record, version, only=None) -> None:
    """Give ``record`` the links ``version`` held (only the fields named in ``only``, if given).

    Passages deleted since cannot be cited again and are left out.
    """
    if not getattr(version, "links_recorded", False):
        return
    for name, ids in existing_version_links(version).items():
        if only is None or name in only:
            getattr(record, name).set(ids)


def _labels(ids, deleted="passage #{pk}, deleted since") -> dict[int, str]:
    """Each passage's label; a passage deleted since is named by its id."""
    from timeline.models import Passage

    labels = {passage.pk: str(passage) for passage in Passage.objects.filter(pk__in=ids).select_related("source")}
    return {pk: labels.get(pk, deleted.format(pk=pk)) for pk in ids}


def link_labels(version, names) -> list[tuple[str, list[str]]]:
    """For a revert page: each named field's verbose name and the passages ``version`` cited."""
    if not getattr(version, "links_recorded", False) or not names:
        return []
    links = version_links(version)
    labels = _labels(
        {pk for name in names for pk in links[name]}, deleted="passage #{pk}, deleted since: it cannot be restored"
    )
    model = version.instance_type
    return [(model._meta.get_field(name).verbose_name, [labels[pk] for pk in links[name]]) for name in names]


def link_changes(model, records) -> dict:
    """For a history page: the passages added and removed by each version, against the one before it.

    ``records`` are versions of one record, newest first. A version is compared
    only with an older one that recorded its links too. Two queries per field,
    whatever the number of versions.
    """
    records = list(records)
    changes: dict = {}
    for name in link_fields(model):
        link_model, column = _link_model(model, name)
        held: dict[int, set[int]] = {record.pk: set() for record in records}
        for version_id, passage_id in link_model.objects.filter(history__in=records).values_list("history", column):
            held[version_id].add(passage_id)
        pairs = [
            (newer, held[newer.pk] - held[older.pk], held[older.pk] - held[newer.pk])
            for newer, older in pairwise(records)
            if newer.links_recorded and older.links_recorded and held[newer.pk] != held[older.pk]
        ]
        labels = _labels({pk for _, added, removed in pairs for pk in added | removed})
        verbose_name = model._meta.get_field(name).verbose_name
        for newer, added, removed in pairs:
            changes.setdefault(newer, []).append(
                {
                    "field": verbose_name,
                    "added": sorted(labels[pk] for pk in added),
                    "removed": sorted(labels[pk] for pk in removed),
                }
            )
    return changes


@receiver(pre_delete, sender="timeline.Passage")
def _passage_deleting(sender, instance, **kwargs):
    """Note the records citing a passage about to be deleted: its links go with it, silently."""
    if not enabled():
        return
    citing = []
    for model in sender._meta.apps.get_app_config("timeline").get_models():
        for name in link_fields(model):
            field = model._meta.get_field(name)
            through = field.remote_field.through
            ids = through._default_manager.filter(**{field.m2m_reverse_field_name(): instance}).values_list(
                field.m2m_field_name(), flat=True
            )
            citing += [(model, name, pk) for pk in ids]
    instance._history_citing = citing


@receiver(post_delete, sender="timeline.Passage")
def _passage_deleted(sender, instance, **kwargs):
    """Each record that cited the deleted passage gets a version without it."""
    for model, _name, pk in getattr(instance, "_history_citing", []):
        record = model._default_manager.filter(pk=pk).first()
        if record is not None:
            records = model._meta.history_records
            records.links_changed(record)
