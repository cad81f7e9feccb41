"""Links into Celery Flower, where every task of a server can be found by its uuid."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings


def tasks_of_server_url(server_uuid: str) -> str:
    """Flower's task list searched for one server's uuid (every task carries it)."""
    return f"{settings.FLOWER_URL}/tasks?{urlencode({'search': server_uuid})}"
