"""Bulk-loading a cloud of N servers into PostgreSQL with COPY (benchmarks/lists.py).

Rows are written through one COPY per table: Django's bulk_create builds a model object per
row and an INSERT per batch, about ten times slower at a million rows. Columns a row leaves
out take the field's default, so the loader only spells what differs from one row to the
next.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

BATCH = 50_000
FLAVOR = {"flavorid": "1", "name": "m1.tiny", "vcpus": 1, "memory_mb": 512, "root_gb": 1, "extra_specs": {}}
STATES = [
    ("active", None, 1),
    ("active", None, 1),
    ("stopped", None, 4),
    ("error", None, 0),
    ("active", "rebooting", 1),
]


def _text(value: Any) -> str:
    """``value`` in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    elif isinstance(value, datetime):
        value = value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def copy_rows(model: type[Model], rows: Iterable[Mapping[str, Any]]) -> int:
    """COPY ``rows`` (values by attname) into ``model``'s table; returns how many. A column a
    row leaves out takes the field's default (now for auto_now fields); an auto id is left
    to its sequence."""
    now = timezone.now()
    fields = [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and field.get_internal_type() in ("AutoField", "BigAutoField"))
    ]
    defaults: dict[str, Any] = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        elif field.has_default():
            defaults[field.attname] = field.get_default()
        else:
            defaults[field.attname] = None
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    total = 0
    batch = io.StringIO()
    with connection.cursor() as cursor:
        for count, row in enumerate(rows, start=1):
            values = (row[field.attname] if field.attname in row else defaults[field.attname] for field in fields)
            batch.write("\t".join(_text(value) for value in values) + "\n")
            if count % BATCH == 0:
                batch.seek(0)
                cursor.copy_expert(sql, batch)
                batch = io.StringIO()
            total = count
        batch.seek(0)
        cursor.copy_expert(sql, batch)
    return total


def address(index: int) -> str:
    """The fixed IPv4 address of the ``index``-th server's port (10.0.0.0/8, unique)."""
    return f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}"


def servers(count: int, projects: list[str], hosts: list[str], start: datetime) -> Iterator[dict[str, Any]]:
    """``count`` servers, created one a second from ``start`` (so that the newest-first order is
    the reverse of the ids), 90% in ``projects[0]``, spread over ``hosts``."""
    for index in range(count):
        vm_state, task_state, power = STATES[index % len(STATES)]
        host = hosts[index % len(hosts)]
        created = start + timedelta(seconds=index)
        yield {
            "uuid": uuid.uuid4(),
            "name": f"vm-{index:07d}",
            "hostname": f"vm-{index:07d}",
            "project_id": projects[0] if index % 10 else projects[1 + index // 10 % (len(projects) - 1)],
            "user_id": "bench",
            "flavor": FLAVOR,
            "image_ref": "00000000-0000-0000-0000-000000000001",
            "host": host,
            "node": host,
            "availability_zone": "nova",
            "vm_state": vm_state,
            "task_state": task_state,
            "power_state": power,
            "key_name": "bench" if index % 2 else None,
            "launched_at": created + timedelta(seconds=30),
            "created_at": created,
            "updated_at": created + timedelta(seconds=30),
        }


def ports(rows: list[tuple[int, str, str]], network_id: Any) -> Iterator[dict[str, Any]]:
    """One port per server (``rows``: id, uuid, project), with its fixed IP."""
    for index, (_, server_uuid, project_id) in enumerate(rows):
        yield {
            "id": uuid.uuid4(),
            "network_id": network_id,
            "project_id": project_id,
            "mac_address": "fa:16:" + ":".join(f"{index >> shift & 255:02x}" for shift in (24, 16, 8, 0)),
            "fixed_ips": [{"subnet_id": "bench", "ip_address": address(index)}],
            "device_id": str(server_uuid),
            "device_owner": "compute:nova",
            "status": "ACTIVE",
        }


def actions(rows: list[tuple[int, str, str]], start: datetime) -> Iterator[dict[str, Any]]:
    """Two actions per server: its create and a stop."""
    for index, (server_id, _, project_id) in enumerate(rows):
        for offset, action in enumerate(("create", "stop")):
            when = start + timedelta(seconds=index, milliseconds=offset)
            yield {
                "server_id": server_id,
                "action": action,
                "request_id": f"req-{uuid.uuid4()}",
                "user_id": "bench",
                "project_id": project_id,
                "start_time": when,
                "finish_time": when,
            }


def allocations(rows: list[tuple[int, str, str]], nodes: list[int]) -> Iterator[dict[str, Any]]:
    """Each server's allocation on its host's compute node (servers go round the hosts)."""
    for index, (_, server_uuid, project_id) in enumerate(rows):
        yield {
            "consumer": server_uuid,
            "compute_node_id": nodes[index % len(nodes)],
            "vcpus": 1,
            "memory_mb": 512,
            "disk_gb": 1,
            "project_id": project_id,
            "user_id": "bench",
        }
