"""ComputeFilter: only hosts whose compute service is enabled and up (heard from within
SERVICE_DOWN_TIME and not forced down)."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from hosts.heartbeats import up_cutoff
from hosts.models import Service
from scheduling.context import Decision
from scheduling.host_state import HostState

from .base import BaseFilter, Sql


class ComputeFilter(BaseFilter):
    name = "ComputeFilter"

    def sql(self, decision: Decision) -> Sql:
        # A primary-key probe per candidate row: cheap for the few rows an indexed walk reads.
        # OFFSET 0 keeps the planner from turning this into a join driven by hosts_service:
        # heartbeats move last_seen_up faster than statistics follow, so the planner would
        # believe almost no service is up and read every service first.
        fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
        return Sql(
            "EXISTS (SELECT 1 FROM hosts_service s WHERE s.id = n.service_id AND s.disabled = %s "
            f"AND s.forced_down = %s AND s.last_seen_up >= %s{fence})",
            (False, False, up_cutoff(decision.now)),
        )

    def rejected_hosts_sql(self, decision: Decision) -> Sql:
        # Down or disabled services are few: one pass over the services, then their hosts
        # by the unique index on service_id (and the hosts without a service by the same
        # index). On PostgreSQL the services go in an array first, as a join would be hashed
        # over every host.
        down = (
            "SELECT s.id FROM hosts_service s "
            "WHERE s.disabled OR s.forced_down OR s.last_seen_up IS NULL OR s.last_seen_up < %s"
        )
        among = f"= ANY(ARRAY({down}))" if connection.vendor == "postgresql" else f"IN ({down})"
        return Sql(
            "SELECT n.id FROM hosts_computenode n WHERE n.service_id IS NULL UNION ALL "
            f"SELECT n.id FROM hosts_computenode n WHERE n.service_id {among}",
            (up_cutoff(decision.now),),
        )

    def why(self, host: HostState, decision: Decision) -> str:
        service = Service.objects.filter(compute_node__id=host.id).first()
        if service is None:
            return "no compute service is registered for this node"
        if service.disabled:
            return f"the compute service is disabled ({service.disabled_reason or 'no reason given'})"
        if service.forced_down:
            return "the compute service is forced down"
        if service.last_seen_up is None:
            return "the compute service has never reported"
        age = (timezone.now() - service.last_seen_up).total_seconds()
        return f"the compute service is down: last heard from {age:.0f} s ago"
