"""A server row written straight to the database, for API tests that need one in a given state
without running a build: the demo project's, flavor 42, active on host c1 unless told otherwise."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from identity.models import Project, User
from servers.models import Server

FLAVOR_42 = {"flavorid": "42", "name": "cirros", "vcpus": 1, "memory_mb": 128, "root_gb": 1}


def demo_server(**fields: Any) -> Server:
    """An ACTIVE, running server of the demo user on c1 (node c1); ``fields`` override any column."""
    values: dict[str, Any] = {
        "name": "vm",
        "project_id": Project.objects.get(name="demo").id,
        "user_id": User.objects.get(name="demo").id,
        "flavor": FLAVOR_42,
        "vm_state": "active",
        "power_state": 1,
        "host": "c1",
        "node": "c1",
        "launched_at": timezone.now(),
    }
    return Server.objects.create(**{**values, **fields})
