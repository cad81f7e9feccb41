"""POST /servers/{id}/action: one body key names the action; each handler validates its
arguments (and decides by microversion) and calls the service layer (servers.services), which
checks the policy and the state rules."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from rest_framework import status
from rest_framework.response import Response

from core import microversions as mv
from core.bodies import optional_object
from core.exceptions import BadRequest
from core.views import ComputeView
from identity.catalog import base_url
from servers.models import Server
from servers.services import lookup, moves, operations, shelving, snapshots
from servers.services.metadata import check_metadata

from .representation import servers_detail
from .validation.metadata import metadata as parse_metadata

Handler = Callable[["ServerActionView", Server, object], Response]
ACCEPTED = status.HTTP_202_ACCEPTED


def _simple(rule: str) -> Handler:
    def handle(view, server, body):
        optional_object(body, rule)
        operations.simple(view.caller, server, rule)
        return Response(status=ACCEPTED)

    return handle


def _reboot(view, server, body):
    args = optional_object(body, "reboot")
    if not isinstance(args.get("type"), str):
        raise BadRequest("Invalid input for field/attribute reboot: 'type' is a required property.")
    operations.reboot(view.caller, server, args["type"].upper())
    return Response(status=ACCEPTED)


def _rescue(view, server, body):
    args = optional_object(body, "rescue")
    password = args.get("adminPass") or secrets.token_urlsafe(9)
    operations.rescue(view.caller, server, args.get("rescue_image_ref"))
    return Response({"adminPass": password}, status=status.HTTP_200_OK)


def _change_password(view, server, body):
    password = optional_object(body, "changePassword").get("adminPass")
    if not isinstance(password, str):
        raise BadRequest("adminPass must be a non-empty string.")
    operations.change_password(view.caller, server, password)
    return Response(status=ACCEPTED)


def _lock(view, server, body):
    args = optional_object(body, "lock")
    reason = args.get("locked_reason")
    if reason is not None and (
        view.request.api_version < mv.LOCKED_REASON or not isinstance(reason, str) or len(reason) > 255
    ):
        raise BadRequest("Invalid input for field/attribute lock: locked_reason.")
    operations.lock(view.caller, server, reason)
    return Response(status=ACCEPTED)


def _unlock(view, server, body):
    operations.unlock(view.caller, server)
    return Response(status=ACCEPTED)


def _reset_state(view, server, body):
    state = operations.check_reset_state(optional_object(body, "os-resetState").get("state"))
    operations.reset_state(view.caller, server, state)
    return Response(status=ACCEPTED)


def _restore(view, server, body):
    operations.restore(view.caller, server)
    return Response(status=ACCEPTED)


def _force_delete(view, server, body):
    operations.force_delete(view.caller, server)
    return Response(status=ACCEPTED)


HANDLERS: dict[str, Handler] = {
    "os-stop": _simple("stop"),
    "os-start": _simple("start"),
    "pause": _simple("pause"),
    "unpause": _simple("unpause"),
    "suspend": _simple("suspend"),
    "resume": _simple("resume"),
    "unrescue": _simple("unrescue"),
    "trigger_crash_dump": _simple("trigger_crash_dump"),
    "reboot": _reboot,
    "rescue": _rescue,
    "changePassword": _change_password,
    "lock": _lock,
    "unlock": _unlock,
    "os-resetState": _reset_state,
    "forceDelete": _force_delete,
    "restore": _restore,
}


def register(name: str) -> Callable[[Handler], Handler]:
    """Add a handler for an action key (used by modules that add action families)."""

    def add(handler: Handler) -> Handler:
        HANDLERS[name] = handler
        return handler

    return add


class ServerActionView(ComputeView):
    """POST /servers/{id}/action."""

    def post(self, request, server_id: str):
        server = lookup.get_server(self.caller, server_id)
        if not isinstance(request.data, dict) or len(request.data) != 1:
            raise BadRequest("The action body must be an object with exactly one action key.")
        [(name, body)] = request.data.items()
        handler = HANDLERS.get(name)
        if handler is None:
            raise BadRequest(f"There is no such action: {name}")
        return handler(self, server, body)


# --- moves ------------------------------------------------------------------------------


@register("resize")
def _resize(view, server, body):
    args = optional_object(body, "resize")
    if not args.get("flavorRef"):
        raise BadRequest("Invalid input for field/attribute resize: 'flavorRef' is a required property.")
    moves.resize(view.caller, server, str(args["flavorRef"]))
    return Response(status=ACCEPTED)


@register("migrate")
def _migrate(view, server, body):
    args = optional_object(body, "migrate")
    host = args.get("host")
    if host is not None and view.request.api_version < mv.MIGRATE_TO_HOST:
        raise BadRequest("Invalid input for field/attribute migrate: 'host' needs microversion 2.56.")
    moves.migrate(view.caller, server, host)
    return Response(status=ACCEPTED)


@register("confirmResize")
def _confirm_resize(view, server, body):
    moves.confirm_resize(view.caller, server)
    return Response(status=status.HTTP_204_NO_CONTENT)


@register("revertResize")
def _revert_resize(view, server, body):
    moves.revert_resize(view.caller, server)
    return Response(status=ACCEPTED)


@register("rebuild")
def _rebuild(view, server, body):
    args = optional_object(body, "rebuild")
    if not isinstance(args.get("imageRef"), str) or not args["imageRef"]:
        raise BadRequest("Invalid input for field/attribute rebuild: 'imageRef' is a required property.")
    name = args.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip() or len(name) > 255):
        raise BadRequest("Invalid input for field/attribute name.")
    metadata = args.get("metadata")
    if metadata is not None and (
        not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values())
    ):
        raise BadRequest("Invalid input for field/attribute metadata.")
    operations.rebuild(view.caller, server, args["imageRef"], name=name, metadata=metadata)
    server.refresh_from_db()
    body = servers_detail([server], view.request.api_version, base_url(view.request), is_admin=view.caller.is_admin)[0]
    if args.get("adminPass"):
        body["adminPass"] = args["adminPass"]
    return Response({"server": body}, status=ACCEPTED)


@register("createImage")
def _create_image(view, server, body):
    args = optional_object(body, "createImage")
    name = snapshots.check_name(args.get("name"), max_length=255)
    image = snapshots.create_image(view.caller, server, name, _image_metadata(args))
    return _image_response(view, image)


def _image_metadata(args: dict[str, Any]) -> dict[str, Any] | None:
    """The image properties a snapshot or backup is created with, if given: Nova's
    parameter_types.metadata (keys of 1 to 255 of [a-zA-Z0-9-_:. ], string values of at
    most 255 characters)."""
    metadata = args.get("metadata")
    if metadata is None:
        return None
    return check_metadata(parse_metadata(metadata))


def _image_response(view, image) -> Response:
    """From 2.45 the new image's id is in the body; before, in the Location header."""
    if view.request.api_version >= mv.CREATE_IMAGE_RETURNS_ID:
        return Response({"image_id": str(image.id)}, status=ACCEPTED)
    response = Response(status=ACCEPTED)
    response["Location"] = f"{base_url(view.request)}/image/v2/images/{image.id}"
    return response


