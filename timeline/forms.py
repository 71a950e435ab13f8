"""Forms for the curators' admin.

Two rules live here:

- Nobody types a passage's offsets. A curator picks a source and pastes the
  words; :func:`timeline.services.passage_locate` finds them, and when they occur
  more than once the form lists each occurrence in context for the curator to
  choose from.
- A second save never silently overwrites the first. Change forms carry the
  ``updated_at`` value the record had when the curator opened it; if the row has
  been saved since, the form refuses with the name of whoever saved it.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.utils import timezone
from django.utils.functional import cached_property

from timeline.models import Passage, Source
from timeline.services import Span, passage_get_or_create, passage_locate, passage_occurrences

LOCK_FIELD = "loaded_updated_at"
CONTEXT_CHARS = 50


def _lock_token(value) -> str:
    return value.isoformat() if value else ""


def _when(value) -> str:
    local = timezone.localtime(value)
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()}"


class ConflictGuardForm(forms.ModelForm):
    """A model form that refuses to overwrite a save made after it was loaded."""

    loaded_updated_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            # Read the row rather than the instance: a revert form is built from an
            # old version, but what the curator overwrites is the current row.
            self.initial[LOCK_FIELD] = _lock_token(self._current_updated_at(lock=False))

    def _current_updated_at(self, *, lock: bool):
        model = type(self.instance)
        rows = model._default_manager.filter(pk=self.instance.pk)
        if lock and transaction.get_connection(router.db_for_write(model)).in_atomic_block:
            # Held until the admin's transaction commits, so check and save are one step.
            rows = rows.select_for_update()
        return rows.values_list("updated_at", flat=True).first()

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None:
            self._check_not_saved_meanwhile(cleaned_data.get(LOCK_FIELD) or "")
        return cleaned_data

    def _check_not_saved_meanwhile(self, loaded: str) -> None:
        current = self._current_updated_at(lock=True)
        if current is None:
            raise ValidationError(
                "This %(name)s has been deleted since you opened it. Nothing was saved.",
                code="deleted",
                params={"name": self.instance._meta.verbose_name},
            )
        if loaded == _lock_token(current):
            return
        if not loaded:
            raise ValidationError(
                "This form is missing the version it was opened with. Nothing was saved: reload the page.",
                code="no_version",
            )
        opts = self.instance._meta
        history = getattr(type(self.instance), opts.simple_history_manager_attribute)
        latest = (
            history.filter(**{opts.pk.attname: self.instance.pk})
            .select_related("history_user")
            .order_by("-history_date", "-history_id")
            .first()
        )
        who = latest.history_user.get_username() if latest and latest.history_user else "someone"
        raise ValidationError(
            "Someone else saved this %(name)s after you opened it: %(who)s at %(when)s. Nothing was saved. "
            "Reload the page to see their changes, then make yours again.",
            code="conflict",
            params={"name": self.instance._meta.verbose_name, "who": who, "when": _when(current)},
        )


# Autocomplete widgets: safe on a bad POST, one query per field for a whole formset ------


def is_key(field, value) -> bool:
    """Whether ``value`` can be a value of the key ``field``: of its type, and in its column's range."""
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


class SelectedOptionsMixin:
    """How Django's autocomplete widgets render the options already chosen, with two changes.

    - A submitted value that is not even a valid key (``place=abc`` in a forged POST, or a number
      beyond the column's range) raised an error, a 500, instead of showing the form's "Select a
      valid choice" error. Such values are skipped.
    - Each widget looked up its own chosen objects: one query per field per inline row, 66 queries
      for the change page of a person with ten quotations. When :class:`SelectedObjectsFormSet` has
      read every row's chosen objects at once, ``known`` holds them (by key, in the field's order)
      and the widget reads them there.
    """

    known: dict[str, object] | None = None

    def key_field(self):
        remote = self.field.remote_field
        return remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)

    def chosen_keys(self, value) -> list[str]:
        """The values that can be keys, as strings, without the empty ones.

        A key must also be in the column's range: SQLite cannot even compare a larger integer
        (``OverflowError``, a 500), where PostgreSQL finds no such row.
        """
        key, empty = self.key_field(), self.choices.field.empty_values
        return [str(item) for item in value if item is not None and str(item) not in empty and is_key(key, item)]

    def objects_with(self, keys) -> dict[str, object]:
        """The field's objects with these keys, by key, in the field's order: one query (none for no keys)."""
        if not keys:
            return {}
        attname = self.key_field().attname
        found = self.choices.queryset.using(self.db).filter(**{f"{attname}__in": keys})
        return {str(getattr(obj, attname)): obj for obj in found}

    def chosen_objects(self, keys: list[str]):
        wanted = set(keys)
        known = self.known if self.known is not None and wanted <= self.known.keys() else self.objects_with(wanted)
        return [obj for found, obj in known.items() if found in wanted]

    def optgroups(self, name, value, attr=None):
        keys = self.chosen_keys(value)
        options = []
        if not self.is_required and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", False, 0))
        attname, label = self.key_field().attname, self.choices.field.label_from_instance
        for obj in self.chosen_objects(keys):
            options.append(self.create_option(name, getattr(obj, attname), label(obj), True, len(options)))
        return [(None, options, 0)]


