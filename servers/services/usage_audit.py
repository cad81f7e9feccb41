"""The instance usage audit log (nova/api/openstack/compute/instance_usage_audit_log.py): for
the last audit period completed before a time, which compute hosts ran the usage audit.

Nova's audit is a periodic task that is off by default (instance_usage_audit=False); novasite
does not run it, so no host has a task log and every compute host counts as not run. The
period is Nova's default: the last whole calendar month (instance_usage_audit_period=month)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from core import policy
from core.exceptions import BadRequest
from core.principal import Caller
from hosts.models import Service


def last_completed_month(before: datetime | None = None) -> tuple[datetime, datetime]:
    """Nova's utils.last_completed_audit_period for a monthly period: (first day of the month
    before the last month that started before ``before``, first day of that month), naive UTC."""
    now = before or timezone.now().replace(tzinfo=None)
    end = datetime(now.year, now.month, 1)
    if end >= now:
        end = datetime(now.year - 1, 12, 1) if now.month == 1 else datetime(now.year, now.month - 1, 1)
    begin = datetime(end.year - 1, 12, 1) if end.month == 1 else datetime(end.year, end.month - 1, 1)
    return begin, end


def parse_before(text: str) -> datetime:
    """The show URL's timestamp: ``%Y-%m-%d %H:%M:%S`` with optional microseconds, else 400."""
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f" if "." in text else "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise BadRequest(f"Invalid timestamp for date {text}") from None


def _audit_log(before: datetime | None) -> dict[str, Any]:
    begin, end = last_completed_month(before)
    hosts = sorted(set(Service.objects.filter(binary="nova-compute").values_list("host", flat=True)))
    return {
        "period_beginning": str(begin),
        "period_ending": str(end),
        "num_hosts": len(hosts),
        "num_hosts_done": 0,
        "num_hosts_running": 0,
        "num_hosts_not_run": len(hosts),
        "hosts_not_run": hosts,
        "total_instances": 0,
        "total_errors": 0,
        "overall_status": f"{'ALL' if not hosts else f'0 of {len(hosts)}'} hosts done. 0 errors.",
        "log": {},
    }


def audit_log(caller: Caller) -> dict[str, Any]:
    """GET /os-instance_usage_audit_log (admins)."""
    policy.enforce(caller, policy.USAGE_AUDIT_LOG_LIST)
    return _audit_log(None)


def audit_log_before(caller: Caller, before: str) -> dict[str, Any]:
    """GET /os-instance_usage_audit_log/{before} (admins)."""
    policy.enforce(caller, policy.USAGE_AUDIT_LOG_SHOW)
    return _audit_log(parse_before(before))
