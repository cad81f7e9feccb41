"""A server's encrypted password (nova/api/openstack/compute/server_password.py): what the
guest posted to the metadata service, encrypted with its SSH key. Clearing it forgets that
record; the guest's password itself does not change."""

from __future__ import annotations

from core import policy
from core.principal import Caller

from ..models import Server
from .lookup import get_server


def show_password(caller: Caller, server_id: str) -> str:
    """GET /servers/{id}/os-server-password: the encrypted password, "" when there is none."""
    server = get_server(caller, server_id)
    policy.enforce(caller, policy.SERVER_PASSWORD_SHOW, project_id=server.project_id)
    return server.password


def clear_password(caller: Caller, server_id: str) -> None:
    """DELETE /servers/{id}/os-server-password."""
    server = get_server(caller, server_id)
    policy.enforce(caller, policy.SERVER_PASSWORD_CLEAR, project_id=server.project_id)
    Server.objects.filter(pk=server.pk).update(password="")
