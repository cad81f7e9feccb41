"""Neutron quotas: default limits, per-project overrides (NetworkQuota), usage counted from
the rows themselves, and the check made before a network, subnet, port, router, floating IP, security group
or rule is created.

Every check and every change of a project's limits first takes the project's quota lock
(``core.quotas.lock_project``) inside the caller's transaction, so concurrent creates in one
project serialise and cannot pass the limit."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model

from core import policy
from core.principal import Caller
from core.quotas import check_new_limits, fits, lock_project
from networks.exceptions import OverQuota
from networks.models import FloatingIP, Network, NetworkQuota, Port, Router, SecurityGroup, SecurityGroupRule, Subnet

SERVICE = "network"
DEFAULTS: dict[str, int] = {
    "network": 100,
    "subnet": 100,
    "port": 500,
    "router": 10,
    "floatingip": 50,
    "security_group": 10,
    "security_group_rule": 100,
}
COUNTED: dict[str, type[Model]] = {
    "network": Network,
    "subnet": Subnet,
    "port": Port,
    "router": Router,
    "floatingip": FloatingIP,
    "security_group": SecurityGroup,
    "security_group_rule": SecurityGroupRule,
}


@dataclass(frozen=True)
class QuotaDetail:
    """One resource's line of GET /quotas/{project}/details."""

    limit: int
    used: int
    reserved: int = 0


def limits(project_id: str) -> dict[str, int]:
    """The project's effective limits: the defaults with its overrides on top."""
    row = NetworkQuota.objects.filter(project_id=project_id).first()
    return {**DEFAULTS, **(row.limits if row else {})}


def _count(resource: str, project_id: str) -> int:
    return COUNTED[resource]._default_manager.filter(project_id=project_id).count()


def usage(project_id: str) -> dict[str, int]:
    """How many of each resource the project owns now."""
    used = dict.fromkeys(DEFAULTS, 0)
    for resource in COUNTED:
        used[resource] = _count(resource, project_id)
    return used


def reserve(project_id: str, resource: str, count: int = 1) -> None:
    """Raise OverQuota (409) unless ``count`` more of ``resource`` fit. Call inside
    transaction.atomic() before creating the rows, so the lock is held until they commit."""
    lock_project(SERVICE, project_id)
    if not fits(limits(project_id)[resource], _count(resource, project_id), count):
        raise OverQuota(resource)


# --- the quota API (neutron/extensions/quotasv2.py) ------------------------------------------


def _check_show(caller: Caller, project_id: str) -> None:
    """A project's members read its quotas; another project's need get_quota (admins)."""
    if project_id != caller.project_id:
        policy.enforce(caller, policy.NETWORK_QUOTA_SHOW, project_id=project_id)


def overridden(caller: Caller) -> dict[str, dict[str, int]]:
    """The effective limits of every project with stored overrides (admins)."""
    policy.enforce(caller, policy.NETWORK_QUOTA_SHOW)
    projects = NetworkQuota.objects.exclude(limits={}).order_by("project_id").values_list("project_id", flat=True)
    return {project_id: limits(project_id) for project_id in projects}


def show(caller: Caller, project_id: str) -> dict[str, int]:
    """The project's effective limits (its members, or admins)."""
    _check_show(caller, project_id)
    return limits(project_id)


def defaults(caller: Caller, project_id: str) -> dict[str, int]:
    """The default limits, as the project's members (or admins) may read them."""
    _check_show(caller, project_id)
    return dict(DEFAULTS)


def details(caller: Caller, project_id: str) -> dict[str, QuotaDetail]:
    """Limit, usage and reservations (none: creates are checked in one transaction) per resource."""
    _check_show(caller, project_id)
    used = usage(project_id)
    return {resource: QuotaDetail(limit, used[resource]) for resource, limit in limits(project_id).items()}


def update(caller: Caller, project_id: str, new_limits: dict[str, int], *, check_limit: bool = False) -> dict[str, int]:
    """Store overrides (resources of DEFAULTS, -1 unlimited) for the project (admins) and
    return its effective limits. With ``check_limit`` (the quota-check-limit extension), a
    limit below what the project already uses is a 400."""
    policy.enforce(caller, policy.NETWORK_QUOTA_UPDATE, project_id=project_id)
    with transaction.atomic():
        lock_project(SERVICE, project_id)
        if check_limit:
            check_new_limits(new_limits, usage(project_id))
        row, _ = NetworkQuota.objects.get_or_create(project_id=project_id)
        row.limits = {**row.limits, **new_limits}
        row.save()
    return limits(project_id)


def reset(caller: Caller, project_id: str) -> None:
    """Back to the defaults (admins)."""
    policy.enforce(caller, policy.NETWORK_QUOTA_DELETE, project_id=project_id)
    with transaction.atomic():
        lock_project(SERVICE, project_id)
        NetworkQuota.objects.filter(project_id=project_id).delete()
