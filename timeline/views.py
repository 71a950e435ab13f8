"""HTML pages: the timeline and one page per record."""

from django.views.generic import DetailView, ListView

from timeline.models import Actor, Event, Organisation, Period, Place, Quote, Source


class PublishedMixin:
    """Anonymous visitors see published records only; curators see drafts too."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class TimelineView(ListView):
    template_name = "timeline/home.html"
    context_object_name = "events"
    paginate_by = 100

    def get_queryset(self):
        return Event.objects.visible_to(self.request.user).with_related().chronological()


class EventDetailView(PublishedMixin, DetailView):
    model = Event
    template_name = "timeline/event_detail.html"

    def get_queryset(self):
        return super().get_queryset().with_related().prefetch_related("passages__source")


class ActorListView(PublishedMixin, ListView):
    model = Actor
    template_name = "timeline/entity_list.html"
    paginate_by = 100


class ActorDetailView(PublishedMixin, DetailView):
    model = Actor
    template_name = "timeline/entity_detail.html"


class OrganisationListView(PublishedMixin, ListView):
    model = Organisation
    template_name = "timeline/entity_list.html"
    paginate_by = 100


class OrganisationDetailView(PublishedMixin, DetailView):
    model = Organisation
    template_name = "timeline/entity_detail.html"


class PlaceListView(ListView):
    model = Place
    template_name = "timeline/entity_list.html"
    paginate_by = 100


class PlaceDetailView(DetailView):
    model = Place
    template_name = "timeline/entity_detail.html"


class PeriodListView(ListView):
    model = Period
    template_name = "timeline/entity_list.html"
    paginate_by = 100


class PeriodDetailView(DetailView):
    model = Period
    template_name = "timeline/entity_detail.html"


class SourceListView(ListView):
    model = Source
    template_name = "timeline/entity_list.html"
    paginate_by = 100


class SourceDetailView(DetailView):
    model = Source
    template_name = "timeline/entity_detail.html"


class QuoteDetailView(DetailView):
    model = Quote
    template_name = "timeline/entity_detail.html"

    def get_queryset(self):
        return super().get_queryset().with_related()
