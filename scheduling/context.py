"""Decision: everything one placement decision needs besides the candidate rows, each piece
loaded at most once and only when a filter or weigher asks for it.

Per-host data that only the Python stage needs (cpu_info, I/O ops, aggregate membership for
multiplier overrides) is loaded for the whole candidate pool in one query the first time any
host of the pool asks, never host by host.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cached_property
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.ids import parse_uuid
from hosts.models import AggregateHost, ComputeNode
from images.models import Image
from servers.models import Server

from . import groups
from .aggregates import Metadata, metadata_values, min_float
from .host_state import HostState
from .request import RequestSpec

T = TypeVar("T")


class Decision:
    """One call of select_destinations (or one explanation): the spec plus lazily loaded
    context. `picks` lists the hosts this decision has claimed so far (multi-create)."""

    def __init__(self, spec: RequestSpec, now: datetime | None = None) -> None:
        self.spec = spec
        self.resources = spec.resources
        self.now = now or timezone.now()
        self.picks: list[str] = []
        self.pool: list[HostState] = []
        self._per_host: dict[str, dict[str, Any]] = {}
        self._overridden: dict[str, bool] = {}

    # --- request-level data -------------------------------------------------------------------
    @cached_property
    def aggregates(self) -> dict[int, Metadata]:
        """Every aggregate's metadata by id (aggregates are few; hosts are many)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, metadata FROM hosts_aggregate")
            rows: list[tuple[int, Any]] = cursor.fetchall()
        return {pk: (json.loads(meta) if isinstance(meta, str) else meta) or {} for pk, meta in rows}

    def aggregates_with(self, predicate: Callable[[str], bool]) -> dict[int, Metadata]:
        """Aggregates having a metadata key for which `predicate` is true."""
        return {pk: meta for pk, meta in self.aggregates.items() if any(predicate(key) for key in meta)}

    @cached_property
    def extra_specs(self) -> dict[str, str]:
        """The flavor's extra specs, as strings."""
        return {str(k): str(v) for k, v in (self.spec.flavor.get("extra_specs") or {}).items()}

    @cached_property
    def image_properties(self) -> dict[str, Any]:
        """The properties of the request's image ({} without one): as the spec carries them
        (the API read them with the image), else as the image has them now."""
        image = self.spec.image or {}
        if "properties" in image:
            return image["properties"] or {}
        image_uuid = parse_uuid(image.get("id"))
        if image_uuid is None:
            return {}  # booted from a volume, or no image at all
        found: dict[str, Any] | None = Image.objects.filter(pk=image_uuid).values_list("properties", flat=True).first()
        return found or {}

    @cached_property
    def group(self) -> groups.GroupInfo | None:
        """The server group of the request (its members' hosts are filled by the scheduler,
        under the group's lock when the policy is hard)."""
        return groups.load_group(self.spec.scheduler_hints or {})

    def load_group_members(self) -> None:
        """Read where the group's other servers are (the scheduler does, under the group's lock)."""
        if self.group is not None:
            groups.load_members(self.group, self.spec.instance_uuids)

    def group_counts(self) -> Counter[str]:
        """Members of the group per host, including this decision's own picks."""
        counts: Counter[str] = Counter(self.group.member_hosts) if self.group else Counter()
        counts.update(self.picks)
        return counts

    def _hint_hosts(self, key: str) -> set[str] | None:
        value = (self.spec.scheduler_hints or {}).get(key)
        if not value:
            return None
        uuids = [value] if isinstance(value, str) else list(value)
        hosts: set[str] = set()
        for found in groups.hosts_of_servers(uuids).values():
            hosts |= found
        return hosts

    @cached_property
    def same_host(self) -> set[str] | None:
        """Hosts of the servers named by the `same_host` hint (None: no such hint)."""
        return self._hint_hosts("same_host")

    @cached_property
    def different_host(self) -> set[str] | None:
        """Hosts of the servers named by the `different_host` hint (None: no such hint)."""
        return self._hint_hosts("different_host")

    # --- per-host data for the candidate pool ---------------------------------------------------
    def _for_pool(
        self, kind: str, host: HostState, load: Callable[[list[HostState]], Mapping[str, T]], default: T
    ) -> T:
        """`kind` data of `host`, loading it for every pool host missing it in one go."""
        known: dict[str, T] = self._per_host.setdefault(kind, {})
        if host.host not in known:
            missing = [h for h in self.pool if h.host not in known]
            if host not in missing:
                missing.append(host)
            known.update({h.host: default for h in missing})
            known.update(load(missing))
        return known[host.host]

    def cpu_info(self, host: HostState) -> dict[str, Any]:
        """The host's cpu_info (arch, model, features...) as a dict."""

        def load(hosts: list[HostState]) -> dict[str, dict[str, Any]]:
            rows = ComputeNode.objects.filter(host__in=[h.host for h in hosts]).values_list("host", "cpu_info")
            parsed: dict[str, dict[str, Any]] = {}
            for name, text in rows:
                try:
                    parsed[name] = json.loads(text) if text else {}
                except ValueError:
                    parsed[name] = {}
            return parsed

        return self._for_pool("cpu_info", host, load, {})

    def io_ops(self, host: HostState) -> int:
        """Servers on the host with a task in progress (building, migrating, snapshotting...)."""

        def load(hosts: list[HostState]) -> dict[str, int]:
            rows = Server.objects.filter(host__in=[h.host for h in hosts], deleted=False, task_state__isnull=False)
            return dict(Counter(host for host in rows.values_list("host", flat=True) if host is not None))

        return self._for_pool("io_ops", host, load, 0)

    @cached_property
    def _described_aggregates(self) -> dict[int, Metadata]:
        return self.aggregates_with(lambda key: key != "availability_zone")

    def host_aggregates(self, host: HostState) -> list[Metadata]:
        """Metadata of the host's aggregates that carry more than a zone."""
        relevant = self._described_aggregates

        def load(hosts: list[HostState]) -> dict[str, list[Metadata]]:
            found: dict[str, list[Metadata]] = {}
            rows = AggregateHost.objects.filter(host__in=[h.host for h in hosts], aggregate_id__in=list(relevant))
            for name, aggregate_id in rows.values_list("host", "aggregate_id"):
                found.setdefault(name, []).append(relevant[aggregate_id])
            return found

        if not relevant:
            return []
        return self._for_pool("aggregates", host, load, [])

    def multiplier(self, setting: str, metadata_key: str, host: HostState) -> float:
        """A weigher's multiplier for this host: the smallest valid override among its
        aggregates' metadata, else the setting (Nova's get_weight_multiplier)."""
        default = float(getattr(settings, setting, 1.0))
        if not self.overridden(metadata_key):
            return default
        value = min_float(metadata_values(self.host_aggregates(host), metadata_key), key=metadata_key)
        return default if value is None else value

    def overridden(self, metadata_key: str) -> bool:
        """Whether any aggregate overrides this multiplier (so a zero setting still counts)."""
        if not metadata_key:
            return False
        if metadata_key not in self._overridden:
            self._overridden[metadata_key] = any(metadata_key in meta for meta in self.aggregates.values())
        return self._overridden[metadata_key]
