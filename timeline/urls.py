"""Root URLs: the public site, the admin and the API."""

from django.contrib import admin
from django.urls import include, path

from timeline import benchmark, health, views

app_name = "timeline"

timeline_patterns = [
    path("", views.TimelineView.as_view(), name="home"),
    path("events/<slug:slug>/", views.EventDetailView.as_view(), name="event-detail"),
    path("actors/", views.ActorListView.as_view(), name="actor-list"),
    path("actors/<slug:slug>/", views.ActorDetailView.as_view(), name="actor-detail"),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation-list"),
    path("organisations/<slug:slug>/", views.OrganisationDetailView.as_view(), name="organisation-detail"),
    path("places/", views.PlaceListView.as_view(), name="place-list"),
    path("places/<slug:slug>/", views.PlaceDetailView.as_view(), name="place-detail"),
    path("periods/", views.PeriodListView.as_view(), name="period-list"),
    path("periods/<slug:slug>/", views.PeriodDetailView.as_view(), name="period-detail"),
    path("sources/", views.SourceListView.as_view(), name="source-list"),
    path("sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source-detail"),
    path("quotes/<slug:slug>/", views.QuoteDetailView.as_view(), name="quote-detail"),
    path("search/", views.SearchView.as_view(), name="search"),
]

handler404 = "timeline.views.page_not_found"
handler500 = "timeline.views.server_error"

urlpatterns = [
    path("", include((timeline_patterns, "timeline"))),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    # The benchmark's yardstick: a fixed small JSON body, no database (timeline/benchmark.py).
    path("bench/baseline/", benchmark.baseline, name="bench-baseline"),
    path("health/", health.health, name="health"),
]