class SafeAutocompleteSelect(SelectedOptionsMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(SelectedOptionsMixin, AutocompleteSelectMultiple):
    pass


def autocomplete_widget(field) -> SelectedOptionsMixin | None:
    widget = field.widget
    widget = getattr(widget, "widget", widget)  # inside the admin's RelatedFieldWidgetWrapper
    return widget if isinstance(widget, SelectedOptionsMixin) else None


class SelectedObjectsFormSet(forms.BaseInlineFormSet):
    """Inline rows whose autocomplete fields show their chosen objects from one query per field.

    The inline's queryset should prefetch its many-to-many fields (their values are read when each
    row's form is made).
    """

    @cached_property
    def forms(self):
        forms = super().forms
        names = {name for form in forms for name, field in form.fields.items() if autocomplete_widget(field)}
        for name in names:
            rows = [(form[name], autocomplete_widget(form.fields[name])) for form in forms if name in form.fields]
            keys = {key for bound, widget in rows for key in widget.chosen_keys(_values(bound))}
            known = rows[0][1].objects_with(keys)
            for _, widget in rows:
                widget.known = known
        return forms


def _values(bound_field) -> list:
    value = bound_field.value()
    return list(value) if isinstance(value, (list, tuple)) else [value]


SAFE_WIDGETS = {AutocompleteSelect: SafeAutocompleteSelect, AutocompleteSelectMultiple: SafeAutocompleteSelectMultiple}


class KeysInRangeMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses a key beyond the column's range as a value that cannot be a key ("“x” is not a valid
    value"), as it refuses ``x``: Django's field looked the number up (on SQLite, before
    :mod:`timeline.lookups`, an ``OverflowError``: a 500)."""

    def _check_values(self, value):
        key = self.queryset.model._meta.get_field(self.to_field_name or self.queryset.model._meta.pk.name)
        for item in value:
            if not is_key(key, item):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                )
        return super()._check_values(value)


class SafeAutocompleteAdminMixin:
    """For model admins and inlines: their autocomplete fields use the widgets and the field above,
    and read what the chosen objects' labels show with them (a passage's label names its source)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        inner = getattr(widget, "widget", widget)  # inside the admin's RelatedFieldWidgetWrapper
        if type(inner) in SAFE_WIDGETS:
            inner.__class__ = SAFE_WIDGETS[type(inner)]
            if type(formfield) is forms.ModelMultipleChoiceField:
                formfield.__class__ = KeysInRangeMultipleChoiceField
            if formfield.queryset.model is Passage:
                formfield.queryset = formfield.queryset.select_related("source")
        return formfield


# Passages from pasted words ---------------------------------------------------

WORDS_HELP = "Paste the words exactly as the document has them; the admin finds them and records where they are."
OCCURRENCE_HELP = "Only when the words occur more than once: which occurrence (1 is the first)."


def occurrence_choices(*, text: str, words: str) -> list[tuple[int, str]]:
    """Each occurrence of the words, numbered from 1, with some of the text either side."""
    choices = []
    for number, span in enumerate(passage_occurrences(text=text, words=words), start=1):
        start, end = max(0, span.start - CONTEXT_CHARS), min(len(text), span.end + CONTEXT_CHARS)
        before = ("…" if start else "") + _one_line(text[start : span.start])
        after = _one_line(text[span.end : end]) + ("…" if end < len(text) else "")
        choices.append((number, f"{number}: {before}[{words}]{after} (characters {span.start}–{span.end})"))
    return choices


def _one_line(text: str) -> str:
    return "".join(" " if character.isspace() else character for character in text)


def _occurrence_number(passage: Passage) -> int | None:
    """Which occurrence of its own words a stored passage is, when they repeat."""
    spans = passage_occurrences(text=passage.source.text, words=passage.text)
    if len(spans) < 2:
        return None
    return spans.index(Span(passage.start, passage.end)) + 1


