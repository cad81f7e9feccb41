"""Usage bars for the operator's pages, drawn server-side as HTML ``<meter>`` elements (the
browser colours them: green, then amber from 75%, red from 90%), with the figures beside
them so that a bar never stands without its numbers."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString

#: Where a bar turns amber, then red (fractions of the capacity).
HIGH, FULL = 0.75, 0.9


def figure(value: float) -> str:
    """A count as the page prints it: an integer when it is one, else one decimal."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def bar(used: float, capacity: float, unit: str = "") -> SafeString:
    """``used`` of ``capacity`` as a meter and "used / capacity unit (percent)"."""
    top = max(capacity, 0.0)
    percent = round(100 * used / capacity) if capacity > 0 else (100 if used > 0 else 0)
    text = f"{figure(used)} / {figure(capacity)}{' ' + unit if unit else ''}"
    return format_html(
        '<span class="novasite-bar" style="white-space: nowrap" title="{} ({}%)">'
        '<meter min="0" max="{}" low="{}" high="{}" optimum="0" value="{}" style="width: 5em; vertical-align: middle">'
        '{}%</meter> <span class="novasite-bar-figures">{} <small>({}%)</small></span></span>',
        text,
        percent,
        figure(top),
        figure(top * HIGH),
        figure(top * FULL),
        figure(min(max(used, 0.0), top)),
        percent,
        text,
        percent,
    )
