"""``{% novasite_dashboard %}``: the operator's dashboard (novasite.dashboard), drawn where the
admin's index template puts it; ``{{ usage|usage_bar }}``: a hosts.usage.Usage as a bar."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from hosts.usage import Usage
from novasite import dashboard
from novasite.bars import bar

register = template.Library()


@register.inclusion_tag("admin/novasite/dashboard.html")
def novasite_dashboard() -> dict[str, Any]:
    """The dashboard's panels, read now (novasite.dashboard.collect)."""
    return dashboard.context()


@register.filter
def usage_bar(usage: Usage) -> SafeString:
    """One resource's usage against its capacity, as a bar with its figures."""
    return bar(usage.used, usage.capacity)
