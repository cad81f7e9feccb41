"""/network/v2.0/extensions: the Neutron API extensions novasite implements, so that
clients probing for one (openstacksdk's find_extension) get a clean answer."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from core.exceptions import NotFound

from . import openapi as doc
from .base import NeutronView

UPDATED = "2025-01-01T00:00:00-00:00"
EXTENSIONS = {
    "quotas": ("Quota management support", "Expose functions for quotas management per project"),
    "quota_details": ("Quota details management support", "Expose functions for quotas usage statistics per project"),
    "external-net": ("Neutron external network", "Adds external network attribute to network resource."),
    "net-mtu": ("Network MTU", "Provides MTU attribute for a network resource."),
    "security-group": ("security-group", "The security groups extension."),
    "router": (
        "Neutron L3 Router",
        "Router abstraction for basic L3 forwarding between L2 Neutron networks and access to external networks "
        "via a NAT gateway.",
    ),
    "ext-gw-mode": (
        "Neutron L3 Configurable external gateway mode",
        "Extension of the router abstraction for specifying whether SNAT should occur on the external gateway",
    ),
}


def extension_document(alias: str) -> dict[str, Any]:
    name, description = EXTENSIONS[alias]
    return {"alias": alias, "name": name, "description": description, "updated": UPDATED, "links": []}


class ExtensionsView(NeutronView):
    openapi = {"get": doc.EXTENSION_LIST}

    def get(self, request: Request) -> Response:
        return Response({"extensions": [extension_document(alias) for alias in EXTENSIONS]})


class ExtensionView(NeutronView):
    openapi = {"get": doc.EXTENSION_SHOW}

    def get(self, request: Request, alias: str) -> Response:
        if alias not in EXTENSIONS:
            raise NotFound(f"Extension with alias {alias} does not exist")
        return Response({"extension": extension_document(alias)})
