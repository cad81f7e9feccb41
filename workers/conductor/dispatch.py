"""Sending work to a compute host: the one place that turns a server into a compute message
and picks the host's queue."""
from __future__ import annotations

import os

from celery import signature
from django.conf import settings

from novasite.celery import compute_queue
from servers.models import Server


def instance_payload(server: Server) -> dict:
    """Everything a compute worker needs about a server; it never reads the database."""
    flavor = server.flavor
    image_path = os.path.join(settings.IMAGE_DIR, server.image_ref) if server.image_ref else None
    return {
        "uuid": str(server.uuid),
        "name": server.instance_name,
        "vcpus": flavor["vcpus"],
        "memory_mb": flavor["memory_mb"],
        "root_gb": flavor.get("root_gb", 0),
        "image_path": image_path,
        "metadata": {"display_name": server.name, "flavor_name": flavor.get("name", ""), "image": server.image_ref},
    }


def compute_then(task: str, host: str, payload: dict, callback: str, *callback_args) -> None:
    """Run compute task `task` on `host`'s queue, then conductor task `callback` with its
    outcome as the first argument."""
    (
        signature(task, args=[payload], queue=compute_queue(host))
        | signature(callback, args=list(callback_args), queue="conductor")
    ).apply_async()
