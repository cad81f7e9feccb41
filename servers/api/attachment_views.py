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
from core.views import ComputeView
from networks.models import Port
from servers.models import VolumeAttachment
from servers.services import attachments, lookup

#: The wording of a body without its envelope here.
NO_ENVELOPE = "Invalid input: the body must be an object with a '{key}' object."


def volume_attachment_body(attachment: VolumeAttachment, version: Microversion) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(attachment.volume_id),
        "serverId": str(attachment.server.uuid),
        "volumeId": str(attachment.volume_id),
        "device": f"/dev/{attachment.device}"
        if attachment.device and not attachment.device.startswith("/")
        else attachment.device,
    }
    if version >= mv.ATTACHMENT_TAG:
        body["tag"] = None
    if version >= mv.ATTACHMENT_DELETE_ON_TERMINATION:
        body["delete_on_termination"] = attachment.delete_on_termination
    if version >= mv.ATTACHMENT_IDS:
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
        return Response({"volumeAttachment": volume_attachment_body(attachment, request.api_version)})


class VolumeAttachmentView(ComputeView):
    """GET and DELETE (detach; 202) /servers/{id}/os-volume_attachments/{volume}."""

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

    def get(self, request, server_id: str, port_id: str) -> Response:
        server = lookup.get_server(self.caller, server_id)
        return Response({"interfaceAttachment": interface_body(attachments.interface(server, port_id))})

    def delete(self, request, server_id: str, port_id: str) -> Response:
        server = lookup.get_server(self.caller, server_id)
        attachments.detach_interface(self.caller, server, port_id)
        return Response(status=status.HTTP_202_ACCEPTED)
