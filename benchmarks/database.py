"""The benchmarks' own databases."""

from __future__ import annotations

import django

from scripts.createdb import create_database


def ready(url: str) -> None:
    """Create the database ``url`` names if missing (PostgreSQL), set Django up (DATABASE_URL
    must already name ``url``) and apply every migration."""
    create_database(url)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0, skip_checks=True)
