from django.urls import include, path
from rest_framework.routers import DefaultRouter

app_name = "api"

router = DefaultRouter()

urlpatterns = [
    path("v1/", include(router.urls)),
    path("", router.get_api_root_view(), name="root"),
]
