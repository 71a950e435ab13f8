"""The Django admin: where curators correct and extend the timeline.

- Dates are typed as EDTF; the form shows what they mean (earliest and latest
  dates, precision) beside the date as the document writes it.
- Passages are given by pasting words (:mod:`timeline.forms`), never offsets.
- Every change is kept by django-simple-history (who, when, what) and can be
  reverted; a save never silently overwrites a save made since the form was opened.
- Events, people and organisations are drafts until published.
"""

from __future__ import annotations

from collections import defaultdict
from http import HTTPStatus
from itertools import pairwise

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import NestedObjects, model_ngettext, quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.db.models import Count, F, prefetch_related_objects
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin

from timeline import dates, history
from timeline.forms import (
    LOCK_FIELD,
    CitedPassageForm,
    CitedPassageFormSet,
    ConflictGuardForm,
    PassageAdminForm,
    SafeAutocompleteAdminMixin,
    SelectedObjectsFormSet,
    is_key,
)
from timeline.models import (
    Actor,
    Event,
    EventRelation,
    Membership,
    Organisation,
    Participation,
    Passage,
    Period,
    Place,
    Quote,
    Source,
    Status,
)

admin.site.site_header = "Bolivia timeline: curation"
admin.site.site_title = "Bolivia timeline curation"
admin.site.index_title = "Curate the timeline"

RECORD_FIELDSET = ("Record", {"fields": ["public_link", "created_at", "updated_at"], "classes": ["collapse"]})
DATE_FIELDSET = (
    "Date",
    {
        "fields": ["date_edtf", "date_meaning", "date_as_written", "date_basis", "date_note"],
        "description": "Type the date in EDTF; the earliest and latest dates it means are shown as you type "
        "(or after saving, without JavaScript) beside the date as the document writes it.",
    },
)


class LabelledNestedObjects(NestedObjects):
    """The admin's collector of what a delete takes with it. Where it holds several objects of a
    kind, it reads their foreign keys (what their labels name: a participation's event and
    participant) for all of them at once, one query per relation, before they are listed; Django
    read them object by object. Many-to-many link rows are left alone: their labels name nothing."""

    def nested(self, format_callback=None):
        by_model = defaultdict(set)
        for model, found in self.model_objs.items():
            by_model[model] |= found
        for obj in self.protected:
            by_model[obj.__class__].add(obj)
        for model, found in by_model.items():
            if len(found) < 2 or model._meta.auto_created:
                continue
            relations = [field.name for field in model._meta.concrete_fields if field.many_to_one]
            prefetch_related_objects(list(found), *relations)
        return super().nested(format_callback)


