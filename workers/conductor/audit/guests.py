"""The audit of the hypervisors: guests that no server claims.

The database does not keep what each hypervisor runs: compute workers send their guests
(uuid -> power state) with their periodic report (workers/compute/heartbeat.py), and the
conductor uses the list for the power-state sync and a restart's recovery
(workers/conductor/recovery.py) without storing it. So the audit asks each up compute host
now, through the host-query path the API uses for diagnostics (compute.list_guests,
workers/compute/queries.py): all hosts at once, every answer awaited until one deadline,
`timeout` seconds away.

A guest on host H is claimed by a live server whose host is H, or which has a task in progress
(a build, a move: it may be on its way to or from H), or a move in flight from or to H. Any
other guest is reported. Heal: terminate it on its host, as the recovery of a restarted host
reaps guests of deleted servers (recovery.reap_deleted does that part), when the server is
deleted or there is no server at all. A guest of a live server that the database puts on
another host is reported only: which copy is the real one is for the operator to judge.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from celery.exceptions import TimeoutError as CeleryTimeout
from celery.result import AsyncResult
from django.conf import settings

from hosts.heartbeats import up_condition
from hosts.models import Service
from novasite.celery import app as celery_app
from novasite.celery import compute_queue
from servers.models import Server

from ..dispatch import compute_cast
from ..recovery import reap_deleted
from .findings import GUEST_WITHOUT_SERVER, HOST_NOT_ANSWERING, AuditReport, Finding, live_servers, moves_holding

log = logging.getLogger(__name__)


def up_compute_hosts() -> list[str]:
    """The compute hosts whose service is up, by name."""
    services = Service.objects.filter(up_condition(), binary="nova-compute").order_by("host")
    return list(services.values_list("host", flat=True))


def hypervisor_guests(hosts: list[str], timeout: float) -> tuple[dict[str, dict[str, int]], dict[str, str]]:
    """({host: {guest uuid: power state}} of the hosts that answered, {host: why not} of the
    others). Every host is asked before any answer is awaited, and all answers share one
    deadline: `timeout` seconds from now, however many hosts there are."""
    pending: dict[str, AsyncResult] = {
        host: celery_app.send_task("compute.list_guests", queue=compute_queue(host), ignore_result=False)
        for host in hosts
    }
    deadline = time.monotonic() + timeout
    answers: dict[str, dict[str, int]] = {}
    silent: dict[str, str] = {}
    for host, result in pending.items():
        try:
            answer: dict[str, Any] = result.get(timeout=max(deadline - time.monotonic(), 0.01), propagate=True)
        except CeleryTimeout:
            silent[host] = f"no answer within {timeout:g} s"
            continue
        finally:
            result.forget()
        if answer.get("ok"):
            answers[host] = answer["guests"]
        else:
            silent[host] = answer.get("error", "failed")
    return answers, silent


def _claimed(host: str, guest: str, servers: dict[str, Server], moving: set[tuple[str, str]]) -> bool:
    server = servers.get(guest)
    if server is None or server.deleted:
        return False
    return server.host == host or server.task_state is not None or (guest, host) in moving


def _terminate(host: str, guest: str, server: Server | None) -> None:
    """Destroy the guest on its host (asynchronously, as the recovery does)."""
    if server is not None and server.deleted:
        reap_deleted(host, {guest: 0})
        return
    # No server row: the compute task needs nothing but the guest's uuid.
    compute_cast("compute.terminate_instance", host, [{"uuid": guest, "name": ""}], server_uuid=guest, request_id=None)


def guests_without_server(report: AuditReport, timeout: float | None = None) -> None:
    """Guests on the up compute hosts that no server claims; heal: terminate those of deleted
    or unknown servers. A host that does not answer is a finding too (its guests went
    unchecked)."""
    hosts = up_compute_hosts()
    answers, silent = hypervisor_guests(hosts, settings.COMPUTE_CALL_TIMEOUT if timeout is None else timeout)
    report.checked["hosts"] = len(hosts)
    report.checked["guests"] = sum(len(guests) for guests in answers.values())
    for host, why in silent.items():
        report.findings.append(
            Finding(
                HOST_NOT_ANSWERING, host, f"Compute host {host} did not list its guests ({why})", outcome="unchecked"
            )
        )
    every = {guest for guests in answers.values() for guest in guests}
    servers = {str(s.uuid): s for s in Server.objects.filter(uuid__in=every)}
    moving = {
        (str(server_uuid), host)
        for server_uuid, source, dest in moves_holding()
        .filter(server__uuid__in=every)
        .values_list("server__uuid", "source_compute", "dest_compute")
        for host in (source, dest)
        if host
    }
    live = set(map(str, live_servers().filter(uuid__in=every).values_list("uuid", flat=True)))
    for host, guests in sorted(answers.items()):
        for guest in sorted(guests):
            if _claimed(host, guest, servers, moving):
                continue
            server = servers.get(guest)
            if server is None:
                whose = "no server has this uuid"
            elif guest not in live:
                whose = f"server {guest} is deleted"
            else:
                whose = f"server {guest} is on host {server.host}"
            finding = Finding(GUEST_WITHOUT_SERVER, guest, f"Guest {guest} on host {host}: {whose}")
            report.findings.append(finding)
            if guest in live:
                finding.outcome = "not terminated: judge which copy is the real one"
            elif report.heal:
                _terminate(host, guest, server)
                finding.healed, finding.outcome = True, "terminate sent"
            else:
                finding.outcome = "can be terminated"
