"""Write tempest.conf from what the live cloud answers (the standard library only).

    python -m conformance.tempest_conf --url http://127.0.0.1:8779 --facts FACTS.json \
        --features conformance/features.conf --workspace DIR --out DIR/etc/tempest.conf

From the cloud: the service catalog (region, which services exist: compute, image, network,
volumev3), the compute and volume APIs' microversions, the compute services that are up and enabled
(min_compute_nodes; it waits for --computes of them first), the network API's extensions. From
the seed's facts: the images, flavors and network it made, the scheduler's filters. From
features.conf: what novasite offers, each option set off with its reason.
"""

from __future__ import annotations

import argparse
import configparser
import io
import json
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Catalog types Tempest's [service_available] options stand for.
SERVICE_TYPES = {"nova": "compute", "glance": "image", "neutron": "network", "cinder": "volumev3"}

Features = dict[str, dict[str, tuple[str, str]]]


def parse_features(text: str) -> Features:
    """section -> option -> (value, reason): the reason is the comment line just above the
    option. An option set to False without a reason is refused (ValueError)."""
    features: Features = {}
    section: dict[str, tuple[str, str]] | None = None
    comment = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            comment = ""
        elif line.startswith("#"):
            comment = line.lstrip("#").strip()
        elif line.startswith("[") and line.endswith("]"):
            section = features.setdefault(line[1:-1].strip(), {})
            comment = ""
        else:
            if section is None or "=" not in line:
                raise ValueError(f"line {number}: expected 'option = value' inside a [section]: {raw!r}")
            option, value = (part.strip() for part in line.split("=", 1))
            if value.lower() == "false" and not comment:
                raise ValueError(f"line {number}: {option} = False needs a reason on the comment line above it")
            section[option] = (value, comment)
            comment = ""
    return features


def disabled(features: Features) -> list[tuple[str, str, str]]:
    """(section, option, reason) of every option set off."""
    return [
        (section, option, reason)
        for section, options in features.items()
        for option, (value, reason) in options.items()
        if value.lower() == "false"
    ]


@dataclass(frozen=True)
class Cloud:
    """What the live cloud says about itself."""

    identity_uri: str
    region: str
    catalog_types: frozenset[str]
    max_microversion: str
    volume_microversions: tuple[str, str] | None
    compute_hosts: int
    network_extensions: tuple[str, ...]


def _request(url: str, *, token: str = "", body: dict[str, Any] | None = None) -> tuple[dict[str, Any], Any]:
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if token:
        headers["X-Auth-Token"] = token
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}"), response.headers


def _login(identity_uri: str, user: str, password: str, project: str) -> tuple[str, list[dict[str, Any]]]:
    """A project-scoped admin token and its catalog."""
    domain = {"name": "Default"}
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": user, "domain": domain, "password": password}},
            },
            "scope": {"project": {"name": project, "domain": domain}},
        }
    }
    document, headers = _request(f"{identity_uri}/auth/tokens", body=body)
    return headers["X-Subject-Token"], document["token"]["catalog"]


def _endpoint(catalog: list[dict[str, Any]], service_type: str, region: str) -> str:
    for service in catalog:
        if service["type"] != service_type:
            continue
        for endpoint in service["endpoints"]:
            if endpoint["interface"] == "public" and endpoint.get("region", region) == region:
                return str(endpoint["url"]).rstrip("/")
    raise LookupError(f"no public {service_type} endpoint in region {region}")


def _up_computes(compute: str, token: str) -> int:
    document, _ = _request(f"{compute}/os-services?binary=nova-compute", token=token)
    return sum(1 for row in document["services"] if row["state"] == "up" and row["status"] == "enabled")


def discover(url: str, user: str, password: str, project: str, region: str, computes: int, wait: float) -> Cloud:
    """Ask the cloud; wait up to ``wait`` seconds until ``computes`` compute services are up."""
    identity_uri = f"{url.rstrip('/')}/identity/v3"
    token, catalog = _login(identity_uri, user, password, project)
    compute = _endpoint(catalog, "compute", region)
    deadline = time.monotonic() + wait
    hosts = _up_computes(compute, token)
    while hosts < computes and time.monotonic() < deadline:
        time.sleep(1)
        hosts = _up_computes(compute, token)
    if hosts < computes:
        raise SystemExit(f"only {hosts} of {computes} compute services came up")
    version, _ = _request(f"{compute}/", token=token)
    volume_versions = None
    if "volumev3" in {service["type"] for service in catalog}:
        root = _endpoint(catalog, "volumev3", region).split("/v3", 1)[0]
        document, _ = _request(f"{root}/v3", token=token)
        volume = document["version"] if "version" in document else document["versions"][0]
        volume_versions = (volume["min_version"], volume["version"])
    extensions, _ = _request(f"{_endpoint(catalog, 'network', region)}/v2.0/extensions", token=token)
    return Cloud(
        identity_uri=identity_uri,
        region=region,
        catalog_types=frozenset(service["type"] for service in catalog),
        max_microversion=version["version"]["version"],
        volume_microversions=volume_versions,
        compute_hosts=hosts,
        network_extensions=tuple(sorted(row["alias"] for row in extensions["extensions"])),
    )


