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


def compute_then(task: str, host: str, task_args: list, callback: str, *callback_args) -> None:
    """Run compute task `task` with `task_args` on `host`'s queue, then conductor task
    `callback` with the compute outcome as its first argument."""
    (
        signature(task, args=task_args, queue=compute_queue(host))
        | signature(callback, args=list(callback_args), queue="conductor")
    ).apply_async()


def schedule_then(spec: dict, callback: str, *callback_args) -> None:
    """Ask the scheduler (its own queue) to place and claim `spec`, then run conductor task
    `callback` with the decision {"ok": True, "selections": [...]} or {"ok": False,
    "reason": ...} as its first argument."""
    (
        signature("scheduler.select_destinations", args=[spec], queue="scheduler")
        | signature(callback, args=list(callback_args), queue="conductor")
    ).apply_async()
