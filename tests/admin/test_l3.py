"""Routers and floating IPs in the admin: read-only listings of what the L3 API made."""

from __future__ import annotations

import pytest

from networks.models import FloatingIP, Router

from .pages import url

pytestmark = pytest.mark.django_db


def test_router_listing_shows_gateway_and_interfaces(staff, rows):
    router = rows[Router]
    page = staff.get(url(Router, "changelist")).content.decode()
    assert router.name in page and "public1 (172.24.1.2)" in page
    assert '<td class="field-interfaces">1</td>' in page
    assert staff.get(url(Router, "add")).status_code == 403
    assert staff.get(url(Router, "delete", router.pk)).status_code == 403
    assert b'name="name"' not in staff.get(url(Router, "change", router.pk)).content


def test_floating_ip_listing_shows_the_association(staff, rows):
    fip = rows[FloatingIP]
    page = staff.get(url(FloatingIP, "changelist")).content.decode()
    assert "172.24.1.3" in page and "10.0.1.5" in page and "ACTIVE" in page
    assert staff.get(url(FloatingIP, "add")).status_code == 403
    assert staff.post(url(FloatingIP, "delete", fip.pk), {"post": "yes"}).status_code == 403
    assert FloatingIP.objects.filter(pk=fip.pk).exists()
