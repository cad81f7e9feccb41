"""/os-volumes_boot: Nova's old alias of /servers (list and create), served until 2.102
and gone from 2.103 (404, as an unknown resource)."""

from __future__ import annotations

from dataclasses import replace

from rest_framework.request import Request

from core import microversions as mv
from core.exceptions import NotFound

from .views import ServersView


class VolumesBootView(ServersView):
    """GET and POST /os-volumes_boot: GET and POST /servers under another name."""

    openapi = {
        method: replace(operation, errors=tuple(sorted({*operation.errors, 404})))
        for method, operation in ServersView.openapi.items()
    }

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if request.api_version >= mv.VOLUMES_BOOT_REMOVED:  # type: ignore[attr-defined]
            raise NotFound("The resource could not be found.")
