"""drf-spectacular's AutoSchema for views that are plain APIViews: each view names its
operations in an ``openapi`` attribute (``{"get": Operation, ...}``), and everything the
operations of a service share is added here once: the error bodies, the microversion
headers, the 401 of a token-protected call, the tag."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ComponentIdentity, ResolvedComponent
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from core.microversions import Microversion

from .convert import to_openapi
from .services import ServiceDoc, service_of
from .types import Component, Operation, Schema

JSON = "application/json"
BODY_METHODS = ("POST", "PUT", "PATCH")
UNDESCRIBED: Schema = {"type": "object", "additionalProperties": True, "description": "Not described yet."}
ITEM_VERBS = {"GET": "show", "PUT": "update", "PATCH": "update", "DELETE": "delete", "POST": "create"}
COLLECTION_VERBS = {"GET": "list", "PUT": "replace", "PATCH": "update", "DELETE": "delete_all", "POST": "create"}
_VERSION = re.compile(r"^v\d+(\.\d+)?$")


class ServiceAutoSchema(AutoSchema):
    """Describes an operation from its view's ``openapi`` entry and its service. Subclasses
    set ``services`` (the project's table of ``ServiceDoc``)."""

    services: tuple[ServiceDoc, ...] = ()

    # --- what the view and the path say --------------------------------------------------

    @property
    def operation(self) -> Operation | None:
        """The view's entry for this method, if it has one."""
        table: dict[str, Operation] = getattr(self.view, "openapi", {})
        return table.get(self.method.lower())

    def _effective(self) -> Operation:
        """The view's operation, or one saying the body is not described yet."""
        if self.operation is not None:
            return self.operation
        if self.method == "DELETE":
            return Operation("", status=204)
        return Operation("", response=UNDESCRIBED)

    @property
    def service(self) -> ServiceDoc:
        return service_of(self.services, self.path)

    def _newest(self) -> Microversion | None:
        return self.service.newest()

    def _needs_token(self) -> bool:
        """Whether the call reads a token (then a missing or bad one is 401)."""
        return bool(self.view.get_authenticators())

    def _convert(self, schema: Any) -> Any:
        return to_openapi(schema, self._register)

    def _register(self, component: Component) -> Schema:
        """A named schema, added to the components once (a second object of the same name is a
        collision drf-spectacular warns about)."""
        identity = ComponentIdentity(component)  # type: ignore[no-untyped-call]
        resolved = ResolvedComponent(name=component.name, type=ResolvedComponent.SCHEMA, object=identity)  # type: ignore[no-untyped-call]
        if resolved not in self.registry:
            resolved.schema = self._convert(component.schema)
            self.registry.register(resolved)
        ref: Schema = resolved.ref
        return ref

    # --- AutoSchema hooks -----------------------------------------------------------------

    def get_tags(self) -> list[str]:
        words = [word for word in self.path.strip("/").split("/")[1:] if word]
        resources = [word for word in words if not _VERSION.match(word) and not word.startswith("{")]
        return [f"{self.service.name}: {resources[0] if resources else 'versions'}"]

    def get_operation_id(self) -> str:
        """``<service>_<path words>_<verb>``: list/create on a collection, show/update/delete
        on an item (a path ending in a parameter; replace for a PUT beside a PATCH),
        replace/delete_all on a collection."""
        every = [word for word in self.path.strip("/").split("/") if word]
        words = [word for word in every if not _VERSION.match(word)]
        if len(words) <= 1:  # a version document: /compute, /compute/v2.1
            return "_".join([*(_name(word) for word in every), "version" if len(every) > 1 else "versions"])
        item = words[-1].startswith("{")
        verbs = ITEM_VERBS if item else COLLECTION_VERBS
        names = [_name(word) for word in words if not word.startswith("{")]
        verb = verbs.get(self.method, self.method.lower())
        if item and self.method == "PUT" and hasattr(self.view, "patch"):
            verb = "replace"  # PATCH updates this item (Keystone's PUT /v3/regions/{id} creates it)
        return "_".join([*names, verb])

    def get_summary(self) -> str | None:
        operation = self.operation
        if operation is not None:
            return operation.summary
        doc = (self.view.__class__.__doc__ or "").strip()
        return doc.split("\n")[0] if doc else None

    def get_description(self) -> str:  # type: ignore[override]
        operation = self.operation
        if operation is not None and operation.description:
            return operation.description
        return super().get_description()

    def get_request_serializer(self) -> Any:
        if self.method not in BODY_METHODS:
            return None
        operation = self.operation
        if operation is None:
            return {JSON: UNDESCRIBED}
        if operation.request is None:
            return None
        body = operation.request
        if callable(body) and not isinstance(body, Component):
            body = body(self._newest() or Microversion(0, 0))
        return {operation.request_media: self._convert(body)}

    def _get_request_body(self, direction: str = "request") -> Any:
        body = super()._get_request_body(direction)  # type: ignore[no-untyped-call]
        if body and self.operation is not None:
            body["required"] = True
        return body

    def get_response_serializers(self) -> Any:
        operation = self._effective()
        responses: dict[tuple[int, str], OpenApiResponse] = {
            (operation.status, operation.response_media): OpenApiResponse(
                response=self._convert(operation.response) if operation.response is not None else None,
                description=HTTPStatus(operation.status).phrase,
            )
        }
        for status, body in operation.also:
            responses[status, operation.response_media] = OpenApiResponse(
                response=self._convert(body) if body is not None else None, description=HTTPStatus(status).phrase
            )
        errors = set(operation.errors) | ({401} if self._needs_token() else set())
        if self._needs_token() and self.service.headers:
            # The microversion header is read first: malformed is 400, out of range 406.
            errors |= {400, 406}
        # novasite.middleware refuses a NUL character: 404 in the path, 400 in the query or body.
        if "{" in self.path:
            errors.add(404)
        if operation.query or (self.method in BODY_METHODS and operation.request is not None):
            errors.add(400)
        for status in sorted(errors):
            responses[status, JSON] = OpenApiResponse(
                response=self._convert(self.service.error(status)), description=HTTPStatus(status).phrase
            )
            for media in self.service.error_media:
                responses[status, media] = OpenApiResponse(
                    response={"type": "string"}, description=HTTPStatus(status).phrase
                )
        return responses

    def get_override_parameters(self) -> list[Any]:
        parameters: list[Any] = []
        operation = self._effective()
        # Microversions are read by the token-protected calls (not by the version documents).
        for header in self.service.headers if self._needs_token() else ():
            example = [OpenApiExample("newest", value=header.example)]
            parameters.append(
                OpenApiParameter(
                    header.name, str, OpenApiParameter.HEADER, description=header.description, examples=example
                )
            )
            parameters.append(
                OpenApiParameter(
                    header.name,
                    str,
                    OpenApiParameter.HEADER,
                    description="The version that served it.",
                    response=[operation.status],
                )
            )
        for query in operation.query:
            parameters.append(
                OpenApiParameter(query.name, query.schema, OpenApiParameter.QUERY, description=query.description)
            )
        for name in operation.request_headers:
            parameters.append(OpenApiParameter(name, str, OpenApiParameter.HEADER, required=True))
        for name in operation.headers:
            parameters.append(OpenApiParameter(name, str, OpenApiParameter.HEADER, response=[operation.status]))
        return parameters


def _name(word: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", word).strip("_")


def drop_trailing_slash_twins(endpoints: list[tuple[Any, ...]], **kwargs: Any) -> list[tuple[Any, ...]]:
    """Preprocessing hook: ``/compute/`` answers as ``/compute`` does; describe it once."""
    paths = {endpoint[0] for endpoint in endpoints}
    return [endpoint for endpoint in endpoints if not (endpoint[0].endswith("/") and endpoint[0][:-1] in paths)]
