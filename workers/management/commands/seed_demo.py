"""`manage.py seed_demo`: create the demo cloud through the service layer (novasite.demo;
idempotent: a second run writes nothing)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from novasite.demo import seed


class Command(BaseCommand):
    help = "Seed the demo cloud: region, zones, flavors, cirros image, provider network, admin and demo users."

    def handle(self, *args, **options) -> None:
        seed()
        self.stdout.write("demo cloud seeded")
