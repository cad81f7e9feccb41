"""Datetimes on the wire. The OpenStack services each write them their own way, and clients
parse them strictly enough that the format matters:

- ``seconds_z``: ``2026-11-30T17:22:20Z`` (Nova servers and images, Glance, Neutron);
- ``micro``: ``2026-11-30T17:22:20.123456`` (Nova services, hypervisors, migrations,
  instance actions, aggregates; Cinder);
- ``micro_z``: ``2026-11-30T17:22:20.123456Z`` (Keystone)."""

from __future__ import annotations

from datetime import datetime


def seconds_z(value: datetime | None) -> str | None:
    """Whole seconds, a Z suffix; None stays None."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def micro(value: datetime | None) -> str | None:
    """Microseconds, no zone; None stays None."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value else None


def micro_z(value: datetime | None) -> str | None:
    """Microseconds, a Z suffix; None stays None."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if value else None
