"""URL map: each OpenStack service under its own prefix, plus the admin and the schema."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerView

from novasite.api_docs import SchemaView
from novasite.versions import ComputeV20, ComputeVersions

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("identity", include("identity.urls")),
    path("compute", ComputeVersions.as_view()),
    path("compute/", ComputeVersions.as_view()),
    path("compute/v2", ComputeV20.as_view()),
    path("compute/v2/", ComputeV20.as_view()),
    path("compute/v2.1", include("servers.api.urls")),
    path("image", include("images.api.urls")),
    path("network", include("networks.api.urls")),
    path("placement", include("placement.api.urls")),
    path("scheduler", include("scheduling.api.urls")),
    path("volume", include("volumes.api.urls")),
]

handler404 = "core.errors.handler404"
handler500 = "core.errors.handler500"
