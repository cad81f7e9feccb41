"""os-simple-tenant-usage (index: every project; show: one) and os-instance_usage_audit_log
(index; show by a "before" timestamp). Thin views over servers.services.usage and
servers.services.usage_audit. From 2.40 usage pages with limit/marker and links the next
page; from 2.75 unknown query parameters are 400."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from rest_framework.request import Request
from rest_framework.response import Response

from core import microversions as mv
from core.params import optional_int
from core.views import ComputeView
from hosts.api.base import refuse_unknown_query
from identity.catalog import base_url
from servers.services import usage, usage_audit

from . import openapi_server_parts as doc

PAGING = ("limit", "marker")


class UsageBaseView(ComputeView):
    """Reads a usage query at the request's microversion."""

    def usage_query(self, request: Request, *, detailed_param: bool) -> usage.UsageQuery:
        version = request.api_version  # type: ignore[attr-defined]
        params = request.query_params
        known = ("start", "end", *(("detailed",) if detailed_param else ()))
        if version >= mv.USAGE_PAGING:
            known = (*known, *PAGING)
        if version >= mv.API_CONSISTENCY:
            refuse_unknown_query(request, known)
        limit = marker = None
        if version >= mv.USAGE_PAGING:
            asked = optional_int(params.get("limit"), "limit", minimum=0)
            limit = min(settings.API_MAX_LIMIT if asked is None else asked, settings.API_MAX_LIMIT)
            marker = params.get("marker") or None
        return usage.UsageQuery(
            start=params.get("start"),
            end=params.get("end"),
            detailed=not detailed_param or params.get("detailed") == "1",
            limit=limit,
            marker=marker,
        )

    def next_links(self, request: Request, report: usage.UsageReport, path: str) -> list[dict[str, Any]]:
        """A "next" link when the client's limit was reached, as Nova's collection links."""
        limit = request.query_params.get("limit")
        if request.api_version < mv.USAGE_PAGING or not limit or not report.server_usages:  # type: ignore[attr-defined]
            return []
        if int(limit) != len(report.server_usages):
            return []
        query = {**request.query_params.dict(), "marker": report.server_usages[-1]["instance_id"]}
        return [{"rel": "next", "href": f"{base_url(request)}/compute/v2.1/{path}?{urlencode(query)}"}]


class TenantUsagesView(UsageBaseView):
    """GET /os-simple-tenant-usage."""

    openapi = {"get": doc.USAGE_LIST}

    def get(self, request: Request) -> Response:
        report = usage.list_usage(self.caller, self.usage_query(request, detailed_param=True))
        body: dict[str, Any] = {"tenant_usages": report.tenant_usages}
        links = self.next_links(request, report, "os-simple-tenant-usage")
        if links:
            body["tenant_usages_links"] = links
        return Response(body)


class TenantUsageView(UsageBaseView):
    """GET /os-simple-tenant-usage/{project}."""

    openapi = {"get": doc.USAGE_SHOW}

    def get(self, request: Request, project_id: str) -> Response:
        report = usage.project_usage(self.caller, project_id, self.usage_query(request, detailed_param=False))
        body: dict[str, Any] = {"tenant_usage": report.tenant_usages[0] if report.tenant_usages else {}}
        links = self.next_links(request, report, f"os-simple-tenant-usage/{project_id}")
        if links:
            body["tenant_usage_links"] = links
        return Response(body)


class AuditLogsView(ComputeView):
    """GET /os-instance_usage_audit_log."""

    openapi = {"get": doc.AUDIT_LOGS}

    def get(self, request: Request) -> Response:
        return Response({"instance_usage_audit_logs": usage_audit.audit_log(self.caller)})


class AuditLogView(ComputeView):
    """GET /os-instance_usage_audit_log/{before} (``%Y-%m-%d %H:%M:%S[.%f]``)."""

    openapi = {"get": doc.AUDIT_LOG_BEFORE}

    def get(self, request: Request, before: str) -> Response:
        return Response({"instance_usage_audit_log": usage_audit.audit_log_before(self.caller, before)})
