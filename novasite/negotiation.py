"""Content negotiation for every API: the OpenStack services speak JSON only, and clients
send all sorts of Accept headers (openstacksdk sends an empty one on some calls), so the
answer is always JSON rather than DRF's 406."""

from __future__ import annotations

from rest_framework.negotiation import DefaultContentNegotiation


class AlwaysJSON(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type
