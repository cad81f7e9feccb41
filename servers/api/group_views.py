"""/os-server-groups and /os-server-groups/{id}: thin views over servers.services.groups.

Microversions: below 2.64 a group shows `policies: [p]` and `metadata: {}`; from 2.64
`policy` and `rules`; from 2.13 `project_id` and `user_id`. Create answers 200, delete 204."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.response import Response

from core import microversions as mv
from core.bodies import unwrap
from core.microversions import Microversion
from core.params import parse_int
from core.views import ComputeView
from hosts.api.base import refuse_unknown_query
from servers.models import ServerGroup
from servers.services import groups as service

from . import openapi_resources as doc
from .validation.common import NOT_AN_INTEGER, limit_param
from .validation.groups import group_create


def group_body(group: ServerGroup, version: Microversion) -> dict[str, Any]:
    body: dict[str, Any] = {"id": str(group.uuid), "name": group.name}
    if version >= mv.SERVER_GROUP_POLICY_RULES:
        body["policy"] = group.policy
        body["rules"] = group.rules
    else:
        body["policies"] = [group.policy]
        body["metadata"] = {}
    body["members"] = service.member_uuids(group)
    if version >= mv.SERVER_GROUP_OWNER:
        body["project_id"] = group.project_id
        body["user_id"] = group.user_id
    return body


class ServerGroupsView(ComputeView):
    """GET /os-server-groups (all_projects for admins; limit/offset); POST (create; 200)."""

    openapi = {"get": doc.SERVER_GROUP_LIST, "post": doc.SERVER_GROUP_CREATE}

    def get(self, request) -> Response:
        params = request.query_params
        if request.api_version >= mv.API_CONSISTENCY:
            refuse_unknown_query(request, ("all_projects", "limit", "offset"))
        offset = parse_int(
            params.get("offset", "0"), "offset", minimum=0, message=NOT_AN_INTEGER, below_minimum=NOT_AN_INTEGER
        )
        all_projects = "all_projects" in params  # Nova: its presence is enough
        groups = service.list_groups(self.caller, all_projects, limit_param(request), min(offset, 2**31))
        return Response({"server_groups": [group_body(group, request.api_version) for group in groups]})

    def post(self, request) -> Response:
        group = service.create_group(
            self.caller, group_create(unwrap(request.data, "server_group"), request.api_version)
        )
        return Response({"server_group": group_body(group, request.api_version)})


class ServerGroupView(ComputeView):
    """GET and DELETE /os-server-groups/{id}."""

    openapi = {"get": doc.SERVER_GROUP_SHOW, "delete": doc.SERVER_GROUP_DELETE}

    def get(self, request, group_id: str) -> Response:
        if request.api_version >= mv.QUERY_PARAMS_RESTRICTED:
            refuse_unknown_query(request, ())
        return Response({"server_group": group_body(service.get_group(self.caller, group_id), request.api_version)})

    def delete(self, request, group_id: str) -> Response:
        service.delete_group(self.caller, group_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
