"""Version documents at each service root (no token needed)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.response import Response

from core.openapi import versions as doc
from core.views import PublicView
from identity.catalog import base_url

#: Where Nova's version documents point for their documentation ("describedby").
DOCS_LINK = {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"}


def compute_v20(request) -> dict:
    """The legacy v2.0 API as Nova lists it: deprecated, without microversions."""
    return {
        "id": "v2.0",
        "status": "DEPRECATED",
        "version": "",
        "min_version": "",
        "updated": "2025-07-04T12:00:00Z",
        "links": [{"rel": "self", "href": f"{base_url(request)}/compute/v2/"}],
    }


def compute_v21(request) -> dict:
    """The v2.1 API with its microversion range."""
    return {
        "id": "v2.1",
        "status": "CURRENT",
        "version": settings.COMPUTE_MAX_MICROVERSION,
        "min_version": "2.1",
        "updated": "2013-07-23T11:33:21Z",
        "links": [{"rel": "self", "href": f"{base_url(request)}/compute/v2.1/"}],
    }


def single(version: dict, media_version: str) -> dict:
    """One version's own document (GET /compute/v2/ or /compute/v2.1/): its entry of the
    list plus Nova's documentation link and media type."""
    return {
        **version,
        "links": [*version["links"], DOCS_LINK],
        "media-types": [
            {"base": "application/json", "type": f"application/vnd.openstack.compute+json;version={media_version}"}
        ],
    }


class ComputeVersions(PublicView):
    """GET /compute/: the versions served."""

    openapi = {"get": doc.VERSION_LIST}

    def get(self, request):
        return Response({"versions": [compute_v20(request), compute_v21(request)]})


class ComputeV20(PublicView):
    """GET /compute/v2/: the legacy version's document (Nova serves it beside v2.1)."""

    openapi = {"get": doc.VERSION_SHOW}

    def get(self, request):
        return Response({"version": single(compute_v20(request), "2")})


class ComputeV21(PublicView):
    """GET /compute/v2.1/."""

    openapi = {"get": doc.VERSION_SHOW}

    def get(self, request):
        return Response({"version": single(compute_v21(request), "2.1")})


class ImageVersions(PublicView):
    openapi = {"get": doc.VERSION_CHOICES}

    def get(self, request):
        href = f"{base_url(request)}/image/v2/"
        versions = [
            {
                "id": f"v2.{minor}",
                "status": "CURRENT" if minor == 16 else "SUPPORTED",
                "links": [{"rel": "self", "href": href}],
            }
            for minor in (16, 15, 0)
        ]
        return Response({"versions": versions}, status=300)


class NetworkVersions(PublicView):
    openapi = {"get": doc.VERSION_LIST}

    def get(self, request):
        href = f"{base_url(request)}/network/v2.0/"
        return Response({"versions": [{"id": "v2.0", "status": "CURRENT", "links": [{"rel": "self", "href": href}]}]})
