"""`make run REGIONS=2`: RegionTwo's processes (Procfile.regiontwo) beside RegionOne's (Procfile)
on one machine: ports and compute host names of their own, and the environment that makes it a
region of RegionOne's identity (the Makefile's REGION2_ENV)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from scripts import supervise

ROOT = Path(__file__).resolve().parents[1]


def _hosts(processes: dict[str, str]) -> set[str]:
    return {match for command in processes.values() for match in re.findall(r"--host (\S+)", command)}


def test_region_two_runs_beside_region_one_on_ports_and_hosts_of_its_own() -> None:
    one = supervise.read_procfile(ROOT / "Procfile")
    two = supervise.read_procfile(ROOT / "Procfile.regiontwo")
    assert {"web", "conductor", "scheduler", "beat", "r2-compute1", "r2-compute2"} <= set(two)
    assert not set(supervise.listening_ports(one)) & set(supervise.listening_ports(two))
    assert 8100 in supervise.listening_ports(two)
    compute_hosts = _hosts(two) - {"127.0.0.1"}
    assert compute_hosts == {"r2-compute1", "r2-compute2"}
    assert not compute_hosts & _hosts(one)


def test_region_two_shares_region_one_identity_and_nothing_else() -> None:
    printed = subprocess.run(
        ["make", "-s", "--no-print-directory", "-f", "Makefile", "-p", "-n", "openrc"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    env = next(line for line in printed.splitlines() if line.startswith("REGION2_ENV :="))
    for setting in (
        "REGION_NAME=RegionTwo",
        "IDENTITY_URL=http://127.0.0.1:8000/identity/v3",
        "PUBLIC_ENDPOINT=http://127.0.0.1:8100",
        "DATABASE_URL=",
        "CELERY_KEY_PREFIX=",
        "IMAGE_DIR=",
        "INSTANCES_DIR=",
        "VOLUME_DIR=",
    ):
        assert setting in env, (setting, env)