class CuratedAdmin(SafeAutocompleteAdminMixin, SimpleHistoryAdmin):
    """What every curated model shares: history, conflict detection, links to the public page."""

    form = ConflictGuardForm
    list_per_page = 50
    history_list_per_page = 25
    object_history_list_template = "admin/timeline/object_history_list.html"
    object_history_form_template = "admin/timeline/object_history_form.html"
    readonly_fields = ["public_link", "created_at", "updated_at"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.fieldsets and LOCK_FIELD not in helpers.flatten_fieldsets(fieldsets):
            (name, options), *rest = fieldsets
            fieldsets = [(name, {**options, "fields": [*options["fields"], LOCK_FIELD]}), *rest]
        return fieldsets

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except OverflowError as exc:
            # A lookup timeline/lookups.py does not guard (``?id__range=1,<20 digits>``): SQLite cannot bind
            # the number, where PostgreSQL finds no row. A bad filter value, answered as the admin answers
            # the others: the list, with ?e=1. Any other OverflowError is a bug, and stays one.
            if "too large to convert to SQLite INTEGER" not in str(exc):
                raise
            raise IncorrectLookupParameters(exc) from exc

    def response_action(self, request, queryset):
        # Django filters the selection with ``pk__in``: a value that cannot be a key (a forged
        # ``_selected_action=x``) raised ValueError, a 500. Such values are dropped; with none left,
        # the admin says that items must be selected.
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        keys = [value for value in selected if is_key(self.model._meta.pk, value)]
        if len(keys) != len(selected):
            request.POST = request.POST.copy()
            request.POST.setlist(helpers.ACTION_CHECKBOX_NAME, keys)
        return super().response_action(request, queryset)

    @admin.display(description="public page")
    def public_link(self, obj):
        if obj is None or obj.pk is None or not hasattr(obj, "get_absolute_url"):
            return "—"
        url = obj.get_absolute_url()
        return format_html('<a href="{}" class="public-link">{}</a>', url, url)

    @admin.display(description="public page")
    def view_link(self, obj):
        return format_html('<a href="{}" class="public-link">view</a>', obj.get_absolute_url())

    def get_deleted_objects(self, objs, request):
        """Django's, but with each object's label read for all objects of a kind at once (see
        :class:`LabelledNestedObjects`): deleting an organisation named in 500 events took a query
        per event to say which."""
        try:
            using = router.db_for_write(objs[0]._meta.model)
        except IndexError:
            return [], {}, set(), []
        collector = LabelledNestedObjects(using=using, origin=objs)
        collector.collect(objs)
        perms_needed = set()

        def format_callback(obj):
            opts = obj._meta
            no_edit_link = f"{capfirst(opts.verbose_name)}: {obj}"
            if not self.admin_site.is_registered(obj.__class__):
                return no_edit_link
            if not self.admin_site.get_model_admin(obj.__class__).has_delete_permission(request, obj):
                perms_needed.add(opts.verbose_name)
            try:
                url = reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])
            except NoReverseMatch:
                return no_edit_link
            return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, obj)

        to_delete = collector.nested(format_callback)
        protected = [format_callback(obj) for obj in collector.protected]
        model_count = {model._meta.verbose_name_plural: len(found) for model, found in collector.model_objs.items()}
        return to_delete, model_count, perms_needed, protected

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # One version per record per save, holding the record's passages as they are after
        # the form, its many-to-many fields and its inline rows have all been saved.
        with transaction.atomic(using=router.db_for_write(self.model)), history.one_version_per_record():
            return super().changeform_view(request, object_id, form_url, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        version = self._version(object_id, version_id)
        request.timeline_version = version  # read by get_form
        inline_links = self._inline_link_fields(request, version)
        context = {
            "links_recorded": getattr(version, "links_recorded", False),
            "has_links": bool(history.link_fields(self.model)),
            "restored_links": history.link_labels(version, inline_links),
            **(extra_context or {}),
        }
        if request.method == "POST" and self.revert_disabled(request, version.instance):
            # simple-history hides the button from those who may only view, but accepts their POST.
            raise PermissionDenied
        # The change view runs in a transaction; a revert must too, so its conflict check holds a row lock.
        with transaction.atomic(using=router.db_for_write(self.model)), history.one_version_per_record():
            response = super().history_form_view(request, object_id, version_id, context)
            if request.method == "POST" and response.status_code == HTTPStatus.FOUND:
                # Reverted: the passages managed by inline rows are not in the form.
                history.restore_links(
                    self.model._default_manager.get(pk=unquote(object_id)), version, only=inline_links
                )
        return response

    def _version(self, object_id, version_id):
        records = getattr(self.model, self.model._meta.simple_history_manager_attribute).model
        return get_object_or_404(records, **{self.model._meta.pk.attname: unquote(object_id), "history_id": version_id})

    def _inline_link_fields(self, request, version) -> list[str]:
        in_form = set(helpers.flatten_fieldsets(self.get_fieldsets(request, version.instance)))
        return [name for name in history.link_fields(self.model) if name not in in_form]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        version = getattr(request, "timeline_version", None)
        if version is None or not getattr(version, "links_recorded", False):
            return form
        links = history.existing_version_links(version)

        class VersionForm(form):
            """A revert form shows the passages the version cited, not the current ones."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for name, ids in links.items():
                    if name in self.fields:
                        self.initial[name] = ids

        return VersionForm

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """What changed in each version: fields as simple-history shows them, then passages added and removed.

        Passage changes are worked out for the whole page in two queries, and only
        between versions that both recorded their links.
        """
        records = list(historical_records)
        link_fields = history.link_fields(self.model)
        for newer, older in pairwise(records):
            delta = newer.diff_against(older, excluded_fields=link_fields, foreign_keys_are_objs=foreign_keys_are_objs)
            helper = self.get_historical_record_context_helper(request, newer)
            newer.history_delta_changes = helper.context_for_delta_changes(delta)
        for record, changes in history.link_changes(self.model, records).items():
            record.link_changes = changes


def date_meaning_parts(value: str) -> dict:
    """What an EDTF value means, for the form's preview: its display, bounds, precision, or the error."""
    value = (value or "").strip()
    if not value:
        return {"valid": True, "empty": True, "message": "Undated: type an EDTF date to give it one."}
    try:
        parsed = dates.parse(value)
    except ValidationError as error:
        return {"valid": False, "empty": False, "message": " ".join(error.messages)}
    flags = (("approximate", parsed.approximate), ("uncertain", parsed.uncertain))
    return {
        "valid": True,
        "empty": False,
        "display": dates.display(value),
        "earliest": parsed.earliest.isoformat(),
        "latest": parsed.latest.isoformat(),
        "precision": dates.DatePrecision(parsed.precision).label,
        "qualifiers": [word for word, flag in flags if flag],
    }


class DatedAdminMixin:
    """An EDTF date, shown at its precision, with what it means beside it (updated as the curator types)."""

    class Media:
        js = ["timeline/admin-date-preview.js"]

    @admin.display(description="date", ordering=F("date_earliest").asc(nulls_last=True))
    def date_display(self, obj):
        return obj.date_display

    @admin.display(description="earliest", ordering=F("date_earliest").asc(nulls_last=True))
    def earliest(self, obj):
        return obj.date_earliest

    @admin.display(description="latest", ordering=F("date_latest").asc(nulls_last=True))
    def latest(self, obj):
        return obj.date_latest

    @admin.display(description="what it means")
    def date_meaning(self, obj):
        parts = date_meaning_parts(getattr(obj, "date_edtf", "") if obj else "")
        preview_url = reverse(f"admin:timeline_{self.model._meta.model_name}_date_preview")
        if parts["empty"]:
            text = parts["message"]
        elif not parts["valid"]:
            text = "—"
        else:
            written = format_html(" · written “{}”", obj.date_as_written) if obj.date_as_written else ""
            text = format_html(
                "<strong>{}</strong> · earliest {} · latest {} · {} precision{}{}",
                parts["display"],
                parts["earliest"],
                parts["latest"],
                parts["precision"],
                "".join(f", {word}" for word in parts["qualifiers"]),
                written,
            )
        return format_html('<span class="date-meaning" data-preview-url="{}">{}</span>', preview_url, text)

    def get_urls(self):
        name = f"timeline_{self.model._meta.model_name}_date_preview"
        view = self.admin_site.admin_view(self.date_preview_view)
        return [path("date-preview/", view, name=name), *super().get_urls()]

    def date_preview_view(self, request):
        """JSON for the form's live preview: ``?date_edtf=…`` → what the date means, or why it is refused."""
        if not (self.has_view_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied
        value = request.GET.get("date_edtf", "")
        limit = self.model._meta.get_field("date_edtf").max_length
        if len(value) > limit:
            return JsonResponse({"valid": False, "empty": False, "message": f"At most {limit} characters."})
        return JsonResponse(date_meaning_parts(value))

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "date_meaning"]


class PublishableAdminMixin:
    """Draft/published status with confirmed bulk actions."""

    actions = ["publish", "unpublish"]

    @admin.action(description="Publish the selected %(verbose_name_plural)s", permissions=["change"])
    def publish(self, request, queryset):
        return self._set_status(request, queryset, Status.PUBLISHED)

    @admin.action(description="Unpublish the selected %(verbose_name_plural)s (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        return self._set_status(request, queryset, Status.DRAFT)

    def _set_status(self, request, queryset, status):
        action = "publish" if status == Status.PUBLISHED else "unpublish"
        if request.POST.get("post") != "yes":
            opts = self.model._meta
            context = {
                **self.admin_site.each_context(request),
                "title": "Are you sure?",
                "opts": opts,
                "queryset": queryset,
                "action": action,
                "status": status,
                "objects_name": model_ngettext(queryset),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            request.current_app = self.admin_site.name
            return TemplateResponse(request, "admin/timeline/status_confirmation.html", context)
        total = queryset.count()
        changed = 0
        for obj in queryset.exclude(status=status):
            obj.status = status
            obj.save(update_fields=["status"])
            self.log_change(request, obj, [{"changed": {"fields": ["status"]}}])
            changed += 1
        done = "published" if status == Status.PUBLISHED else "moved back to draft"
        message = f"{changed} {model_ngettext(self.model._meta, changed)} {done}."
        if unchanged := total - changed:
            already = "already published" if status == Status.PUBLISHED else "already a draft"
            message += f" {unchanged} {'was' if unchanged == 1 else 'were'} {already}."
        self.message_user(request, message, messages.SUCCESS)
        return None


# Inlines ---------------------------------------------------------------------


class RowsInlineMixin(SafeAutocompleteAdminMixin):
    """Inline rows read with what their labels (``__str__``) name, ``label_related``, and their
    passages, which their widgets show; each autocomplete field reads all its rows' objects at once."""

    formset = SelectedObjectsFormSet
    label_related: tuple[str, ...] = ()

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related(*self.label_related)
        return queryset.prefetch_related("passages") if "passages" in (self.fields or ()) else queryset


class CitedPassageInline(RowsInlineMixin, admin.TabularInline):
    """The passages a record cites, each given by its source and pasted words."""

    form = CitedPassageForm
    formset = CitedPassageFormSet
    extra = 1
    verbose_name = "passage"
    verbose_name_plural = "passages that state it (paste the words; the admin finds them in the source)"
    readonly_fields = ["passage_link"]
    label_related = ("passage__source",)

    @admin.display(description="found at")
    def passage_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        passage = obj.passage
        url = reverse("admin:timeline_passage_change", args=[passage.pk])
        return format_html('<a href="{}">{} {}–{}</a>', url, passage.source.slug, passage.start, passage.end)


def cited_passage_inline(model) -> type[CitedPassageInline]:
    through = model.passages.through
    # An explicit link's label (its ``__str__``) names its record too.
    record = getattr(through, "record_field", "")
    related = (*CitedPassageInline.label_related, *([record] if record else []))
    return type(f"{model.__name__}PassageInline", (CitedPassageInline,), {"model": through, "label_related": related})


class ParticipationInline(RowsInlineMixin, admin.TabularInline):
    model = Participation
    fields = ["actor", "organisation", "role", "role_as_written", "passages"]
    autocomplete_fields = ["actor", "organisation", "passages"]
    extra = 1
    verbose_name_plural = "participants (a person or an organisation on each row)"
    label_related = ("actor", "organisation", "event")


class EventRelationInline(RowsInlineMixin, admin.TabularInline):
    model = EventRelation
    fk_name = "from_event"
    fields = ["relation", "to_event", "passages"]
    autocomplete_fields = ["to_event", "passages"]
    extra = 0
    verbose_name = "related event"
    verbose_name_plural = "related events"
    label_related = ("from_event", "to_event")


class MembershipInline(RowsInlineMixin, admin.TabularInline):
    model = Membership
    fields = ["actor", "organisation", "role", "role_as_written", "date_edtf", "date_basis", "passages"]
    autocomplete_fields = ["actor", "organisation", "passages"]
    extra = 0
    label_related = ("actor", "organisation")


class QuoteInline(RowsInlineMixin, admin.StackedInline):
    model = Quote
    fk_name = "speaker_actor"
    fields = ["text", "slug", "passage", "event", "source", "date_edtf", "date_as_written", "date_basis"]
    autocomplete_fields = ["passage", "event", "source"]
    prepopulated_fields = {"slug": ["text"]}
    extra = 0
    classes = ["collapse"]
    label_related = ("speaker_actor", "speaker_organisation")


# Sources and passages --------------------------------------------------------


@admin.register(Source)
class SourceAdmin(DatedAdminMixin, CuratedAdmin):
    list_display = ["title", "kind", "date_display", "outlet", "language", "passage_count", "view_link"]
    list_filter = ["kind", "language", "date_precision", "date_basis"]
    search_fields = ["title", "slug", "author", "citation", "notes", "outlet__name", "outlet__acronym", "text"]
    list_select_related = ["outlet"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["outlet", "cited_in"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [cited_passage_inline(Source)]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "author", "outlet", "citation", "page", "language", "url"]}),
        DATE_FIELDSET,
        ("Text", {"fields": ["text"]}),
        ("Citation", {"fields": ["cited_in", "notes"]}),
        RECORD_FIELDSET,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(passage_count=Count("passages_held", distinct=True))

    @admin.display(description="passages", ordering="passage_count")
    def passage_count(self, obj):
        return obj.passage_count


@admin.register(Passage)
class PassageAdmin(CuratedAdmin):
    form = PassageAdminForm
    list_display = ["excerpt", "source", "start", "end", "citation_count", "view_link"]
    list_filter = ["source"]
    list_select_related = ["source"]
    search_fields = ["text", "slug", "note", "source__title"]
    ordering = ["source", "start", "end"]
    autocomplete_fields = ["source"]
    readonly_fields = ["slug", "start", "end", "text", "public_link", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": ["source", "words", "occurrence", "note"],
                "description": "Pick the source and paste the words; the admin finds them and stores where they are.",
            },
        ),
        ("Where the words are", {"fields": ["text", "start", "end", "slug"]}),
        RECORD_FIELDSET,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_count=Count("events", distinct=True))

    @admin.display(description="passage", ordering="text")
    def excerpt(self, obj):
        return obj.text if len(obj.text) <= 100 else f"{obj.text[:97]}…"

    @admin.display(description="events citing it", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count


# Places and periods ----------------------------------------------------------


@admin.register(Place)
class PlaceAdmin(CuratedAdmin):
    list_display = ["name", "kind", "within", "latitude", "longitude", "event_count", "view_link"]
    list_filter = ["kind", "coordinates_by_curator", ("within", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["within"]
    search_fields = ["name", "slug", "aliases", "description", "notes"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["within"]
    inlines = [cited_passage_inline(Place)]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "within", "aliases", "description"]}),
        ("Coordinates", {"fields": ["latitude", "longitude", "coordinates_by_curator"]}),
        ("Notes", {"fields": ["notes"]}),
        RECORD_FIELDSET,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(event_count=Count("events", distinct=True))

    @admin.display(description="events", ordering="event_count")
    def event_count(self, obj):
        return obj.event_count


@admin.register(Period)
class PeriodAdmin(DatedAdminMixin, CuratedAdmin):
    list_display = ["name", "date_display", "earliest", "latest", "event_count", "view_link"]
    list_filter = ["date_precision", "date_basis"]
    search_fields = ["name", "slug", "description", "notes", "date_as_written"]
    ordering = [F("date_earliest").asc(nulls_last=True), F("date_latest").asc(nulls_last=True), "name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [cited_passage_inline(Period)]
    fieldsets = [
        (None, {"fields": ["name", "slug", "description"]}),
        DATE_FIELDSET,
        ("Notes", {"fields": ["notes"]}),
        RECORD_FIELDSET,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(event_count=Count("events", distinct=True))

    @admin.display(description="events", ordering="event_count")
    def event_count(self, obj):
        return obj.event_count


# Organisations and people ----------------------------------------------------


@admin.register(Organisation)
class OrganisationAdmin(PublishableAdminMixin, CuratedAdmin):
    list_display = ["name", "acronym", "kind", "country", "parent", "status", "member_count", "view_link"]
    list_filter = ["status", "kind", ("country", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["country", "parent"]
    search_fields = ["name", "acronym", "slug", "aliases", "description", "notes"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["country", "parent"]
    inlines = [MembershipInline, cited_passage_inline(Organisation)]
    fieldsets = [
        (None, {"fields": ["name", "acronym", "slug", "kind", "status", "aliases", "description"]}),
        ("Relations", {"fields": ["country", "parent"]}),
        ("Notes", {"fields": ["notes"]}),
        RECORD_FIELDSET,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("memberships", distinct=True))

    @admin.display(description="members", ordering="member_count")
    def member_count(self, obj):
        return obj.member_count


@admin.register(Actor)
class ActorAdmin(PublishableAdminMixin, CuratedAdmin):
    list_display = ["name", "alias_line", "status", "event_count", "view_link"]
    list_filter = ["status", ("memberships__organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = [
        "name",
        "slug",
        "aliases",
        "description",
        "notes",
        "memberships__organisation__name",
        "memberships__organisation__acronym",
    ]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline, QuoteInline, cited_passage_inline(Actor)]
    fieldsets = [
        (None, {"fields": ["name", "slug", "status", "aliases", "description"]}),
        ("Notes", {"fields": ["notes"]}),
        RECORD_FIELDSET,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(event_count=Count("participations__event", distinct=True))

    @admin.display(description="also called")
    def alias_line(self, obj):
        return ", ".join(obj.alias_list)

    @admin.display(description="events", ordering="event_count")
    def event_count(self, obj):
        return obj.event_count


@admin.register(Membership)
class MembershipAdmin(DatedAdminMixin, CuratedAdmin):
    list_display = ["actor", "organisation", "role", "date_display"]
    list_filter = [("organisation", admin.RelatedOnlyFieldListFilter), "date_basis"]
    list_select_related = ["actor", "organisation"]
    search_fields = [
        "actor__name",
        "actor__aliases",
        "organisation__name",
        "organisation__acronym",
        "role",
        "role_as_written",
    ]
    autocomplete_fields = ["actor", "organisation", "passages"]
    fieldsets = [
        (None, {"fields": ["actor", "organisation", "role", "role_as_written"]}),
        DATE_FIELDSET,
        ("Evidence", {"fields": ["passages", "notes"]}),
        RECORD_FIELDSET,
    ]


# Events ----------------------------------------------------------------------


@admin.register(Event)
class EventAdmin(PublishableAdminMixin, DatedAdminMixin, CuratedAdmin):
    list_display = [
        "date_display",
        "title",
        "event_type",
        "place",
        "status",
        "passage_count",
        "earliest",
        "latest",
        "view_link",
    ]
    list_display_links = ["date_display", "title"]
    list_filter = [
        "status",
        "event_type",
        ("period", admin.RelatedOnlyFieldListFilter),
        ("place", admin.RelatedOnlyFieldListFilter),
        "date_precision",
        "date_basis",
        "occurrence",
        "importance",
    ]
    list_select_related = ["place"]
    search_fields = [
        "title",
        "slug",
        "summary",
        "notes",
        "date_as_written",
        "place_as_written",
        "place__name",
        "place__aliases",
        "participations__actor__name",
        "participations__actor__aliases",
        "participations__organisation__name",
        "participations__organisation__acronym",
        "participations__organisation__aliases",
    ]
    ordering = [F("date_earliest").asc(nulls_last=True), F("date_latest").asc(nulls_last=True), "title"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["place", "period"]
    inlines = [ParticipationInline, cited_passage_inline(Event), EventRelationInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "event_type", "occurrence", "importance", "status"]}),
        DATE_FIELDSET,
        ("Where", {"fields": ["place", "place_as_written", "period"]}),
        ("Notes", {"fields": ["notes"]}),
        RECORD_FIELDSET,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(passage_count=Count("passages", distinct=True))

    @admin.display(description="passages", ordering="passage_count")
    def passage_count(self, obj):
        return obj.passage_count


@admin.register(Participation)
class ParticipationAdmin(CuratedAdmin):
    list_display = ["event", "participant", "role", "role_as_written"]
    list_filter = ["role"]
    list_select_related = ["event", "actor", "organisation"]
    search_fields = [
        "event__title",
        "actor__name",
        "actor__aliases",
        "organisation__name",
        "organisation__acronym",
        "role_as_written",
    ]
    autocomplete_fields = ["event", "actor", "organisation", "passages"]
    fieldsets = [
        (None, {"fields": ["event", "actor", "organisation", "role", "role_as_written"]}),
        ("Evidence", {"fields": ["passages", "notes"]}),
        RECORD_FIELDSET,
    ]


@admin.register(EventRelation)
class EventRelationAdmin(CuratedAdmin):
    list_display = ["from_event", "relation", "to_event"]
    list_filter = ["relation"]
    list_select_related = ["from_event", "to_event"]
    search_fields = ["from_event__title", "to_event__title"]
    autocomplete_fields = ["from_event", "to_event", "passages"]
    fieldsets = [
        (None, {"fields": ["from_event", "relation", "to_event"]}),
        ("Evidence", {"fields": ["passages", "notes"]}),
        RECORD_FIELDSET,
    ]


# Quotations ------------------------------------------------------------------


@admin.register(Quote)
class QuoteAdmin(DatedAdminMixin, CuratedAdmin):
    list_display = ["excerpt", "speaker", "date_display", "event", "view_link"]
    list_filter = ["date_precision", "date_basis", ("speaker_organisation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["speaker_actor", "speaker_organisation", "event"]
    search_fields = [
        "text",
        "slug",
        "notes",
        "speaker_description",
        "speaker_actor__name",
        "speaker_actor__aliases",
        "speaker_organisation__name",
        "speaker_organisation__acronym",
    ]
    ordering = [F("date_earliest").asc(nulls_last=True), "slug"]
    prepopulated_fields = {"slug": ["text"]}
    autocomplete_fields = [
        "passage",
        "speaker_actor",
        "speaker_organisation",
        "source",
        "event",
        "attribution_passages",
    ]
    fieldsets = [
        (None, {"fields": ["text", "slug", "passage"]}),
        ("Who said it", {"fields": ["speaker_actor", "speaker_organisation", "speaker_description"]}),
        ("Where and when", {"fields": ["source", "event", "attribution_passages"]}),
        DATE_FIELDSET,
        ("Notes", {"fields": ["notes"]}),
        RECORD_FIELDSET,
    ]

    @admin.display(description="quotation", ordering="text")
    def excerpt(self, obj):
        return obj.text if len(obj.text) <= 80 else f"{obj.text[:77]}…"
