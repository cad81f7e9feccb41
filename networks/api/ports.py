"""/network/v2.0/ports[/{id}]: list (also ?fixed_ips=ip_address=X / subnet_id=Y), create,
show, update, delete."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from rest_framework.request import Request
from rest_framework.response import Response

from core.bodies import unwrap
from core.unset import UNSET, Unset
from networks.exceptions import InvalidInput
from networks.services import access
from networks.services import ports as services
from networks.services.arguments import FixedIp, PortFields

from . import openapi as doc
from . import validation
from .base import Document, NeutronView, entity, listing
from .documents import port_document
from .filters import PortFilter, narrow


def _fixed_ip_filters(params: QueryDict) -> list[tuple[str, str]]:
    """`fixed_ips=ip_address=10.0.0.5` / `fixed_ips=subnet_id=...` as (key, value) pairs."""
    pairs = []
    for item in params.getlist("fixed_ips"):
        key, _, value = item.partition("=")
        if key in ("ip_address", "subnet_id") and value:
            pairs.append((key, value))
    return pairs


def _holds(document: Document, pairs: list[tuple[str, str]]) -> bool:
    return all(any(entry.get(key) == value for entry in document["fixed_ips"]) for key, value in pairs)


def port_fixed_ips(body: dict[str, Any]) -> tuple[FixedIp, ...] | Unset:
    if "fixed_ips" not in body:
        return UNSET
    fixed_ips = body["fixed_ips"]
    if not isinstance(fixed_ips, list) or not all(isinstance(entry, dict) for entry in fixed_ips):
        raise InvalidInput("fixed_ips must be a list of objects.")
    return tuple(
        FixedIp(
            subnet_id=validation.uuid_text(entry["subnet_id"], "subnet_id") if "subnet_id" in entry else None,
            ip_address=str(validation.ipv4(entry["ip_address"], "ip_address")) if "ip_address" in entry else None,
        )
        for entry in fixed_ips
    )


def _security_groups(body: dict[str, Any]) -> tuple[str, ...] | Unset:
    if "security_groups" not in body:
        return UNSET
    ids = body["security_groups"]
    if ids is None:
        return ()
    if not isinstance(ids, list):
        raise InvalidInput("security_groups must be a list of security group ids.")
    return tuple(validation.uuid_text(group_id, "security_groups") for group_id in ids)


def port_fields(body: dict[str, Any]) -> PortFields:
    return PortFields(
        name=validation.text(body, "name"),
        admin_state_up=validation.boolean(body, "admin_state_up"),
        device_id=validation.text(body, "device_id"),
        device_owner=validation.text(body, "device_owner"),
        security_groups=_security_groups(body),
    )


class PortsView(NeutronView):
    openapi = {"get": doc.PORTS.list, "post": doc.PORTS.create}

    def get(self, request: Request) -> Response:
        pairs = _fixed_ip_filters(request.query_params)
        documents = (
            port_document(port) for port in narrow(PortFilter, access.ports(self.caller), request.query_params)
        )
        return listing("ports", (doc for doc in documents if _holds(doc, pairs)), request.query_params)

    def post(self, request: Request) -> Response:
        body = unwrap(request.data, "port", validation.MISSING_BODY)
        if "network_id" not in body:
            raise InvalidInput("network_id is required to create a port.")
        port = services.create_port(
            self.caller,
            str(body["network_id"]),
            port_fields(body),
            fixed_ips=port_fixed_ips(body),
            mac_address=validation.mac(body["mac_address"]) if "mac_address" in body else None,
            project_id=validation.project(body),
        )
        return entity("port", port_document(port), request.query_params, status=201)


class PortView(NeutronView):
    openapi = {"get": doc.PORTS.show, "put": doc.PORTS.update, "delete": doc.PORTS.delete}

    def get(self, request: Request, port_id: str) -> Response:
        return entity("port", port_document(access.get_port(self.caller, port_id)), request.query_params)

    def put(self, request: Request, port_id: str) -> Response:
        body = unwrap(request.data, "port", validation.MISSING_BODY)
        validation.read_only(body, "id", "network_id", "project_id", "tenant_id", "mac_address", "fixed_ips", "status")
        port = services.update_port(self.caller, port_id, port_fields(body))
        return entity("port", port_document(port), request.query_params)

    def delete(self, request: Request, port_id: str) -> Response:
        services.delete_port(self.caller, port_id)
        return Response(status=204)
