"""`manage.py seed_demo`: create the demo cloud through the service layer (novasite.demo;
idempotent: a second run writes nothing). In a region that shares another region's identity
(IDENTITY_URL), register it there and seed its own rows (novasite.demo_region)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from novasite.demo import seed
from novasite.demo_l3 import seed_l3
from novasite.demo_region import seed_region


class Command(BaseCommand):
    help = (
        "Seed the demo cloud: region, zones, flavors, cirros image, provider network, admin and demo users, "
        "and as devstack the external network public, the demo project's network private and router1. "
        "With IDENTITY_URL: register this region's endpoints and service user at that identity service, "
        "then the same compute, network and image rows here."
    )

    def handle(self, *args, **options) -> None:
        if settings.IDENTITY_URL:
            seed_region()
            self.stdout.write(f"region {settings.REGION_NAME} registered at {settings.IDENTITY_URL} and seeded")
            return
        seed()
        seed_l3()
        self.stdout.write("demo cloud seeded")
