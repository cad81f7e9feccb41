"""The project's API description: which service owns which URL prefix (its error body and
microversion header), how a Keystone token is presented, and the AutoSchema every view uses
(settings: REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"])."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from core import microversions
from core.microversions import Microversion
from core.openapi.autoschema import ServiceAutoSchema
from core.openapi.services import (
    GLANCE_ERROR,
    KEYSTONE_ERROR,
    NEUTRON_ERROR,
    PLACEMENT_ERROR,
    WEBOB_TEXT_ERRORS,
    ServiceDoc,
    microversion_headers,
    nova_error,
)
from volumes.api.representation import MAX_VERSION as VOLUME_MAX
from volumes.api.representation import MIN_VERSION as VOLUME_MIN


def _compute_newest() -> Microversion:
    return Microversion.parse(settings.COMPUTE_MAX_MICROVERSION)


def services() -> tuple[ServiceDoc, ...]:
    """Every service, by URL prefix."""
    compute = microversion_headers(
        "compute", str(microversions.MIN), settings.COMPUTE_MAX_MICROVERSION, legacy="X-OpenStack-Nova-API-Version"
    )
    return (
        ServiceDoc("compute", "/compute", nova_error, _compute_newest, compute),
        ServiceDoc(
            "volume",
            "/volume",
            nova_error,
            lambda: Microversion.parse(VOLUME_MAX),
            microversion_headers("volume", VOLUME_MIN, VOLUME_MAX),
        ),
        ServiceDoc("identity", "/identity", lambda status: KEYSTONE_ERROR),
        ServiceDoc("network", "/network", lambda status: NEUTRON_ERROR),
        # A 401 comes from keystonemiddleware, before Glance: Keystone's body.
        ServiceDoc(
            "image",
            "/image",
            lambda status: KEYSTONE_ERROR if status == 401 else GLANCE_ERROR,
            error_media=WEBOB_TEXT_ERRORS,
        ),
        ServiceDoc(
            "placement",
            "/placement",
            lambda status: PLACEMENT_ERROR,
            headers=microversion_headers("placement", "1.0", "1.39"),
        ),
        ServiceDoc("scheduler", "/scheduler", nova_error),
    )


class NovasiteAutoSchema(ServiceAutoSchema):
    """The AutoSchema of every API view."""

    @property
    def services(self) -> tuple[ServiceDoc, ...]:  # type: ignore[override]
        return services()


class KeystoneTokenScheme(OpenApiAuthenticationExtension):
    """identity.authentication.TokenAuthentication: a Keystone token in X-Auth-Token (POST
    /identity/v3/auth/tokens issues one, in its X-Subject-Token header)."""

    target_class = "identity.authentication.TokenAuthentication"
    name = "keystoneToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Auth-Token",
            "description": "A token from POST /identity/v3/auth/tokens (its X-Subject-Token header).",
        }