class PassageWordsMixin:
    """Fields ``source``, ``words`` and ``occurrence`` that find a span in a source's text.

    After ``clean()``, ``self.span`` holds the offsets found (or ``None``).
    """

    span: Span | None = None

    def init_from_passage(self, passage: Passage | None) -> None:
        if passage is None:
            return
        self.initial.setdefault("source", passage.source_id)
        self.initial.setdefault("words", passage.text)
        self.initial.setdefault("occurrence", _occurrence_number(passage))

    def locate_words(self, cleaned_data) -> Span | None:
        source, words = cleaned_data.get("source"), cleaned_data.get("words")
        if source is None or not words or "occurrence" in self.errors:
            return None
        try:
            self.span = passage_locate(source=source, words=words, occurrence=cleaned_data.get("occurrence"))
        except ValidationError as exc:
            if exc.code in {"ambiguous", "bad_occurrence"}:
                self._offer_occurrences(source, words)
                self.add_error("occurrence", exc)
            else:
                self.add_error("words", exc)
            return None
        return self.span

    def _offer_occurrences(self, source: Source, words: str) -> None:
        """Let the curator choose among the occurrences, each shown in context."""
        field = self.fields["occurrence"]  # changed in place: the bound field is already built
        field.widget = forms.RadioSelect(choices=occurrence_choices(text=source.text, words=words))
        field.label = "which occurrence"
        field.help_text = "The words occur more than once; choose the one you mean."


def words_field() -> forms.CharField:
    return forms.CharField(label="words", widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), help_text=WORDS_HELP)


def occurrence_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="occurrence",
        min_value=1,
        required=False,
        help_text=OCCURRENCE_HELP,
        widget=forms.NumberInput(attrs={"style": "width: 5em"}),
    )


class PassageAdminForm(PassageWordsMixin, ConflictGuardForm):
    """A passage, given by its source and its words: the offsets are found, never typed."""

    words = words_field()
    occurrence = occurrence_field()

    class Meta:
        model = Passage
        fields = ["source", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.init_from_passage(self.instance if self.instance.pk else None)

    def clean(self):
        cleaned_data = super().clean()
        span = self.locate_words(cleaned_data)
        if span is None:
            return cleaned_data
        source = cleaned_data["source"]
        existing = Passage.objects.filter(source=source, start=span.start, end=span.end).exclude(pk=self.instance.pk)
        if existing.exists():
            self.add_error("words", ValidationError("This passage is already recorded.", code="duplicate"))
            return cleaned_data
        self.instance.start, self.instance.end = span.start, span.end
        self.instance.text = source.text[span.start : span.end]
        return cleaned_data


def source_autocomplete(admin_site=None) -> AutocompleteSelect:
    return SafeAutocompleteSelect(Passage._meta.get_field("source"), admin_site or admin.site)


class CitedPassageForm(PassageWordsMixin, forms.ModelForm):
    """One passage cited by a record (a row of ``<Model>.passages.through``), given by pasted words.

    The passage is found or created by :func:`timeline.services.passage_get_or_create`.
    """

    source = forms.ModelChoiceField(queryset=Source.objects.all(), widget=source_autocomplete())
    words = words_field()
    occurrence = occurrence_field()

    class Meta:
        fields: list[str] = []

    def __init__(self, *args, default_source: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.init_from_passage(self.instance.passage)
        elif "source" not in self.initial and default_source is not None:
            self.initial["source"] = default_source

    def has_changed(self):
        # A preselected source alone is not a passage: an untouched extra row stays empty.
        if self.instance.pk is None and not self.data.get(self.add_prefix("words"), "").strip():
            return False
        return super().has_changed()

    def clean(self):
        cleaned_data = super().clean()
        self.locate_words(cleaned_data)
        return cleaned_data

    @property
    def span_key(self) -> tuple[int, int, int] | None:
        if self.span is None:
            return None
        return (self.cleaned_data["source"].pk, self.span.start, self.span.end)

    def save(self, commit=True):
        self.instance.passage = passage_get_or_create(
            source=self.cleaned_data["source"],
            words=self.cleaned_data["words"],
            occurrence=self.cleaned_data.get("occurrence"),
        )
        return super().save(commit=commit)


class CitedPassageFormSet(SelectedObjectsFormSet):
    """Refuses to cite the same passage twice on one record; new rows offer the only document, if one."""

    @cached_property
    def default_source(self) -> int | None:
        # Most work is on one document: offer it rather than make every row search for it.
        sources = list(Source.objects.exclude(text="").values_list("pk", flat=True)[:2])
        return sources[0] if len(sources) == 1 else None

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "default_source": self.default_source}

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue
            key = form.span_key
            if key is None:
                continue
            if key in seen:
                form.add_error("words", ValidationError("This passage is already cited here.", code="duplicate"))
            seen.add(key)
