"""Instance passwords: the adminPass a create, rebuild, rescue or evacuate sets in the guest
and answers with (Nova's [api]enable_instance_password), and the server's encrypted password
(nova/api/openstack/compute/server_password.py): what the guest posted to the metadata service,
encrypted with its SSH key. Clearing that forgets the record; the guest's password itself does
not change."""

from __future__ import annotations

import secrets
import string

from django.conf import settings

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


# As Nova's generated passwords: letters and digits without the look-alikes (0 O 1 l I).
_PASSWORD_SYMBOLS = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


def generate_password(length: int | None = None) -> str:
    """A random password from letters and digits that cannot be misread."""
    size = length or settings.PASSWORD_LENGTH
    return "".join(secrets.choice(_PASSWORD_SYMBOLS) for _ in range(size))


def admin_password(requested: str | None) -> str:
    """The admin password of a create, rebuild or rescue: the requested one, else a generated
    one (as Nova, whether or not the API shows it; see shown_password)."""
    return requested if requested is not None else generate_password()


def passwords_shown() -> bool:
    """Whether the API hands out instance passwords (Nova's [api]enable_instance_password)."""
    return bool(settings.ENABLE_INSTANCE_PASSWORD)


def shown_password(password: str | None) -> str | None:
    """The adminPass the API answers with: the password, unless passwords are not shown."""
    return password if passwords_shown() else None
