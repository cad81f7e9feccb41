"""The foundation (core/): ids, query parameters, bodies, timestamps, microversions, the
policy and the error formats of each service."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from core import bodies, ids, microversions, params, policy, quotas, timestamps
from core.errors import error_body, format_for
from core.exceptions import BadRequest, NotFound, PolicyNotAuthorized
from core.microversions import Microversion, VersionNotAcceptable
from core.principal import Caller

SOME_UUID = "7f3a1c64-2b5e-4d8a-9c1f-0e6b5a4d3c21"
MEMBER = Caller("u1", "p1")
ADMIN = Caller("admin", "p-admin", is_admin=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (SOME_UUID, SOME_UUID),
        (SOME_UUID.upper(), SOME_UUID),
        (SOME_UUID.replace("-", ""), SOME_UUID),
        ("not-a-uuid", None),
        ("", None),
        (None, None),
        (True, None),
        (12, None),
    ],
)
def test_parse_uuid(value: object, expected: str | None) -> None:
    parsed = ids.parse_uuid(value)
    assert (str(parsed) if parsed else None) == expected
    assert parsed is None or isinstance(parsed, uuid.UUID)
    assert ids.is_uuid(value) is (expected is not None)


def test_require_uuid_raises_the_callers_error() -> None:
    assert ids.canonical_uuid(SOME_UUID.upper(), NotFound("x")) == SOME_UUID
    with pytest.raises(NotFound, match="no such thing"):
        ids.require_uuid("nope", NotFound("no such thing"))
    with pytest.raises(ValueError):
        ids.constant_uuid("nope")


@pytest.mark.parametrize("word", ["1", "t", "TRUE", "on", "y", "Yes", True])
def test_true_words(word) -> None:
    assert params.parse_bool(word, "flag") is True
    assert params.is_true(word) is True


@pytest.mark.parametrize("word", ["0", "f", "False", "off", "n", "NO", False])
def test_false_words(word) -> None:
    assert params.parse_bool(word, "flag") is False
    assert params.is_true(word) is False


def test_a_bad_boolean_is_400_in_the_callers_words() -> None:
    with pytest.raises(BadRequest, match="Invalid input for locked. Value: maybe"):
        params.parse_bool("maybe", "locked")
    with pytest.raises(BadRequest, match="^locked is not maybe$"):
        params.parse_bool("maybe", "locked", "{name} is not {value}")
    assert params.optional_bool(None, "locked") is None
    assert params.is_true("maybe") is False
    neutron = (frozenset({"true"}), frozenset({"false"}))
    assert params.bool_word("yes", neutron) is None


def test_integers() -> None:
    assert params.parse_int("12", "limit", minimum=0) == 12
    assert params.optional_int(None, "limit") is None
    with pytest.raises(BadRequest, match="limit param must be an integer"):
        params.parse_int("twelve", "limit")
    with pytest.raises(BadRequest, match="limit param must be positive"):
        params.parse_int("-1", "limit", minimum=0)
    with pytest.raises(BadRequest):
        params.parse_int(True, "limit")
    with pytest.raises(BadRequest):
        params.parse_int("11", "limit", maximum=10)


def test_unwrap() -> None:
    assert bodies.unwrap({"server": {"name": "a"}}, "server") == {"name": "a"}
    malformed: tuple[object, ...] = ({}, {"server": []}, [], None, "server")
    for body in malformed:
        with pytest.raises(BadRequest, match="a 'server' object"):
            bodies.unwrap(body, "server")
    with pytest.raises(BadRequest, match="^Expecting to find user in request body.$"):
        bodies.unwrap({}, "user", "Expecting to find {key} in request body.")
    assert bodies.optional_object(None, "os-start") == {}
    with pytest.raises(BadRequest):
        bodies.optional_object([], "os-start")


def test_timestamps() -> None:
    moment = datetime(2026, 11, 30, 17, 22, 20, 123456, tzinfo=UTC)
    assert timestamps.seconds_z(moment) == "2026-11-30T17:22:20Z"
    assert timestamps.micro(moment) == "2026-11-30T17:22:20.123456"
    assert timestamps.micro_z(moment) == "2026-11-30T17:22:20.123456Z"
    assert timestamps.seconds_z(None) is None


def test_microversions_compare_as_tuples_and_print_as_text() -> None:
    assert microversions.EMBEDDED_FLAVOR == (2, 47)
    assert str(microversions.EMBEDDED_FLAVOR) == "2.47"
    assert microversions.MIN < microversions.SERVER_DESCRIPTION < microversions.PINNED_AVAILABILITY_ZONE
    assert Microversion.parse("2.10") > Microversion.parse("2.9")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, (2, 1)),
        ({"OpenStack-API-Version": "compute 2.47"}, (2, 47)),
        ({"OpenStack-API-Version": "volume 3.1, compute 2.5"}, (2, 5)),
        ({"X-OpenStack-Nova-API-Version": "2.10"}, (2, 10)),
        ({"OpenStack-API-Version": "compute 2.3", "X-OpenStack-Nova-API-Version": "2.10"}, (2, 3)),
        ({"OpenStack-API-Version": "compute latest"}, (2, 96)),
    ],
)
def test_requested_version(headers, expected) -> None:
    assert microversions.requested(headers, Microversion(2, 96)) == expected


def test_requested_version_out_of_range_or_garbled() -> None:
    with pytest.raises(VersionNotAcceptable, match="maximum is 2.96"):
        microversions.requested({"OpenStack-API-Version": "compute 2.97"}, Microversion(2, 96))
    with pytest.raises(BadRequest, match="Invalid API version request: 2.x"):
        microversions.requested({"OpenStack-API-Version": "compute 2.x"}, Microversion(2, 96))


def test_policy_checks() -> None:
    policy.enforce(ADMIN, policy.SERVERS_EVACUATE)
    with pytest.raises(PolicyNotAuthorized, match="^Policy doesn't allow os_compute_api:os-evacuate to be performed.$"):
        policy.enforce(MEMBER, policy.SERVERS_EVACUATE)
    policy.enforce(MEMBER, policy.QUOTAS_SHOW, project_id="p1")
    with pytest.raises(PolicyNotAuthorized):
        policy.enforce(MEMBER, policy.QUOTAS_SHOW, project_id="p2")
    policy.enforce(ADMIN, policy.QUOTAS_SHOW, project_id="p2")
    policy.enforce(MEMBER, policy.KEYPAIRS_OF_USER, user_id="u1")
    assert not policy.allows(MEMBER, policy.KEYPAIRS_OF_USER, user_id="u2")
    assert policy.allows(ADMIN, policy.KEYPAIRS_OF_USER, user_id="u2")
    assert not policy.allows(ADMIN, policy.IDENTITY_CHANGE_PASSWORD, user_id="u2")


def test_rule_names_are_unique() -> None:
    rules = [value for value in vars(policy).values() if isinstance(value, policy.Rule)]
    assert len({rule.name for rule in rules}) == len(rules)


def test_each_service_words_its_errors() -> None:
    assert error_body("/compute/v2.1/servers", 404, "gone") == {"itemNotFound": {"code": 404, "message": "gone"}}
    assert error_body("/volume/v3/x", 409, "busy") == {"conflictingRequest": {"code": 409, "message": "busy"}}
    assert error_body("/identity/v3/users", 401, "who") == {
        "error": {"code": 401, "title": "Unauthorized", "message": "who"}
    }
    assert error_body("/network/v2.0/ports", 404, "gone") == {
        "NeutronError": {"type": "HTTPNotFound", "message": "gone", "detail": ""}
    }
    assert error_body("/network/v2.0/ports", 404, "gone", "PortNotFound")["NeutronError"]["type"] == "PortNotFound"
    assert error_body("/image/v2/images", 404, "gone") == {
        "code": "404 Not Found",
        "title": "Not Found",
        "message": "gone<br /><br />\n\n\n",
    }
    rule = "create_network:shared"
    assert (
        format_for("/network/v2.0/networks").policy_message(rule) == "(create_network:shared) is disallowed by policy"
    )
    assert (
        format_for("/identity/v3/projects")
        .policy_message("identity:create_project")
        .endswith("requested action: identity:create_project.")
    )


def test_quota_rule() -> None:
    assert quotas.fits(-1, 10**9, 1)
    assert quotas.fits(10, 9, 1) and not quotas.fits(10, 10, 1)
    assert quotas.first_overrun({"cores": 4, "ram": 100}, {"cores": 4, "ram": 0}, {"ram": 50, "cores": 1}) == "cores"
    assert quotas.first_overrun({"cores": 4}, {"cores": 4}, {"cores": 0}) is None
    quotas.check_new_limits({"cores": -1, "ram": 10}, {"cores": 99, "ram": 10})
    with pytest.raises(BadRequest, match="^Quota limit 5 for cores must be greater than or equal to already used 6.$"):
        quotas.check_new_limits({"cores": 5}, {"cores": 6})


@pytest.mark.django_db
def test_any_lookup_matches_as_in_does_and_an_empty_list_runs_no_query():
    """core.lookups: ``field__any`` (one array parameter on PostgreSQL) selects what
    ``field__in`` selects, on plain columns and foreign keys alike; an empty list matches
    nothing without a query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import core.lookups  # noqa: F401
    from networks.models import Network, Port

    network = Network.objects.create(name="any-net", project_id="p")
    ports = [
        Port.objects.create(network=network, project_id="p", device_id=f"d{i}", mac_address=f"fa:16:3e:00:00:0{i}")
        for i in range(4)
    ]
    wanted = ["d1", "d3", "missing"]
    by_any = set(Port.objects.filter(device_id__any=wanted).values_list("id", flat=True))
    assert by_any == set(Port.objects.filter(device_id__in=wanted).values_list("id", flat=True))
    assert by_any == {ports[1].id, ports[3].id}
    assert Port.objects.filter(network_id__any=[network.id]).count() == 4
    with CaptureQueriesContext(connection) as queries:
        assert list(Port.objects.filter(device_id__any=[])) == []
    assert len(queries) == 0
