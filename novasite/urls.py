"""URL map: each OpenStack service under its own prefix, plus the admin and the schema."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.negotiation import DefaultContentNegotiation

from novasite.versions import ComputeV20, ComputeVersions

urlpatterns = [
    path("admin/", admin.site.urls),
    # The schema answers YAML, or JSON for ?format=json or Accept: application/json (the
    # APIs' AlwaysJSON negotiation would always pick the first renderer).
    path("api/schema/", SpectacularAPIView.as_view(content_negotiation_class=DefaultContentNegotiation), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("identity", include("identity.urls")),
    path("compute", ComputeVersions.as_view()),
    path("compute/", ComputeVersions.as_view()),
    path("compute/v2", ComputeV20.as_view()),
    path("compute/v2/", ComputeV20.as_view()),
    path("compute/v2.1", include("servers.api.urls")),
    path("image", include("images.api.urls")),
    path("network", include("networks.api.urls")),
    path("scheduler", include("scheduling.api.urls")),
    path("volume", include("volumes.api.urls")),
]

handler404 = "core.errors.handler404"
handler500 = "core.errors.handler500"
