"""Regions, as Keystone keeps them (keystone/catalog/core.py, backends/sql.py): show, create,
describe or re-parent, delete. There is no region API here; the admin and seed_demo call
these. The service catalog's endpoints all live in settings.REGION_NAME, so that region
(and any region above it) cannot be deleted, as Keystone refuses a region with endpoints."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from core import policy
from core.exceptions import BadRequest, Conflict, NotFound
from core.principal import Caller
from hosts.models import MAX_NAME, Region


def _find(region_id: str) -> Region:
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        raise NotFound(f"Could not find region: {region_id}.")
    return region


def get_region(caller: Caller, region_id: str) -> Region:
    """The region (identity:get_region), else Keystone's 404."""
    policy.enforce(caller, policy.IDENTITY_GET_REGION)
    return _find(region_id)


def _parent(region_id: str, parent_id: str | None) -> Region | None:
    """The parent asked for: it must exist, and must not be the region or below it
    (Keystone's CircularRegionHierarchyError)."""
    if not parent_id:
        return None
    parent = _find(parent_id)
    ancestor: Region | None = parent
    while ancestor is not None:
        if ancestor.pk == region_id:
            raise BadRequest(f"The specified parent region {parent_id} would create a circular region hierarchy.")
        ancestor = ancestor.parent
    return parent


def create_region(caller: Caller, region_id: str, *, description: str = "", parent_id: str | None = None) -> Region:
    """A new region (identity:create_region); 409 when the id is taken."""
    policy.enforce(caller, policy.IDENTITY_CREATE_REGION)
    if not region_id or len(region_id) > MAX_NAME:
        raise BadRequest(f"Invalid input for field 'id': expected a string of 1 to {MAX_NAME} characters.")
    if Region.objects.filter(pk=region_id).exists():
        raise Conflict(f"Conflict occurred attempting to store region - Duplicate ID, {region_id}.")
    return Region.objects.create(id=region_id, description=description, parent=_parent(region_id, parent_id))


def update_region(caller: Caller, region_id: str, *, description: str, parent_id: str | None) -> Region:
    """Change a region's description and parent (identity:update_region)."""
    policy.enforce(caller, policy.IDENTITY_UPDATE_REGION)
    with transaction.atomic():
        region = Region.objects.select_for_update().filter(pk=region_id).first() or _find(region_id)
        region.description = description
        region.parent = _parent(region_id, parent_id)
        region.save()
    return region


def _subtree(region: Region) -> list[Region]:
    """The region and every region below it, deepest first."""
    found: list[Region] = []
    for child in Region.objects.filter(parent=region):
        found.extend(_subtree(child))
    found.append(region)
    return found


def delete_region(caller: Caller, region_id: str) -> None:
    """Delete a region and its child regions (identity:delete_region); 409 while the catalog's
    endpoints are in one of them."""
    policy.enforce(caller, policy.IDENTITY_DELETE_REGION)
    with transaction.atomic():
        regions = _subtree(_find(region_id))
        if any(region.pk == settings.REGION_NAME for region in regions):
            raise Conflict(
                f"Unable to delete region {region_id} because it or its child regions have associated endpoints."
            )
        for region in regions:
            region.delete()
