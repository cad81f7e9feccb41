"""`manage.py seed_demo`: create the demo cloud through the service layer (novasite.demo;
idempotent: a second run writes nothing)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from novasite.demo import seed
from novasite.demo_l3 import seed_l3


class Command(BaseCommand):
    help = (
        "Seed the demo cloud: region, zones, flavors, cirros image, provider network, admin and demo users, "
        "and as devstack the external network public, the demo project's network private and router1."
    )

    def handle(self, *args, **options) -> None:
        seed()
        seed_l3()
        self.stdout.write("demo cloud seeded")