def render(cloud: Cloud, facts: dict[str, Any], features: Features, settings: dict[str, str]) -> str:
    """tempest.conf's text. ``settings``: admin_password, admin_project, workspace, build_timeout."""
    for service, (value, _) in features.get("service_available", {}).items():
        if value.lower() == "true" and service in SERVICE_TYPES and SERVICE_TYPES[service] not in cloud.catalog_types:
            raise SystemExit(f"features.conf says {service} = True but the catalog has no {SERVICE_TYPES[service]}")
    workspace = settings["workspace"]
    timeout = settings["build_timeout"]
    endpoint = {"region": cloud.region, "endpoint_type": "publicURL"}
    conf: dict[str, dict[str, str]] = {
        "DEFAULT": {"log_dir": f"{workspace}/logs", "log_file": "tempest.log", "use_stderr": "False"},
        "oslo_concurrency": {"lock_path": f"{workspace}/locks"},
        "auth": {
            "use_dynamic_credentials": "True",
            "create_isolated_networks": "False",
            "admin_username": "admin",
            "admin_password": settings["admin_password"],
            "admin_project_name": settings["admin_project"],
            "admin_domain_name": "Default",
            "default_credentials_domain_name": "Default",
        },
        "identity": {
            "uri_v3": cloud.identity_uri,
            "auth_version": "v3",
            "region": cloud.region,
            "v3_endpoint_type": "public",
        },
        "identity-feature-enabled": {"api_v3": "True"},
        "compute": {
            **endpoint,
            "catalog_type": "compute",
            "image_ref": facts["image_ref"],
            "image_ref_alt": facts["image_ref_alt"],
            "flavor_ref": facts["flavor_ref"],
            "flavor_ref_alt": facts["flavor_ref_alt"],
            "fixed_network_name": facts["fixed_network_name"],
            "min_compute_nodes": str(cloud.compute_hosts),
            "min_microversion": "2.1",
            "max_microversion": cloud.max_microversion,
            "build_timeout": timeout,
            "build_interval": "1",
        },
        "compute-feature-enabled": {"scheduler_enabled_filters": ",".join(facts["scheduler_filters"])},
        "image": {**endpoint, "catalog_type": "image", "build_timeout": timeout},
        "network": {**endpoint, "catalog_type": "network", "build_timeout": timeout},
        "network-feature-enabled": {"api_extensions": ",".join(cloud.network_extensions)},
        "volume": {**endpoint, "catalog_type": "volumev3", "build_timeout": timeout, "volume_size": "1"},
    }
    if cloud.volume_microversions:
        conf["volume"]["min_microversion"], conf["volume"]["max_microversion"] = cloud.volume_microversions
    for section, options in features.items():
        conf.setdefault(section, {}).update({option: value for option, (value, _) in options.items()})
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_dict(conf)
    out = io.StringIO()
    out.write("# Written by conformance/tempest_conf.py from the live cloud; do not edit.\n")
    parser.write(out)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module's docstring)."""
    parser = argparse.ArgumentParser(prog="python -m conformance.tempest_conf")
    parser.add_argument("--url", required=True, help="the cloud's base URL, e.g. http://127.0.0.1:8779")
    parser.add_argument("--facts", type=Path, required=True, help="what conformance.cloud seed wrote")
    parser.add_argument("--features", type=Path, required=True)
    parser.add_argument("--workspace", required=True, help="Tempest's working directory (locks, logs)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--admin-password", default="secret")
    parser.add_argument("--computes", type=int, default=2, help="compute services to wait for")
    parser.add_argument("--wait", type=float, default=120.0, help="seconds to wait for them")
    parser.add_argument("--build-timeout", default="120")
    args = parser.parse_args(argv)
    facts = json.loads(args.facts.read_text())
    features = parse_features(args.features.read_text())
    cloud = discover(
        args.url, "admin", args.admin_password, facts["admin_project"], facts["region"], args.computes, args.wait
    )
    settings = {
        "admin_password": args.admin_password,
        "admin_project": facts["admin_project"],
        "workspace": args.workspace,
        "build_timeout": args.build_timeout,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(cloud, facts, features, settings))
    print(
        f"tempest.conf: max_microversion {cloud.max_microversion}, {cloud.compute_hosts} compute hosts, "
        f"services {', '.join(sorted(cloud.catalog_types))}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
