"""Server tags (nova/api/openstack/compute/server_tags.py, microversion 2.26): list, check,
add one, replace all, remove one, remove all. Reads need the reader role on the server's
project; writes the member role and a server in ACTIVE, PAUSED, SUSPENDED or STOPPED (any
task_state, locked or not), else 409. A server has at most 50 tags of 1 to 60 characters
without '/' or ','."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction

from core import policy
from core.exceptions import BadRequest, NotFound
from core.principal import Caller

from ..models import Server, ServerTag
from ..models.tag import MAX_TAG_COUNT, MAX_TAG_LENGTH
from . import operations
from .lookup import get_server


def tag_problem(tag: object) -> str | None:
    """Why ``tag`` is not a valid tag (Nova's parameter_types.tag), or None."""
    if not isinstance(tag, str):
        return f"{tag!r} is not of type 'string'"
    if not tag:
        return f"{tag!r} is too short"
    if len(tag) > MAX_TAG_LENGTH:
        return f"{tag!r} is too long"
    if "/" in tag or "," in tag:
        return f"{tag!r} does not match '^[^,/]*$'"
    return None


def check_tags(tags: object) -> list[str]:
    """A request's list of tags, validated as Nova's update_all schema does (400)."""
    if not isinstance(tags, list):
        raise BadRequest(f"Invalid input for field/attribute tags. Value: {tags}. {tags!r} is not of type 'array'")
    if len(tags) > MAX_TAG_COUNT:
        raise BadRequest(f"Invalid input for field/attribute tags. Value: {tags}. {tags!r} is too long")
    for tag in tags:
        problem = tag_problem(tag)
        if problem:
            raise BadRequest(f"Invalid input for field/attribute tags. Value: {tag}. {problem}")
    return list(dict.fromkeys(tags))


def _readable(caller: Caller, server_id: str, rule: policy.Rule) -> Server:
    server = get_server(caller, server_id)
    policy.enforce(caller, rule, project_id=server.project_id)
    return server


def _writable(caller: Caller, server_id: str, rule: policy.Rule, action: str) -> Server:
    server = _readable(caller, server_id, rule)
    operations.check(caller, server, action)
    return server


def _names(server: Server) -> list[str]:
    return list(ServerTag.objects.filter(server=server).values_list("tag", flat=True))


def list_tags(caller: Caller, server_id: str) -> list[str]:
    """GET /servers/{id}/tags."""
    return _names(_readable(caller, server_id, policy.SERVER_TAGS_INDEX))


def has_tag(caller: Caller, server_id: str, tag: str) -> None:
    """GET /servers/{id}/tags/{tag}: nothing when it is there, else 404."""
    server = _readable(caller, server_id, policy.SERVER_TAGS_SHOW)
    if not ServerTag.objects.filter(server=server, tag=tag).exists():
        raise NotFound(f"Server {server_id} has no tag '{tag}'")


def add_tag(caller: Caller, server_id: str, tag: str) -> bool:
    """PUT /servers/{id}/tags/{tag}; True when the tag is new (201), False when the server
    already had it (204)."""
    server = _writable(caller, server_id, policy.SERVER_TAGS_UPDATE, "update_tag")
    problem = tag_problem(tag)
    if problem:
        raise BadRequest(
            f"Tag '{tag}' is invalid. It must be a non empty string without characters '/' and ','. "
            f"Validation error message: {problem}"
        )
    with transaction.atomic():
        # The server row's lock serialises concurrent adds, so the count limit holds.
        Server.objects.select_for_update().filter(pk=server.pk).first()
        existing = _names(server)
        if len(existing) >= MAX_TAG_COUNT:
            raise BadRequest(f"The number of tags exceeded the per-server limit {MAX_TAG_COUNT}")
        if tag in existing:
            return False
        try:
            with transaction.atomic():
                ServerTag.objects.create(server=server, tag=tag)
        except IntegrityError:
            return False
    return True


def replace_tags(caller: Caller, server_id: str, tags: Sequence[str]) -> list[str]:
    """PUT /servers/{id}/tags: the server's tags become ``tags``; returns them."""
    server = _writable(caller, server_id, policy.SERVER_TAGS_UPDATE_ALL, "update_tags")
    wanted = check_tags(list(tags))
    with transaction.atomic():
        Server.objects.select_for_update().filter(pk=server.pk).first()
        ServerTag.objects.filter(server=server).delete()
        ServerTag.objects.bulk_create([ServerTag(server=server, tag=tag) for tag in wanted])
    return wanted


def delete_tag(caller: Caller, server_id: str, tag: str) -> None:
    """DELETE /servers/{id}/tags/{tag}; 404 when the server has no such tag."""
    server = _writable(caller, server_id, policy.SERVER_TAGS_DELETE, "delete_tag")
    deleted, _ = ServerTag.objects.filter(server=server, tag=tag).delete()
    if not deleted:
        raise NotFound(f"Instance {server.uuid} has no tag '{tag}'")


def delete_all_tags(caller: Caller, server_id: str) -> None:
    """DELETE /servers/{id}/tags."""
    server = _writable(caller, server_id, policy.SERVER_TAGS_DELETE_ALL, "delete_tags")
    ServerTag.objects.filter(server=server).delete()
