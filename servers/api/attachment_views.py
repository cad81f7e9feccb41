"""/servers/{id}/os-volume_attachments and /servers/{id}/os-interface: thin views over
servers.services.attachments."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.response import Response

from core import microversions as mv
from core.bodies import unwrap
from core.exceptions import BadRequest
from core.ids import is_uuid
from core.microversions import Microversion
from core.params import bool_word
from core.views import ComputeView
from networks.models import Port
from servers.models import VolumeAttachment
from servers.services import attachments, lookup

from . import openapi_server_parts as doc

#: The wording of a body without its envelope here.
NO_ENVELOPE = "Invalid input: the body must be an object with a '{key}' object."


def device_path(device: str | None) -> str | None:
    """A device as Nova names it: ``/dev/vdb`` (we may record ``vdb``)."""
    return f"/dev/{device}" if device and not device.startswith("/") else device


def volume_attachment_body(
    attachment: VolumeAttachment, version: Microversion, *, created: bool = False
) -> dict[str, Any]:
    """Nova's volumeAttachment: from 2.89, list and show have attachment_id and bdm_uuid
    instead of id; the answer to an attach keeps id and never shows the other two."""
    ids = version >= mv.ATTACHMENT_IDS and not created
    body: dict[str, Any] = {
        "serverId": str(attachment.server.uuid),
        "volumeId": str(attachment.volume_id),
        "device": device_path(attachment.device),
    }
    if not ids:
        body = {"id": str(attachment.volume_id), **body}
    if version >= mv.ATTACHMENT_TAG:
        body["tag"] = None
    if version >= mv.ATTACHMENT_DELETE_ON_TERMINATION:
        body["delete_on_termination"] = attachment.delete_on_termination
    if ids:
        body["attachment_id"] = str(attachment.uuid)
        body["bdm_uuid"] = str(attachment.uuid)
    return body


def interface_body(port: Port) -> dict[str, Any]:
    return {
        "port_id": str(port.id),
        "net_id": str(port.network_id),
        "mac_addr": port.mac_address,
        "port_state": port.status,
        "fixed_ips": [{"subnet_id": item["subnet_id"], "ip_address": item["ip_address"]} for item in port.fixed_ips],
    }


class VolumeAttachmentsView(ComputeView):
    """GET (list) and POST (attach) /servers/{id}/os-volume_attachments."""

    openapi = {"get": doc.VOLUME_ATTACHMENT_LIST, "post": doc.VOLUME_ATTACH}

    def get(self, request, server_id: str) -> Response:
        server = lookup.get_server(self.caller, server_id)
        rows = attachments.volume_attachments(server)
        return Response({"volumeAttachments": [volume_attachment_body(row, request.api_version) for row in rows]})

    def post(self, request, server_id: str) -> Response:
        server = lookup.get_server(self.caller, server_id)
        args = unwrap(request.data, "volumeAttachment", NO_ENVELOPE)
        if "volumeId" not in args:
            raise BadRequest("Invalid input for field/attribute volumeAttachment: 'volumeId' is a required property.")
        device = args.get("device")
        if device is not None and not isinstance(device, str):
            raise BadRequest("Invalid input for field/attribute device.")
        attachment = attachments.attach_volume(
            self.caller, server, str(args["volumeId"]), device.removeprefix("/dev/") if device else None
        )
        if request.api_version >= mv.VOLUME_ATTACH_ACCEPTED:
            return Response(status=status.HTTP_202_ACCEPTED)  # 2.101: the attachment is read with GET
        return Response({"volumeAttachment": volume_attachment_body(attachment, request.api_version, created=True)})


UPDATE_FIELDS = frozenset({"volumeId", "device", "tag", "delete_on_termination", "serverId", "id"})


def attachment_update(body: object, version: Microversion) -> attachments.AttachmentUpdate:
    """Nova's update schemas: before 2.85 {"volumeAttachment": {"volumeId": <uuid>}} only;
    from 2.85 the fields GET shows may be sent back too (delete_on_termination a boolean)."""
    args = unwrap(body, "volumeAttachment", NO_ENVELOPE)
    swap_only = version < mv.ATTACHMENT_UPDATE
    allowed = {"volumeId"} if swap_only else UPDATE_FIELDS
    unknown = sorted(set(args) - allowed)
    if unknown:
        raise BadRequest(f"Additional properties are not allowed ({', '.join(map(repr, unknown))} was unexpected)")
    if not is_uuid(args.get("volumeId")):
        raise BadRequest("Invalid input for field/attribute volumeId: a volume's UUID is required.")
    update: dict[str, Any] = {}
    if "delete_on_termination" in args:
        meaning = bool_word(args["delete_on_termination"])
        if meaning is None:
            raise BadRequest("Invalid input for field/attribute delete_on_termination: a boolean is required.")
        update["delete_on_termination"] = meaning
    for key, field in (("id", "attachment_id"), ("serverId", "server_id"), ("device", "device"), ("tag", "tag")):
        if key in args:
            value = args[key]
            if value is not None and not isinstance(value, str):
                raise BadRequest(f"Invalid input for field/attribute {key}.")
            update[field] = value
    return attachments.AttachmentUpdate(new_volume_id=str(args["volumeId"]), swap_only=swap_only, **update)


class VolumeAttachmentView(ComputeView):
    """GET, PUT (2.85: update delete_on_termination; a different volumeId: swap; 202) and
    DELETE (detach; 202) /servers/{id}/os-volume_attachments/{volume}."""

    openapi = {"get": doc.VOLUME_ATTACHMENT_SHOW, "put": doc.VOLUME_ATTACHMENT_UPDATE, "delete": doc.VOLUME_DETACH}

    def put(self, request, server_id: str, volume_id: str) -> Response:
        update = attachment_update(request.data, request.api_version)  # the body first, as Nova validates it
        server = lookup.get_server(self.caller, server_id)
        attachments.update_volume_attachment(self.caller, server, volume_id, update)
        return Response(status=status.HTTP_202_ACCEPTED)

    def get(self, request, server_id: str, volume_id: str) -> Response:
        server = lookup.get_server(self.caller, server_id)
        row = attachments.volume_attachment(server, volume_id)
        return Response({"volumeAttachment": volume_attachment_body(row, request.api_version)})

    def delete(self, request, server_id: str, volume_id: str) -> Response:
        server = lookup.get_server(self.caller, server_id)
        attachments.detach_volume(self.caller, server, volume_id)
        return Response(status=status.HTTP_202_ACCEPTED)


class InterfacesView(ComputeView):
    """GET (list) and POST (attach) /servers/{id}/os-interface."""

    openapi = {"get": doc.INTERFACE_LIST, "post": doc.INTERFACE_ATTACH}

    def get(self, request, server_id: str) -> Response:
        server = lookup.get_server(self.caller, server_id)
        return Response({"interfaceAttachments": [interface_body(port) for port in attachments.interfaces(server)]})

    def post(self, request, server_id: str) -> Response:
        server = lookup.get_server(self.caller, server_id)
        args = unwrap(request.data, "interfaceAttachment", NO_ENVELOPE)
        fixed_ips = args.get("fixed_ips") or []
        if not isinstance(fixed_ips, list) or not all(isinstance(item, dict) for item in fixed_ips):
            raise BadRequest("Invalid input for field/attribute fixed_ips.")
        for key in ("net_id", "port_id"):
            if args.get(key) is not None and not is_uuid(args[key]):
                raise BadRequest(f"Invalid input for field/attribute {key}.")
        port = attachments.attach_interface(
            self.caller,
            server,
            net_id=args.get("net_id"),
            port_id=args.get("port_id"),
            fixed_ip=fixed_ips[0].get("ip_address") if fixed_ips else None,
        )
        return Response({"interfaceAttachment": interface_body(port)})


class InterfaceView(ComputeView):
    """GET and DELETE (detach; 202) /servers/{id}/os-interface/{port}."""

    openapi = {"get": doc.INTERFACE_SHOW, "delete": doc.INTERFACE_DETACH}

    def get(self, request, server_id: str, port_id: str) -> Response:
        server = lookup.get_server(self.caller, server_id)
        return Response({"interfaceAttachment": interface_body(attachments.interface(server, port_id))})

    def delete(self, request, server_id: str, port_id: str) -> Response:
        server = lookup.get_server(self.caller, server_id)
        attachments.detach_interface(self.caller, server, port_id)
        return Response(status=status.HTTP_202_ACCEPTED)
