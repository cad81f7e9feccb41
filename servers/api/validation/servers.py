"""Validation of compute request bodies. Errors become Nova's 400 badRequest."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from rest_framework import serializers

from core import microversions as mv
from core.exceptions import BadRequest
from core.ids import is_uuid
from core.microversions import Microversion
from servers.services import block_devices
from servers.services.create import ServerCreate


class NetworkRequestSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(required=False)
    port = serializers.UUIDField(required=False)
    fixed_ip = serializers.IPAddressField(required=False)

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("uuid") and not attrs.get("port"):
            raise serializers.ValidationError("Each network needs a uuid or a port.")
        return attrs


class ServerCreateSerializer(serializers.Serializer):
    """Nova's `server` object for POST /servers (the subset novasite serves)."""

    name = serializers.CharField(max_length=255, trim_whitespace=False)
    imageRef = serializers.CharField(max_length=64, allow_blank=True, required=False)
    flavorRef = serializers.CharField(max_length=255)
    networks = serializers.JSONField(required=False)
    availability_zone = serializers.CharField(max_length=255, required=False, allow_null=True)
    key_name = serializers.CharField(max_length=255, required=False, allow_null=True)
    metadata = serializers.DictField(child=serializers.CharField(max_length=255, allow_blank=True), required=False)
    user_data = serializers.CharField(required=False, allow_null=True, max_length=65535)
    description = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=255)
    min_count = serializers.IntegerField(required=False, min_value=1, default=1)
    max_count = serializers.IntegerField(required=False, min_value=1, default=None, allow_null=True)
    # The formats are checked by the JSON schema (server_schemas.create), as Nova's.
    accessIPv4 = serializers.CharField(required=False, allow_null=True)
    accessIPv6 = serializers.CharField(required=False, allow_null=True)
    config_drive = serializers.BooleanField(required=False, default=False)
    block_device_mapping_v2 = serializers.ListField(child=serializers.DictField(), required=False)
    block_device_mapping = serializers.ListField(child=serializers.DictField(), required=False)
    security_groups = serializers.ListField(child=serializers.DictField(), required=False)
    adminPass = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)

    def validate_name(self, value: str) -> str:
        if not value.strip() or value != value.strip():
            raise serializers.ValidationError(
                "Invalid input: name may not be blank or have leading or trailing spaces."
            )
        return value

    def validate_metadata(self, value: dict) -> dict:
        for key in value:
            if not 1 <= len(key) <= 255:
                raise serializers.ValidationError("Metadata keys must be 1 to 255 characters.")
        return value

    def validate_networks(self, value: object) -> object:
        if value in ("auto", "none"):
            return value
        if not isinstance(value, list):
            raise serializers.ValidationError('Must be "auto", "none" or a list of networks.')
        checked = []
        for entry in value:
            item = NetworkRequestSerializer(data=entry)
            item.is_valid(raise_exception=True)
            checked.append({key: str(val) for key, val in item.validated_data.items()})
        return checked

    def validate(self, attrs: dict) -> dict:
        image = attrs.get("imageRef") or ""
        try:
            mappings = block_devices.parse_v2(attrs.get("block_device_mapping_v2", []))
            mappings += block_devices.parse_legacy(attrs.get("block_device_mapping", []), has_image=bool(image))
        except BadRequest as exc:
            raise serializers.ValidationError(str(exc)) from None
        image = image or block_devices.image_from_mappings(mappings)
        if not image and not mappings:
            raise serializers.ValidationError({"imageRef": "Missing imageRef attribute"})
        if image and not is_uuid(image):
            raise serializers.ValidationError({"imageRef": f"Invalid imageRef provided: {image}."})
        attrs["imageRef"] = image
        attrs["block_devices"] = mappings
        max_count = attrs.get("max_count") or attrs["min_count"]
        if max_count < attrs["min_count"]:
            raise serializers.ValidationError({"min_count": "min_count must be <= max_count"})
        attrs["max_count"] = max_count
        return attrs

    def to_request(self, api_version: Microversion, scheduler_hints: object = None) -> ServerCreate:
        data = self.validated_data
        networks = data.get("networks")
        if networks is None:
            if api_version >= mv.NETWORKS_REQUIRED:
                raise serializers.ValidationError({"networks": "This field is required from microversion 2.37."})
            networks = "auto"
        return ServerCreate(
            name=data["name"],
            flavor_ref=data["flavorRef"],
            image_ref=data["imageRef"],
            block_devices=data["block_devices"],
            networks=networks,
            availability_zone=data.get("availability_zone"),
            key_name=data.get("key_name"),
            metadata=data.get("metadata", {}),
            user_data=data.get("user_data"),
            description=data.get("description"),
            min_count=data["min_count"],
            max_count=data["max_count"],
            access_ip_v4=data.get("accessIPv4"),
            access_ip_v6=data.get("accessIPv6"),
            config_drive=data.get("config_drive", False),
            scheduler_hints=validate_scheduler_hints(scheduler_hints),
            admin_password=data.get("adminPass"),
            tags=list(dict.fromkeys(self.initial_data.get("tags") or [])) if api_version >= mv.TAGS_ON_CREATE else [],
            security_groups=[group["name"] for group in data.get("security_groups", []) if group.get("name")],
        )


