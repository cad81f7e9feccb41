"""/os-server-groups and /os-server-groups/{id}: thin views over servers.groups.

Microversions: below 2.64 a group shows `policies: [p]` and `metadata: {}`; from 2.64
`policy` and `rules`; from 2.13 `project_id` and `user_id`. Create answers 200, delete 204."""

from __future__ import annotations

from rest_framework import exceptions, status
from rest_framework.response import Response

from core.views import ComputeView
from servers.models import ServerGroup
from servers.services import groups as service

from .flavor_views import body_object, limit_param


def group_body(group: ServerGroup, version: tuple[int, int]) -> dict:
    body: dict = {"id": str(group.uuid), "name": group.name}
    if version >= (2, 64):
        body["policy"] = group.policy
        body["rules"] = group.rules
    else:
        body["policies"] = [group.policy]
        body["metadata"] = {}
    body["members"] = service.member_uuids(group)
    if version >= (2, 13):
        body["project_id"] = group.project_id
        body["user_id"] = group.user_id
    return body


class ServerGroupsView(ComputeView):
    """GET /os-server-groups (all_projects for admins; limit/offset); POST (create; 200)."""

    def get(self, request):
        params = request.query_params
        offset = params.get("offset", "0")
        if not offset.isdigit():
            raise exceptions.ValidationError(f"offset param must be an integer: {offset}")
        all_projects = "all_projects" in params  # Nova: its presence is enough
        groups = service.list_groups(self.caller, all_projects, limit_param(request), min(int(offset), 2**31))
        return Response({"server_groups": [group_body(group, request.api_version) for group in groups]})

    def post(self, request):
        group = service.create_group(self.caller, body_object(request, "server_group"), request.api_version)
        return Response({"server_group": group_body(group, request.api_version)})


class ServerGroupView(ComputeView):
    """GET and DELETE /os-server-groups/{id}."""

    def get(self, request, group_id: str):
        return Response({"server_group": group_body(service.get_group(self.caller, group_id), request.api_version)})

    def delete(self, request, group_id: str):
        service.delete_group(self.caller, group_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
