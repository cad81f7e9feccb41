"""Request parsers for the two non-JSON media types of the image API. Each is set on the one
view that needs it, so no other endpoint accepts them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from rest_framework.parsers import BaseParser, JSONParser


class OctetStreamParser(BaseParser):
    """application/octet-stream: hands the request stream itself to the view, unread, so an
    upload is copied to disk in chunks and never held in memory."""

    media_type = "application/octet-stream"

    # DRF's stub says a parser returns parsed data (a mapping); this one returns the stream.
    def parse(  # type: ignore[override]
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> IO[Any]:
        return stream


class JsonPatchParser(JSONParser):
    """Glance's JSON-patch media type (a JSON list of operations)."""

    media_type = "application/openstack-images-v2.1-json-patch"