def validate_scheduler_hints(hints: object) -> dict:
    """`os:scheduler_hints` (a sibling of `server` in the body): an object; the hints the
    scheduler knows are checked for shape, others are kept as given (Nova allows them)."""
    if hints is None:
        return {}
    if not isinstance(hints, dict):
        raise serializers.ValidationError({"os:scheduler_hints": "Must be an object."})
    for key in ("same_host", "different_host"):
        if key in hints:
            value = hints[key]
            hosts = [value] if isinstance(value, str) else value
            if not isinstance(hosts, list) or not all(isinstance(item, str) for item in hosts):
                raise serializers.ValidationError(
                    {"os:scheduler_hints": f"{key} must be a server uuid or a list of them."}
                )
            for item in hosts:
                if not is_uuid(item):
                    raise serializers.ValidationError({"os:scheduler_hints": f"{key}: {item} is not a server uuid."})
            hints = {**hints, key: hosts}
    if "group" in hints and not isinstance(hints["group"], str):
        raise serializers.ValidationError({"os:scheduler_hints": "group must be a server group uuid."})
    return hints


HOSTNAME_RE = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$")
FQDN_RE = re.compile(
    r"^(?=.{1,255}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$"
)


def pinned_zone_field(value: object) -> str | None:
    """2.104's `pinned_availability_zone`: a zone name (Nova's name_or_none: 1-255
    characters, no leading or trailing blank) or null to unpin."""
    if value is None:
        return None
    if not isinstance(value, str) or not value or value != value.strip() or len(value) > 255 or "\x00" in value:
        raise serializers.ValidationError("Invalid input for field/attribute pinned_availability_zone.")
    return value


def validate_server_update(body: dict[str, Any], api_version: Microversion) -> dict[str, str | bool | None]:
    """The `server` object of PUT /servers/{id}: name, accessIPv4, accessIPv6, description
    (2.19+) and hostname (2.90+; an FQDN from 2.94). Nova's schema forbids anything else.
    Returns the model columns to change."""
    allowed = {"name", "accessIPv4", "accessIPv6", "OS-DCF:diskConfig"}
    if api_version >= mv.SERVER_DESCRIPTION:
        allowed.add("description")
    if api_version >= mv.SERVER_HOSTNAME:
        allowed.add("hostname")
    if api_version >= mv.PINNED_AVAILABILITY_ZONE_UPDATE:
        allowed.add("pinned_availability_zone")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise serializers.ValidationError(
            "Invalid input for field/attribute server. Additional properties are not allowed"
            f" ({', '.join(unknown)} unexpected)"
        )
    changes: dict[str, str | bool | None] = {}
    if "name" in body:
        name = body["name"]
        if not isinstance(name, str) or not name.strip() or name != name.strip() or len(name) > 255 or "\x00" in name:
            raise serializers.ValidationError("Invalid input for field/attribute name.")
        changes["name"] = name
    if "description" in body:
        description = body["description"]
        if description is not None and (
            not isinstance(description, str) or len(description) > 255 or "\x00" in description
        ):
            raise serializers.ValidationError("Invalid input for field/attribute description.")
        changes["description"] = description
    if "hostname" in body:
        hostname = body["hostname"]
        pattern = FQDN_RE if api_version >= mv.HOSTNAME_FQDN else HOSTNAME_RE
        if not isinstance(hostname, str) or not pattern.match(hostname):
            raise serializers.ValidationError("Invalid input for field/attribute hostname.")
        changes["hostname"] = hostname
    if "pinned_availability_zone" in body:
        changes["requested_availability_zone"] = pinned_zone_field(body["pinned_availability_zone"])
    for key, column, version in (("accessIPv4", "access_ip_v4", 4), ("accessIPv6", "access_ip_v6", 6)):
        if key not in body:
            continue
        value = body[key]
        if value in (None, ""):
            changes[column] = None
            continue
        try:
            if not isinstance(value, str) or ipaddress.ip_address(value).version != version:
                raise ValueError(value)
        except ValueError:
            raise serializers.ValidationError(f"Invalid input for field/attribute {key}.") from None
        changes[column] = value
    if "OS-DCF:diskConfig" in body:
        if body["OS-DCF:diskConfig"] not in ("AUTO", "MANUAL"):
            raise serializers.ValidationError("Invalid input for field/attribute OS-DCF:diskConfig.")
        changes["auto_disk_config"] = body["OS-DCF:diskConfig"] == "AUTO"
    return changes


def rebuild_changes(body: dict[str, Any], api_version: Microversion) -> dict[str, object]:
    """The columns a rebuild body (already checked against its schema) changes besides the
    image: name, metadata, description (2.19+), access IPs, disk config, key_name (2.54+),
    user_data (2.57+) and hostname (2.90+)."""
    changes: dict[str, object] = {}
    for key, column in (("name", "name"), ("metadata", "metadata"), ("accessIPv4", "access_ip_v4")):
        if key in body:
            changes[column] = body[key]
    if "accessIPv6" in body:
        changes["access_ip_v6"] = body["accessIPv6"]
    if "OS-DCF:diskConfig" in body:
        changes["auto_disk_config"] = body["OS-DCF:diskConfig"] == "AUTO"
    for key, version in (
        ("description", mv.SERVER_DESCRIPTION),
        ("key_name", mv.REBUILD_KEYPAIR),
        ("user_data", mv.INJECTED_FILES_REMOVED),
        ("hostname", mv.SERVER_HOSTNAME),
    ):
        if key in body and api_version >= version:
            changes[key] = body[key]
    return changes
