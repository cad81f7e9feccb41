"""The API's description served: /api/schema/ (generated once per process) and /api/docs/
(Swagger UI, its files served from /static/ by drf-spectacular-sidecar). Kept apart from
``novasite.openapi``, which drf-spectacular's views import through DRF's settings."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request

#: The rendered schema by (media type, language): the schema follows from the code, not the
#: data, so a process builds it once (about 1 s to generate and up to 2 s to render as YAML).
_RENDERED: dict[tuple[str, str], tuple[str | bytes, dict[str, str]]] = {}


class SchemaView(SpectacularAPIView):
    """GET /api/schema/: the OpenAPI document, public and read-only (as OpenStack's api-ref),
    YAML by default, JSON for ``?format=json`` or ``Accept: application/json``."""

    # The APIs' AlwaysJSON negotiation would always pick the first renderer (YAML).
    content_negotiation_class = DefaultContentNegotiation

    @extend_schema(exclude=True)  # as drf-spectacular's own view: the schema does not describe itself
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        key = (request.accepted_media_type, request.query_params.get("lang", ""))
        cached = _RENDERED.get(key)
        if cached is None:
            response = super().get(request, *args, **kwargs)
            body = request.accepted_renderer.render(response.data, key[0], self.get_renderer_context())
            content_type = f"{key[0]}; charset={request.accepted_renderer.charset or 'utf-8'}"
            headers: dict[str, str] = {**dict(response.headers), "Content-Type": content_type}
            cached = _RENDERED.setdefault(key, (body, headers))
        body, headers = cached
        return HttpResponse(body, headers=headers)


def clear_schema_cache() -> None:
    """Forget the rendered schema (tests that change what it describes)."""
    _RENDERED.clear()
