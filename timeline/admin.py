"""The Django admin: where curators correct and extend the timeline."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

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
)


class DatedAdminMixin:
    @admin.display(description="date", ordering="date_earliest")
    def date_display(self, obj):
        return obj.date_display


@admin.register(Source)
class SourceAdmin(DatedAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "kind", "date_display", "outlet", "citation"]
    list_filter = ["kind", "language"]
    search_fields = ["title", "slug", "author", "citation", "notes"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["outlet", "cited_in", "passages"]


@admin.register(Passage)
class PassageAdmin(SimpleHistoryAdmin):
    list_display = ["slug", "source", "start", "end", "text"]
    list_filter = ["source"]
    search_fields = ["text", "slug"]
    readonly_fields = ["slug"]


@admin.register(Place)
class PlaceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "within", "latitude", "longitude"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "aliases", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["within", "passages"]


@admin.register(Period)
class PeriodAdmin(DatedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "date_display", "date_edtf"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["passages"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "acronym", "kind", "country", "parent", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["name", "acronym", "slug", "aliases", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["country", "parent", "passages"]


@admin.register(Actor)
class ActorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "status"]
    list_filter = ["status"]
    search_fields = ["name", "slug", "aliases", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["passages"]


@admin.register(Membership)
class MembershipAdmin(DatedAdminMixin, SimpleHistoryAdmin):
    list_display = ["actor", "organisation", "role", "date_display"]
    search_fields = ["actor__name", "organisation__name", "organisation__acronym", "role"]
    autocomplete_fields = ["actor", "organisation", "passages"]


@admin.register(Event)
class EventAdmin(DatedAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "date_display", "event_type", "place", "status", "importance"]
    list_filter = ["status", "event_type", "occurrence", "importance", "date_precision", "date_basis", "period"]
    search_fields = ["title", "slug", "summary", "notes", "date_as_written"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["place", "period", "passages"]


@admin.register(Participation)
class ParticipationAdmin(SimpleHistoryAdmin):
    list_display = ["event", "actor", "organisation", "role"]
    list_filter = ["role"]
    search_fields = ["event__title", "actor__name", "organisation__name", "organisation__acronym"]
    autocomplete_fields = ["event", "actor", "organisation", "passages"]


@admin.register(EventRelation)
class EventRelationAdmin(SimpleHistoryAdmin):
    list_display = ["from_event", "relation", "to_event"]
    list_filter = ["relation"]
    search_fields = ["from_event__title", "to_event__title"]
    autocomplete_fields = ["from_event", "to_event", "passages"]


@admin.register(Quote)
class QuoteAdmin(DatedAdminMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "date_display", "source"]
    search_fields = ["text", "slug", "speaker_description", "speaker_actor__name", "speaker_organisation__name"]
    autocomplete_fields = [
        "passage",
        "speaker_actor",
        "speaker_organisation",
        "source",
        "event",
        "attribution_passages",
    ]
