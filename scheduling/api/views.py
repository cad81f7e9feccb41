"""Admin endpoint: why would the scheduler not put a server of this flavor on this host?

    GET /scheduler/why-not?flavor=m1.large&host=compute7[&zone=az1][&project=demo][&image=ID][&group=UUID]

Answers the same verdicts as `manage.py explain_placement`, as JSON. Admin only (enforced by
scheduling.why_not): it reveals hosts, their usage and aggregate metadata.
"""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from core.exceptions import BadRequest, NotFound
from core.views import ServiceView
from scheduling import why_not

from .openapi import WHY_NOT


class WhyNotView(ServiceView):
    """GET /scheduler/why-not."""

    openapi = {"get": WHY_NOT}

    def get(self, request: Request) -> Response:
        params = request.query_params
        missing = [name for name in ("flavor", "host") if not params.get(name)]
        if missing:
            raise BadRequest(f"Query parameter(s) required: {', '.join(missing)}.")
        try:
            found = why_not.why_not(
                self.caller,
                params["flavor"],
                params["host"],
                zone=params.get("zone"),
                project=params.get("project", ""),
                image=params.get("image", ""),
                group=params.get("group", ""),
            )
        except why_not.NotFound as exc:
            raise NotFound(str(exc)[0].upper() + str(exc)[1:] + ".") from exc
        return Response({"explanation": found.to_dict()})
