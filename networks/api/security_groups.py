"""/network/v2.0/security-groups[/{id}] (list, create, show, update, delete) and
/network/v2.0/security-group-rules[/{id}] (list, create, show, delete)."""

from __future__ import annotations

import ipaddress
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from core.bodies import unwrap
from core.exceptions import BadRequest
from core.paging import OLDEST_FIRST
from networks.exceptions import SecurityGroupNotFound, SecurityGroupRuleNotFound
from networks.models import SecurityGroupRule
from networks.services import security_group_rules as rule_services
from networks.services import security_groups as services
from networks.services.arguments import RuleFields, SecurityGroupFields

from . import openapi as doc
from . import validation
from .base import NeutronView, entity
from .documents import rule_document, security_group_document
from .filters import SecurityGroupFilter, SecurityGroupRuleFilter, narrow
from .paging import Sorting, paged_listing, sortable

MAX_PORT = 65535
# Each key has an index on (column, id) (networks.models.SecurityGroup, SecurityGroupRule).
GROUP_SORTING = Sorting(sortable("name", "project_id", "created_at"), default=OLDEST_FIRST)
RULE_SORTING = Sorting(
    sortable("project_id", "created_at", security_group_id="security_group_id"), default=OLDEST_FIRST
)


def group_fields(body: dict[str, Any]) -> SecurityGroupFields:
    return SecurityGroupFields(name=validation.text(body, "name"), description=validation.text(body, "description"))


def _port(body: dict[str, Any], key: str) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PORT:
        raise BadRequest(f"Invalid input for {key}. Reason: {value} is not a valid port number.")
    return value


def _optional_text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise BadRequest(f"Invalid input for {key}. Reason: '{value}' is not a valid value.")
    return str(value)


def _prefix(body: dict[str, Any]) -> str | None:
    value = body.get("remote_ip_prefix")
    if value is None:
        return None
    if isinstance(value, str):
        try:
            ipaddress.ip_network(value, strict=False)
            return value
        except ValueError:
            pass
    raise BadRequest(f"Invalid input for remote_ip_prefix. Reason: '{value}' is not a valid IP subnet.")


def rule_fields(body: dict[str, Any]) -> RuleFields:
    """A rule create body, with Neutron's attribute checks (the rest: the service)."""
    if "security_group_id" not in body:
        raise BadRequest("Failed to parse request. Required attribute 'security_group_id' not specified")
    if "direction" not in body:
        raise BadRequest("Failed to parse request. Required attribute 'direction' not specified")
    remote_group = body.get("remote_group_id")
    description = validation.text(body, "description")
    return RuleFields(
        security_group_id=validation.uuid_text(body["security_group_id"], "security_group_id"),
        direction=str(body["direction"]),
        ethertype=str(body.get("ethertype") or "IPv4"),
        protocol=_optional_text(body, "protocol"),
        port_range_min=_port(body, "port_range_min"),
        port_range_max=_port(body, "port_range_max"),
        remote_ip_prefix=_prefix(body),
        remote_group_id=None if remote_group is None else validation.uuid_text(remote_group, "remote_group_id"),
        description=description if isinstance(description, str) else "",
    )


def _listed_rule(rule: SecurityGroupRule) -> dict[str, Any]:
    return rule_document(rule, in_default=rule.security_group.is_default)


class SecurityGroupsView(NeutronView):
    openapi = {"get": doc.GROUPS.list, "post": doc.GROUPS.create}

    def get(self, request: Request) -> Response:
        visible = services.groups(self.caller)
        rows = narrow(SecurityGroupFilter, visible, request.query_params)
        return paged_listing(
            request, "security_groups", rows, security_group_document, GROUP_SORTING, SecurityGroupNotFound, visible
        )

    def post(self, request: Request) -> Response:
        body = unwrap(request.data, "security_group", validation.MISSING_BODY)
        group = services.create_group(self.caller, group_fields(body), project_id=validation.project(body))
        return entity("security_group", security_group_document(group), request.query_params, status=201)


class SecurityGroupView(NeutronView):
    openapi = {"get": doc.GROUPS.show, "put": doc.GROUPS.update, "delete": doc.GROUPS.delete}

    def get(self, request: Request, group_id: str) -> Response:
        group = services.get_group(self.caller, group_id)
        return entity("security_group", security_group_document(group), request.query_params)

    def put(self, request: Request, group_id: str) -> Response:
        body = unwrap(request.data, "security_group", validation.MISSING_BODY)
        validation.read_only(body, "id", "project_id", "tenant_id", "security_group_rules")
        group = services.update_group(self.caller, group_id, group_fields(body))
        return entity("security_group", security_group_document(group), request.query_params)

    def delete(self, request: Request, group_id: str) -> Response:
        services.delete_group(self.caller, group_id)
        return Response(status=204)


class SecurityGroupRulesView(NeutronView):
    openapi = {"get": doc.RULES.list, "post": doc.RULES.create}

    def get(self, request: Request) -> Response:
        visible = rule_services.rules(self.caller).select_related("security_group")
        rows = narrow(SecurityGroupRuleFilter, visible, request.query_params)
        return paged_listing(
            request, "security_group_rules", rows, _listed_rule, RULE_SORTING, SecurityGroupRuleNotFound, visible
        )

    def post(self, request: Request) -> Response:
        body = unwrap(request.data, "security_group_rule", validation.MISSING_BODY)
        rule = rule_services.create_rule(self.caller, rule_fields(body))
        document = rule_document(rule, in_default=rule.security_group.is_default)
        return entity("security_group_rule", document, request.query_params, status=201)


class SecurityGroupRuleView(NeutronView):
    openapi = {"get": doc.RULES.show, "delete": doc.RULES.delete}

    def get(self, request: Request, rule_id: str) -> Response:
        rule = rule_services.get_rule(self.caller, rule_id)
        document = rule_document(rule, in_default=rule.security_group.is_default)
        return entity("security_group_rule", document, request.query_params)

    def delete(self, request: Request, rule_id: str) -> Response:
        rule_services.delete_rule(self.caller, rule_id)
        return Response(status=204)
