"""POST /servers/{id}/action: one body key names the action; each handler validates its
arguments (and decides by microversion) and calls the service layer (servers.services), which
checks the policy and the state rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework import status
from rest_framework.response import Response

from core import microversions as mv
from core.bodies import optional_object
from core.exceptions import BadRequest
from core.params import bool_word
from core.unset import UNSET
from core.views import ComputeView
from identity.catalog import base_url
from servers.models import Server
from servers.services import lookup, moves, operations, passwords, shelving, snapshots
from servers.services.metadata import check_metadata

from . import openapi as doc
from .representation import changed, servers_detail
from .validation import server_schemas
from .validation.metadata import metadata as parse_metadata
from .validation.schema import validate
from .validation.servers import rebuild_changes

Handler = Callable[["ServerActionView", Server, object], Response]
ACCEPTED = status.HTTP_202_ACCEPTED


def _simple(rule: str) -> Handler:
    def handle(view, server, body):
        optional_object(body, rule)
        operations.simple(view.caller, server, rule)
        return Response(status=ACCEPTED)

    return handle


def _reboot(view, server, body):
    validate(server_schemas.REBOOT, {"reboot": body})
    operations.reboot(view.caller, server, body["type"].upper())
    return Response(status=ACCEPTED)


def _rescue(view, server, body):
    validate(server_schemas.RESCUE, {"rescue": body})
    args = body or {}
    password = passwords.admin_password(args.get("adminPass"))
    operations.rescue(view.caller, server, args.get("rescue_image_ref"), admin_password=password)
    shown = passwords.shown_password(password)
    return Response({"adminPass": shown} if shown is not None else {}, status=status.HTTP_200_OK)


def _change_password(view, server, body):
    validate(server_schemas.change_password(), {"changePassword": body})
    operations.change_password(view.caller, server, body["adminPass"])
    return Response(status=ACCEPTED)


def _lock(view, server, body):
    args = optional_object(body, "lock")
    reason = args.get("locked_reason")
    if reason is not None and view.request.api_version < mv.LOCKED_REASON:
        raise BadRequest("Invalid input for field/attribute lock: locked_reason.")
    operations.lock(view.caller, server, reason)  # the service checks the reason itself
    return Response(status=ACCEPTED)


def _unlock(view, server, body):
    operations.unlock(view.caller, server)
    return Response(status=ACCEPTED)


def _reset_state(view, server, body):
    state = operations.check_reset_state(optional_object(body, "os-resetState").get("state"))
    operations.reset_state(view.caller, server, state)
    return Response(status=ACCEPTED)


def _inject_network_info(view, server, body):
    operations.inject_network_info(view.caller, server)
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
    "injectNetworkInfo": _inject_network_info,
}


def register(name: str) -> Callable[[Handler], Handler]:
    """Add a handler for an action key (used by modules that add action families)."""

    def add(handler: Handler) -> Handler:
        HANDLERS[name] = handler
        return handler

    return add


class ServerActionView(ComputeView):
    """POST /servers/{id}/action."""

    openapi = {"post": doc.server_action(HANDLERS)}

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
    validate(server_schemas.RESIZE, {"resize": body})
    disk_config = body.get("OS-DCF:diskConfig")
    auto_disk_config = None if disk_config is None else disk_config == "AUTO"
    moves.resize(view.caller, server, str(body["flavorRef"]), auto_disk_config=auto_disk_config)
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
    """Rebuild; answers the server as PUT does (key_name from 2.54, user_data from 2.57) with
    its adminPass."""
    version = view.request.api_version
    validate(server_schemas.rebuild(version), {"rebuild": body})
    password = passwords.admin_password(body.get("adminPass"))
    operations.rebuild(
        view.caller,
        server,
        body["imageRef"],
        rebuild_changes(body, version),
        admin_password=password,
        reimage_volume=version >= mv.VOLUME_REIMAGED_EVENT,
    )
    server.refresh_from_db()
    shown = changed(version, keypair=version >= mv.REBUILD_KEYPAIR)
    document = servers_detail([server], version, base_url(view.request), is_admin=view.caller.is_admin, shown=shown)
    answer = document[0]
    if passwords.passwords_shown():
        answer["adminPass"] = password
    if version >= mv.INJECTED_FILES_REMOVED:
        answer["user_data"] = server.user_data
    return Response({"server": answer}, status=ACCEPTED)


@register("createImage")
def _create_image(view, server, body):
    validate(server_schemas.CREATE_IMAGE, {"createImage": body})
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
    version = view.request.api_version
    zone = args.get("availability_zone")
    if zone is not None and (version < mv.UNSHELVE_TO_ZONE or not isinstance(zone, str)):
        raise BadRequest("Invalid input for field/attribute unshelve: availability_zone.")
    host = args.get("host") if version >= mv.UNSHELVE_TO_HOST else None
    if host is not None and (not isinstance(host, str) or not host):
        raise BadRequest("Invalid input for field/attribute unshelve: host.")
    # From 2.91 an explicit null zone unpins the server; before, null means "not given".
    unpin = version >= mv.UNSHELVE_TO_HOST and "availability_zone" in args
    shelving.unshelve(view.caller, server, zone if zone is not None or unpin else UNSET, host=host)
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
    """Evacuate; before 2.14 the answer carries the adminPass (None for a server on shared
    storage, whose disk, and so password, is kept)."""
    version = view.request.api_version
    validate(server_schemas.evacuate(version), {"evacuate": body})
    args = body
    password: str | None = args.get("adminPass")
    if version < mv.EVACUATE_WITHOUT_SHARED_STORAGE:
        on_shared_storage = bool_word(args["onSharedStorage"]) is True
        if on_shared_storage and password is not None:
            raise BadRequest("admin password can't be changed on existing disk")
        if password is None and not on_shared_storage:
            password = passwords.generate_password()
    moves.evacuate(view.caller, server, args.get("host"))
    if version < mv.EVACUATE_WITHOUT_SHARED_STORAGE and passwords.passwords_shown():
        return Response({"adminPass": password}, status=status.HTTP_200_OK)
    return Response(status=status.HTTP_200_OK)
