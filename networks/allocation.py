"""Finding a subnet's next free address by index (``networks.ipam`` makes the ports).

Every held address is an ``IPAllocation`` row, UNIQUE per (subnet, address). The lowest free
pool address is found on that index, without reading any port:

- the search starts at the subnet's ``ipam_floor`` (no pool address below it is free), so its
  cost is the run of held addresses above the floor, not the network's size. An allocation
  raises the floor past its address once it commits; a freed address lowers it again (the
  ``post_delete`` receiver below) and bumps ``ipam_epoch``, which voids any raise based on an
  older look (a compare-and-swap on the epoch);
- from there it walks to the end of the run of held addresses (one past the first held address
  whose successor is free);
- on PostgreSQL each candidate is taken with a transaction-level try-lock: an address another
  transaction is taking right now (its row not committed yet, so not seen) is skipped, and
  concurrent ports take neighbouring addresses instead of queueing on the UNIQUE constraint.
  SQLite serialises writers already.

Uniqueness never rests on the floor or the locks: the UNIQUE constraint decides, and the loser
tries again (``networks.ipam.create_port``)."""

from __future__ import annotations

import ipaddress
import zlib
from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Least

from .models import IPAllocation, Subnet

# First key of PostgreSQL's two-key advisory locks taken on addresses ("NvIP"); the second is
# derived from the subnet and the address (a collision only makes a search skip an address).
LOCK_NAMESPACE = int.from_bytes(b"NvIP", "big")


def default_pools(cidr: str, gateway: str | None) -> list[dict[str, str]]:
    """All host addresses of the (IPv4) CIDR except the gateway: one pool, or two when the
    gateway sits inside the host range (as Neutron splits them)."""
    net = ipaddress.IPv4Network(cidr, strict=False)
    if net.num_addresses <= 2:
        return []
    first, last = net.network_address + 1, net.broadcast_address - 1
    gw = ipaddress.IPv4Address(gateway) if gateway else None
    if gw is None or not first <= gw <= last:
        return [{"start": str(first), "end": str(last)}]
    pools = []
    if gw > first:
        pools.append({"start": str(first), "end": str(gw - 1)})
    if gw < last:
        pools.append({"start": str(gw + 1), "end": str(last)})
    return pools


def _ranges(subnet: Subnet) -> list[tuple[int, int]]:
    """The subnet's pools as (first, last) integer addresses, in order, the gateway cut out."""
    gateway = int(ipaddress.IPv4Address(subnet.gateway_ip)) if subnet.gateway_ip else None
    ranges = []
    for pool in subnet.allocation_pools or default_pools(subnet.cidr, subnet.gateway_ip):
        first, last = int(ipaddress.IPv4Address(pool["start"])), int(ipaddress.IPv4Address(pool["end"]))
        if gateway is not None and first <= gateway <= last:
            ranges += [(first, gateway - 1), (gateway + 1, last)]
        else:
            ranges.append((first, last))
    return [(first, last) for first, last in ranges if first <= last]


def held(subnet: Subnet, address: int) -> bool:
    """Whether a port holds the address (committed, as this transaction sees it)."""
    return IPAllocation.objects.filter(subnet=subnet, address=address).exists()


def _lowest_free_in(subnet: Subnet, first: int, last: int) -> int | None:
    """The lowest address from first to last that no port holds: ``first`` itself, else one
    past the first held address whose successor is free (both on the (subnet, address) index)."""
    if not held(subnet, first):
        return first
    successor_held = Exists(IPAllocation.objects.filter(subnet=subnet, address=OuterRef("address") + 1))
    end_of_run = (
        IPAllocation.objects.filter(subnet=subnet, address__gte=first, address__lt=last)
        .exclude(successor_held)
        .order_by("address")
        .values_list("address", flat=True)
        .first()
    )
    return None if end_of_run is None else end_of_run + 1


def _free_addresses(subnet: Subnet) -> Iterator[int]:
    """The free pool addresses from the floor up, in order (each looked up when asked for)."""
    for first, last in _ranges(subnet):
        start = max(first, subnet.ipam_floor)
        while start <= last:
            found = _lowest_free_in(subnet, start, last)
            if found is None:
                break
            yield found
            start = found + 1


def _try_lock(subnet: Subnet, address: int) -> bool:
    """Take the address's lock until this transaction ends, unless another transaction has it
    (PostgreSQL; elsewhere writers are serialised and this is always True)."""
    if connection.vendor != "postgresql":
        return True
    key = zlib.crc32(f"{subnet.id}:{address}".encode())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s)", (LOCK_NAMESPACE, key - 2**32 if key >= 2**31 else key)
        )
        return bool(cursor.fetchone()[0])


def next_free(subnet: Subnet) -> tuple[int, int] | None:
    """(address, floor after it) for the lowest free pool address that no other transaction is
    taking, or None when the pools are full. When every free address is being taken, the
    first of them (the UNIQUE constraint then waits for the other transaction). The floor
    after it: past it, or the first address skipped (it is free again if its taker fails)."""
    skipped = None
    for address in _free_addresses(subnet):
        if _try_lock(subnet, address):
            return address, address + 1 if skipped is None else skipped
        skipped = address if skipped is None else skipped
    return None if skipped is None else (skipped, skipped)


def raise_floor_on_commit(subnet: Subnet, floor: int) -> None:
    """Once this transaction commits, raise the subnet's floor to ``floor`` unless an address
    was freed since the subnet was read (the epoch moved). Call inside the savepoint that
    inserts the allocation: a rolled-back savepoint drops the callback."""
    subnet_id, epoch = subnet.id, subnet.ipam_epoch

    def raise_floor() -> None:
        Subnet.objects.filter(id=subnet_id, ipam_epoch=epoch, ipam_floor__lt=floor).update(ipam_floor=floor)

    transaction.on_commit(raise_floor)


def freed(sender: type[IPAllocation], instance: IPAllocation, **kwargs: Any) -> None:
    """``post_delete`` of an allocation (its port went, or its subnet): searches start at or
    below the address from now on."""
    Subnet.objects.filter(id=instance.subnet_id).update(
        ipam_floor=Least(F("ipam_floor"), instance.address), ipam_epoch=F("ipam_epoch") + 1
    )