@register("createBackup")
def _create_backup(view, server, body):
    args = optional_object(body, "createBackup")
    for key in ("name", "backup_type", "rotation"):
        if key not in args:
            raise BadRequest(f"Invalid input for field/attribute createBackup: '{key}' is a required property.")
    backup_type, rotation = args["backup_type"], args["rotation"]
    if not isinstance(backup_type, str) or not backup_type:
        raise BadRequest("Invalid input for field/attribute backup_type.")
    if isinstance(rotation, str) and rotation.isdigit():
        rotation = int(rotation)
    if isinstance(rotation, bool) or not isinstance(rotation, int):
        raise BadRequest("Invalid input for field/attribute rotation.")
    image = snapshots.create_backup(
        view.caller, server, snapshots.check_name(args["name"]), backup_type, rotation, _image_metadata(args)
    )
    return _image_response(view, image)


@register("shelve")
def _shelve(view, server, body):
    shelving.shelve(view.caller, server)
    return Response(status=ACCEPTED)


@register("shelveOffload")
def _shelve_offload(view, server, body):
    shelving.shelve_offload(view.caller, server)
    return Response(status=ACCEPTED)


@register("unshelve")
def _unshelve(view, server, body):
    args = optional_object(body, "unshelve")
    zone = args.get("availability_zone")
    if zone is not None and (view.request.api_version < mv.UNSHELVE_TO_ZONE or not isinstance(zone, str)):
        raise BadRequest("Invalid input for field/attribute unshelve: availability_zone.")
    shelving.unshelve(view.caller, server, zone)
    return Response(status=ACCEPTED)


@register("os-migrateLive")
def _live_migrate(view, server, body):
    args = optional_object(body, "os-migrateLive")
    if "host" not in args or "block_migration" not in args:
        raise BadRequest("Invalid input for field/attribute os-migrateLive: 'host' and 'block_migration' are required.")
    moves.live_migrate(view.caller, server, args.get("host"), args.get("block_migration"))
    return Response(status=ACCEPTED)


@register("evacuate")
def _evacuate(view, server, body):
    args = optional_object(body, "evacuate")
    moves.evacuate(view.caller, server, args.get("host"))
    if view.request.api_version < mv.EVACUATE_WITHOUT_SHARED_STORAGE:
        return Response({"adminPass": args.get("adminPass") or secrets.token_urlsafe(9)}, status=status.HTTP_200_OK)
    return Response(status=status.HTTP_200_OK)
