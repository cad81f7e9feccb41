"""Whether a project exists, for the other apps (quota and flavor-access writes, Cinder's
admin project scope): a row here, or, in a region that shares another region's identity
(IDENTITY_URL), a project the shared identity service knows (``remote_tokens``: asked with the
service token, and then shadowed here), as Nova and Cinder ask Keystone."""

from __future__ import annotations

from . import remote, remote_tokens
from .models import Project


def project_exists(project_id: str) -> bool:
    """Whether ``project_id`` is a project of the cloud's identity service."""
    if Project.objects.filter(pk=project_id).exists():
        return True
    return remote.configured() and remote_tokens.known_project(project_id)
