"""Regions, as Keystone keeps them (keystone/catalog/core.py, backends/sql.py): list, show,
create, describe or re-parent, delete. Any token may read them (identity:get_region and
identity:list_regions are open in keystone/common/policies/region.py); only an admin writes."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from core import policy
from core.exceptions import BadRequest, Conflict, Forbidden, NotFound
from core.principal import Caller
from core.unset import UNSET, Unset
from identity.models import Endpoint, Region, hex_id

#: Keystone's region_id: a string of 1 to 255 characters.
MAX_ID = 255


def find_region(region_id: str) -> Region:
    """The region ``region_id``, else Keystone's 404."""
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        raise NotFound(f"Could not find region: {region_id}.")
    return region


def list_regions(caller: Caller) -> QuerySet[Region]:
    """Every region (identity:list_regions); the API narrows by parent_region_id."""
    policy.enforce(caller, policy.IDENTITY_LIST_REGIONS)
    return Region.objects.all()


def get_region(caller: Caller, region_id: str) -> Region:
    """The region (identity:get_region), else Keystone's 404."""
    policy.enforce(caller, policy.IDENTITY_GET_REGION)
    return find_region(region_id)


def _parent(region_id: str, parent_id: str | None) -> Region | None:
    """The parent asked for: it must exist (404), and must not be the region or below it
    (Keystone's CircularRegionHierarchyError, 400)."""
    if not parent_id:
        return None
    parent = find_region(parent_id)
    ancestor: Region | None = parent
    while ancestor is not None:
        if ancestor.pk == region_id:
            raise BadRequest(f"The specified parent region {parent_id} would create a circular region hierarchy.")
        ancestor = ancestor.parent
    return parent


def create_region(
    caller: Caller, region_id: str | None = None, *, description: str = "", parent_id: str | None = None
) -> Region:
    """A new region (identity:create_region): an id Keystone makes when none is given; 409
    when the id is taken, 404 when the parent is unknown."""
    policy.enforce(caller, policy.IDENTITY_CREATE_REGION)
    region_id = region_id or hex_id()
    if len(region_id) > MAX_ID:
        raise BadRequest(f"Invalid input for field 'id': expected a string of 1 to {MAX_ID} characters.")
    with transaction.atomic():
        if Region.objects.select_for_update().filter(pk=region_id).exists():
            raise Conflict(f"Conflict occurred attempting to store region - Duplicate ID, {region_id}.")
        return Region.objects.create(id=region_id, description=description, parent=_parent(region_id, parent_id))


def update_region(
    caller: Caller, region_id: str, *, description: str | Unset = UNSET, parent_id: str | Unset | None = UNSET
) -> Region:
    """Change what is given of a region's description and parent (None: no parent;
    identity:update_region)."""
    policy.enforce(caller, policy.IDENTITY_UPDATE_REGION)
    with transaction.atomic():
        region = Region.objects.select_for_update().filter(pk=region_id).first() or find_region(region_id)
        if not isinstance(description, Unset):
            region.description = description
        if not isinstance(parent_id, Unset):
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
    """Delete a region and its child regions (identity:delete_region); Keystone's 403
    (RegionDeletionError) while an endpoint is in one of them."""
    policy.enforce(caller, policy.IDENTITY_DELETE_REGION)
    with transaction.atomic():
        regions = _subtree(find_region(region_id))
        if Endpoint.objects.filter(region__in=regions).exists():
            raise Forbidden(
                f"Unable to delete region {region_id} because it or its child regions have associated endpoints."
            )
        for region in regions:
            region.delete()
