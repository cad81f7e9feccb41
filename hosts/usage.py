"""Compute-node usage as the operator sees it: for each resource, what is used against the
capacity the claims enforce (total x effective ratio - reserved, scheduling.capacity's
expression, never written again here), and a node's load (its fullest resource).

These are ORM expressions, so that a list of nodes or a zone's sum is one query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Expression, F, FloatField, QuerySet, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Greatest, NullIf

from scheduling.capacity import CAPACITY

from .models import ComputeNode

#: How a resource is named on the page, in CAPACITY's order.
RESOURCES = {"vcpus": "vCPUs", "memory_mb": "RAM MB", "disk_gb": "disk GB"}
TABLE = ComputeNode._meta.db_table


def capacity(resource: str) -> RawSQL:
    """A node's capacity of ``resource`` (a key of scheduling.capacity.CAPACITY), in SQL."""
    expression, _ = CAPACITY[resource]
    return RawSQL(expression.format(n=TABLE), (), output_field=FloatField())


def used(resource: str) -> F:
    """The column counting a node's usage of ``resource``."""
    return F(CAPACITY[resource][1])


def fraction(resource: str) -> Expression:
    """used / capacity of one node (0 when it has no capacity)."""
    share = Cast(used(resource), FloatField()) / NullIf(capacity(resource), Value(0.0))
    return Coalesce(share, Value(0.0), output_field=FloatField())


def load() -> Expression:
    """A node's load: the fraction of its fullest resource."""
    return Greatest(*(fraction(resource) for resource in CAPACITY), output_field=FloatField())


def with_usage(nodes: QuerySet[ComputeNode]) -> QuerySet[Any]:
    """``nodes`` annotated with ``capacity_<resource>`` for each resource, and ``load`` (typed
    loosely: the annotations are not the model's attributes to the type checker)."""
    return nodes.annotate(**{f"capacity_{resource}": capacity(resource) for resource in CAPACITY}, load=load())


def usage_sums() -> dict[str, Sum]:
    """Aggregates over a group of nodes: ``used_<resource>`` and ``capacity_<resource>``."""
    sums: dict[str, Sum] = {}
    for resource in CAPACITY:
        sums[f"used_{resource}"] = Sum(used(resource))
        sums[f"capacity_{resource}"] = Sum(capacity(resource))
    return sums


@dataclass(frozen=True)
class Usage:
    """One resource's usage: ``used`` of ``capacity`` (which may be below ``used`` when an
    operator lowered a ratio under running servers)."""

    name: str
    used: float
    capacity: float

    @property
    def percent(self) -> int:
        """How full, in percent (100 when there is no capacity but something is used)."""
        if self.capacity <= 0:
            return 100 if self.used > 0 else 0
        return round(100 * self.used / self.capacity)


def usages(row: object) -> list[Usage]:
    """The three Usage of a node annotated by with_usage(), or of a group's usage_sums() (a
    dict: its ``used_<resource>`` sums stand for the node's usage columns)."""
    if isinstance(row, dict):
        return [
            Usage(label, float(row[f"used_{resource}"] or 0), float(row[f"capacity_{resource}"] or 0))
            for resource, label in RESOURCES.items()
        ]
    return [
        Usage(label, float(getattr(row, CAPACITY[resource][1])), float(getattr(row, f"capacity_{resource}")))
        for resource, label in RESOURCES.items()
    ]
