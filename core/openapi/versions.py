"""Every service's version documents, described once: the list at a service's root and the
document of one version (all public: a client reads them before it has a token)."""

from __future__ import annotations

from .types import STRING, Component, Operation, array, envelope, obj

VERSION = Component(
    "VersionDocument",
    obj(
        {
            "id": STRING,
            "status": {"type": "string", "enum": ["CURRENT", "SUPPORTED", "DEPRECATED", "stable"]},
            "version": STRING,
            "min_version": STRING,
            "updated": STRING,
            "links": array(obj({"rel": STRING, "href": STRING, "type": STRING}, required=("rel", "href"))),
            "media-types": array(obj({"base": STRING, "type": STRING})),
        },
        required=("id", "status", "links"),
        description="version and min_version: the microversion range, where the service has one.",
    ),
)
VERSION_LIST = Operation(
    "The service's API versions.",
    response=envelope("versions", {"oneOf": [array(VERSION), obj({"values": array(VERSION)})]}),
    errors=(),
    description="Keystone wraps the list in {values}.",
)
VERSION_CHOICES = Operation(
    "The service's API versions (300 Multiple Choices, as Keystone and Glance answer).",
    response=VERSION_LIST.response,
    status=300,
    errors=(),
)
VERSION_SHOW = Operation("One API version of the service.", response=envelope("version", VERSION), errors=())
