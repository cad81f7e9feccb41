"""Nova's security group proxy APIs (deprecated: 404 from microversion 2.36):
/os-security-groups[/{id}], /os-security-group-rules[/{id}], /servers/{id}/os-security-groups,
and the addSecurityGroup / removeSecurityGroup server actions (which stay at every version).
Groups and rules are shown as Nova shows Neutron's: ingress rules only, sorted by project and
name (servers.services.security_groups holds the proxy's rules)."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from core import microversions as mv
from core.bodies import unwrap
from core.exceptions import BadRequest, NotFound
from core.ids import parse_uuid
from core.views import ComputeView
from networks.models import SecurityGroup, SecurityGroupRule
from servers.models import Server
from servers.services import lookup
from servers.services import security_groups as services

from . import openapi_proxies as doc
from .action_views import register

MAX_TEXT = 255


def rule_view(rule: SecurityGroupRule, parent: SecurityGroup) -> dict[str, Any]:
    """A rule as Nova shows it: the remote group by name and project, else the CIDR."""
    from_port, to_port = services.nova_ports(rule)
    remote = rule.remote_group
    return {
        "id": str(rule.id),
        "parent_group_id": str(parent.id),
        "ip_protocol": rule.protocol,
        "from_port": from_port,
        "to_port": to_port,
        "group": {"name": remote.name, "tenant_id": remote.project_id} if remote is not None else {},
        "ip_range": {} if remote is not None else {"cidr": rule.remote_ip_prefix or services.ANY_IPV4},
    }


def group_view(group: SecurityGroup) -> dict[str, Any]:
    return {
        "id": str(group.id),
        "name": group.name,
        "description": group.description,
        "tenant_id": group.project_id,
        "rules": [rule_view(rule, group) for rule in group.rules.all() if rule.direction == "ingress"],
    }


def sorted_views(groups: list[SecurityGroup]) -> list[dict[str, Any]]:
    return sorted(map(group_view, groups), key=lambda view: (view["tenant_id"], view["name"]))


def _text(body: dict[str, Any], key: str) -> str:
    if key not in body:
        raise BadRequest(f"'{key}' is a required property")
    value = body[key]
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise BadRequest(f"Invalid input for field/attribute {key}. Value: {value}. Must be a string of at most 255.")
    return value


def _uuid_field(body: dict[str, Any], key: str) -> str:
    value = body[key]
    if not isinstance(value, str) or parse_uuid(value) is None:
        raise BadRequest(f"Invalid input for field/attribute {key}. Value: {value}. '{value}' is not a 'uuid'")
    return value


def _count(request: Request, key: str) -> int | None:
    value = request.query_params.get(key)
    if value is None:
        return None
    if not value.isdigit():
        raise BadRequest(f"Invalid input for query parameters {key}. Value: {value}.")
    return int(value)


class ProxyView(ComputeView):
    """The proxy APIs end at 2.36."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.api_version >= mv.NETWORK_PROXIES_REMOVED:  # type: ignore[attr-defined]
            raise NotFound("The resource could not be found.")


class SecurityGroupsView(ProxyView):
    """GET (the project's groups; an admin's all_tenants: every project's), POST."""

    openapi = {"get": doc.SG_LIST, "post": doc.SG_CREATE}

    def get(self, request: Request) -> Response:
        groups = services.list_groups(self.caller, all_tenants="all_tenants" in request.query_params)
        offset, limit = _count(request, "offset") or 0, _count(request, "limit")
        groups = groups[offset : None if limit is None else offset + limit]
        return Response({"security_groups": sorted_views(groups)})

    def post(self, request: Request) -> Response:
        body = unwrap(request.data, "security_group")
        group = services.create_group(self.caller, _text(body, "name"), _text(body, "description"))
        return Response({"security_group": group_view(group)})


class SecurityGroupView(ProxyView):
    """GET, PUT (name and description), DELETE (202)."""

    openapi = {"get": doc.SG_SHOW, "put": doc.SG_UPDATE, "delete": doc.SG_DELETE}

    def get(self, request: Request, group_id: str) -> Response:
        return Response({"security_group": group_view(services.get_group(self.caller, group_id))})

    def put(self, request: Request, group_id: str) -> Response:
        body = unwrap(request.data, "security_group")
        name, description = _text(body, "name"), _text(body, "description")
        group = services.update_group(self.caller, group_id, name, description)
        return Response({"security_group": group_view(group)})

    def delete(self, request: Request, group_id: str) -> Response:
        services.delete_group(self.caller, group_id)
        return Response(status=status.HTTP_202_ACCEPTED)


class SecurityGroupRulesView(ProxyView):
    """POST /os-security-group-rules: an ingress rule."""

    openapi = {"post": doc.SG_RULE_CREATE}

    def post(self, request: Request) -> Response:
        body = unwrap(request.data, "security_group_rule")
        if "parent_group_id" not in body:
            raise BadRequest("'parent_group_id' is a required property")
        group_id = None if body.get("group_id") is None else _uuid_field(body, "group_id")
        rule = services.NovaRule(
            parent_group_id=_uuid_field(body, "parent_group_id"),
            group_id=group_id,
            ip_protocol=body.get("ip_protocol"),
            from_port=body.get("from_port"),
            to_port=body.get("to_port"),
            cidr=body.get("cidr"),
        )
        made = services.create_rule(self.caller, rule)
        return Response({"security_group_rule": rule_view(made, made.security_group)})


class SecurityGroupRuleView(ProxyView):
    """DELETE /os-security-group-rules/{id} (202)."""

    openapi = {"delete": doc.SG_RULE_DELETE}

    def delete(self, request: Request, rule_id: str) -> Response:
        services.delete_rule(self.caller, rule_id)
        return Response(status=status.HTTP_202_ACCEPTED)


class ServerSecurityGroupsView(ComputeView):
    """GET /servers/{id}/os-security-groups: the groups of the server's ports."""

    openapi = {"get": doc.SERVER_SG_LIST}

    def get(self, request: Request, server_id: str) -> Response:
        server = lookup.get_server(self.caller, server_id)
        return Response({"security_groups": sorted_views(services.server_groups(server))})


def _group_name(body: object) -> str:
    """The action's {"name": ...}, with Nova's checks."""
    if not isinstance(body, dict):
        raise BadRequest("Missing parameter dict")
    if "name" not in body:
        raise BadRequest("Security group not specified")
    if set(body) - {"name"}:
        raise BadRequest(
            f"Additional properties are not allowed ({', '.join(sorted(set(body) - {'name'}))} was unexpected)"
        )
    name = body["name"]
    if not isinstance(name, str) or not name.strip():
        raise BadRequest("Security group name cannot be empty")
    return name


@register("addSecurityGroup")
def _add_security_group(view: Any, server: Server, body: object) -> Response:
    services.add_to_server(view.caller, server, _group_name(body))
    return Response(status=status.HTTP_202_ACCEPTED)


@register("removeSecurityGroup")
def _remove_security_group(view: Any, server: Server, body: object) -> Response:
    services.remove_from_server(view.caller, server, _group_name(body))
    return Response(status=status.HTTP_202_ACCEPTED)
