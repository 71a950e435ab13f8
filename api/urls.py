"""The API under /api/: version 1 of the resources, the OpenAPI schema and its documentation."""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api import views

app_name = "api"

router = DefaultRouter()
router.include_format_suffixes = False
router.register("events", views.EventViewSet, basename="event")
router.register("actors", views.ActorViewSet, basename="actor")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("places", views.PlaceViewSet, basename="place")
router.register("periods", views.PeriodViewSet, basename="period")
router.register("sources", views.SourceViewSet, basename="source")
router.register("passages", views.PassageViewSet, basename="passage")
router.register("quotes", views.QuoteViewSet, basename="quote")


@csrf_exempt
def not_found(request, path):
    """Any other URL under /api/ is a JSON 404, like the API's own."""
    return JsonResponse({"detail": "Not found."}, status=404)


urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", router.get_api_root_view(), name="root"),
    re_path(r"^(?P<path>[\s\S]*)$", not_found, name="not-found"),
]
