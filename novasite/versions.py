"""Version documents at each service root (no token needed)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.response import Response

from core.views import PublicView
from identity.catalog import base_url


def compute_v21(request) -> dict:
    return {
        "id": "v2.1",
        "status": "CURRENT",
        "version": settings.COMPUTE_MAX_MICROVERSION,
        "min_version": "2.1",
        "updated": "2013-07-23T11:33:21Z",
        "links": [{"rel": "self", "href": f"{base_url(request)}/compute/v2.1/"}],
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}],
    }


class ComputeVersions(PublicView):
    def get(self, request):
        legacy = {
            "id": "v2.0",
            "status": "DEPRECATED",
            "version": "",
            "min_version": "",
            "updated": "2025-07-04T12:00:00Z",
            "links": [{"rel": "self", "href": f"{base_url(request)}/compute/v2/"}],
        }
        return Response({"versions": [legacy, compute_v21(request)]})


class ComputeV21(PublicView):
    def get(self, request):
        return Response({"version": compute_v21(request)})


class ImageVersions(PublicView):
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
    def get(self, request):
        href = f"{base_url(request)}/network/v2.0/"
        return Response({"versions": [{"id": "v2.0", "status": "CURRENT", "links": [{"rel": "self", "href": href}]}]})
