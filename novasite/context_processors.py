"""Template context of the operator console's pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def operator_console(request: HttpRequest) -> dict[str, Any]:
    """What every admin page's header links to: Celery Flower (FLOWER_URL)."""
    return {"flower_url": settings.FLOWER_URL}
