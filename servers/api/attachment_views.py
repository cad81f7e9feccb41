"""/servers/{id}/os-volume_attachments and /servers/{id}/os-interface."""

from __future__ import annotations

from rest_framework import exceptions, status
from rest_framework.response import Response

from core.ids import is_uuid
from core.views import ComputeView
from networks.models import Port
from servers.models import VolumeAttachment
from servers.services import attachments, lookup


def volume_attachment_body(attachment: VolumeAttachment, version: tuple[int, int]) -> dict:
    body = {
        "id": str(attachment.volume_id),
        "serverId": str(attachment.server.uuid),
        "volumeId": str(attachment.volume_id),
        "device": f"/dev/{attachment.device}"
        if attachment.device and not attachment.device.startswith("/")
        else attachment.device,
    }
    if version >= (2, 70):
        body["tag"] = None
    if version >= (2, 79):
        body["delete_on_termination"] = attachment.delete_on_termination
    if version >= (2, 89):
        body["attachment_id"] = str(attachment.uuid)
        body["bdm_uuid"] = str(attachment.uuid)
    return body


def interface_body(port: Port) -> dict:
    return {
        "port_id": str(port.id),
        "net_id": str(port.network_id),
        "mac_addr": port.mac_address,
        "port_state": port.status,
        "fixed_ips": [{"subnet_id": item["subnet_id"], "ip_address": item["ip_address"]} for item in port.fixed_ips],
    }


def _body(request, key: str) -> dict:
    if not isinstance(request.data, dict) or not isinstance(request.data.get(key), dict):
        raise exceptions.ValidationError(f"Invalid input: the body must be an object with a '{key}' object.")
    return request.data[key]


class VolumeAttachmentsView(ComputeView):
    def get(self, request, server_id: str):
        server = lookup.get_server(self.caller, server_id)
        rows = server.volume_attachments.exclude(status="error").select_related("server")
        return Response({"volumeAttachments": [volume_attachment_body(row, request.api_version) for row in rows]})

    def post(self, request, server_id: str):
        server = lookup.get_server(self.caller, server_id)
        args = _body(request, "volumeAttachment")
        if "volumeId" not in args:
            raise exceptions.ValidationError(
                "Invalid input for field/attribute volumeAttachment: 'volumeId' is a required property."
            )
        device = args.get("device")
        if device is not None and not isinstance(device, str):
            raise exceptions.ValidationError("Invalid input for field/attribute device.")
        attachment = attachments.attach_volume(
            self.caller, server, args["volumeId"], device.removeprefix("/dev/") if device else None
        )
        return Response({"volumeAttachment": volume_attachment_body(attachment, request.api_version)})


class VolumeAttachmentView(ComputeView):
    def get(self, request, server_id: str, volume_id: str):
        server = lookup.get_server(self.caller, server_id)
        row = server.volume_attachments.filter(volume_id=volume_id if is_uuid(volume_id) else None).first()
        if row is None:
            raise exceptions.NotFound(f"Volume {volume_id} is not attached to instance {server_id}.")
        return Response({"volumeAttachment": volume_attachment_body(row, request.api_version)})

    def delete(self, request, server_id: str, volume_id: str):
        server = lookup.get_server(self.caller, server_id)
        attachments.detach_volume(self.caller, server, volume_id)
        return Response(status=status.HTTP_202_ACCEPTED)


class InterfacesView(ComputeView):
    def get(self, request, server_id: str):
        server = lookup.get_server(self.caller, server_id)
        ports = Port.objects.filter(device_id=str(server.uuid)).order_by("created_at")
        return Response({"interfaceAttachments": [interface_body(port) for port in ports]})

    def post(self, request, server_id: str):
        server = lookup.get_server(self.caller, server_id)
        args = _body(request, "interfaceAttachment")
        fixed_ips = args.get("fixed_ips") or []
        if not isinstance(fixed_ips, list) or not all(isinstance(item, dict) for item in fixed_ips):
            raise exceptions.ValidationError("Invalid input for field/attribute fixed_ips.")
        for key in ("net_id", "port_id"):
            if args.get(key) is not None and not is_uuid(args[key]):
                raise exceptions.ValidationError(f"Invalid input for field/attribute {key}.")
        port = attachments.attach_interface(
            self.caller,
            server,
            net_id=args.get("net_id"),
            port_id=args.get("port_id"),
            fixed_ip=fixed_ips[0].get("ip_address") if fixed_ips else None,
        )
        return Response({"interfaceAttachment": interface_body(port)})


class InterfaceView(ComputeView):
    def get(self, request, server_id: str, port_id: str):
        server = lookup.get_server(self.caller, server_id)
        port = Port.objects.filter(id=port_id, device_id=str(server.uuid)).first() if is_uuid(port_id) else None
        if port is None:
            raise exceptions.NotFound(f"Port {port_id} is not attached to instance {server_id}.")
        return Response({"interfaceAttachment": interface_body(port)})

    def delete(self, request, server_id: str, port_id: str):
        server = lookup.get_server(self.caller, server_id)
        attachments.detach_interface(self.caller, server, port_id)
        return Response(status=status.HTTP_202_ACCEPTED)
