"""Request parsers for the two non-JSON media types of the image API. Each is set on the one
view that needs it, so no other endpoint accepts them."""

from __future__ import annotations

from typing import BinaryIO

from rest_framework.parsers import BaseParser, JSONParser


class OctetStreamParser(BaseParser):
    """application/octet-stream: hands the request stream itself to the view, unread, so an
    upload is copied to disk in chunks and never held in memory."""

    media_type = "application/octet-stream"

    def parse(self, stream: BinaryIO, media_type: str | None = None, parser_context: dict | None = None) -> BinaryIO:
        return stream


class JsonPatchParser(JSONParser):
    """Glance's JSON-patch media type (a JSON list of operations)."""

    media_type = "application/openstack-images-v2.1-json-patch"
