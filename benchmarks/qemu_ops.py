"""Each server operation on real QEMU guests next to libvirt's test driver, on a cloud of its
own: time from the API call to the final state the API shows, median of N runs; and the
compute worker's memory (RSS) with 10 running guests.

    .venv/bin/python benchmarks/qemu_ops.py [--runs 5] [--guests 10] [--database-url URL]

It needs the two libvirt daemons (scripts/libvirt.sh up) and the guest image
(scripts/guest-image.sh). It starts the Procfile's web, conductor, scheduler and compute
processes as make run LIBVIRT=qemu does (compute1 and compute2 on the daemons, zone nova),
plus compute4, a copy of compute3 on the test driver, so that zone az2 has two test-driver
hosts to move servers between; the cloud's cirros is the guest image. One server per run and
driver goes through every operation; on QEMU the next operation waits (untimed) for the
guest's banner on its serial console, since a guest still booting does not answer ACPI.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.lifecycle import current, timed  # noqa: E402
from benchmarks.stats import percentile  # noqa: E402
from benchmarks.storm import Cloud, prepare_database, procfile, wait_ready  # noqa: E402
from tests.e2e.cloud import Api  # noqa: E402

V = {"OpenStack-API-Version": "compute 2.96"}
QEMU_HOSTS = {"compute1": "qemu+tcp://127.0.0.1:16509/system", "compute2": "qemu+tcp://127.0.0.1:16510/system"}
READY = "novasite guest ready"  # the guest image's banner (scripts/guest-image.sh)
#: (name, action body, final status, whether the guest boots again afterwards)
OPERATIONS: tuple[tuple[str, dict, str, bool], ...] = (
    ("stop", {"os-stop": None}, "SHUTOFF", False),
    ("start", {"os-start": None}, "ACTIVE", True),
    ("reboot soft", {"reboot": {"type": "SOFT"}}, "ACTIVE", True),
    ("reboot hard", {"reboot": {"type": "HARD"}}, "ACTIVE", True),
    ("pause", {"pause": None}, "PAUSED", False),
    ("unpause", {"unpause": None}, "ACTIVE", False),
    ("suspend", {"suspend": None}, "SUSPENDED", False),
    ("resume", {"resume": None}, "ACTIVE", False),
    ("rescue", {"rescue": None}, "RESCUE", True),
    ("unrescue", {"unrescue": None}, "ACTIVE", True),
    ("rebuild", {"rebuild": {"imageRef": "IMAGE"}}, "ACTIVE", True),
    ("createImage", {"createImage": {"name": "bench"}}, "ACTIVE", False),
    ("resize", {"resize": {"flavorRef": "1"}}, "VERIFY_RESIZE", True),
    ("confirm resize", {"confirmResize": None}, "ACTIVE", False),
    ("resize (to revert)", {"resize": {"flavorRef": "42"}}, "VERIFY_RESIZE", True),
    ("revert resize", {"revertResize": None}, "ACTIVE", True),
    ("cold migrate", {"migrate": None}, "VERIFY_RESIZE", True),
    ("confirm migrate", {"confirmResize": None}, "ACTIVE", False),
    ("live migrate", {"os-migrateLive": {"host": None, "block_migration": "auto"}}, "ACTIVE", False),
    ("shelve (offload)", {"shelve": None}, "SHELVED_OFFLOADED", False),
    ("unshelve", {"unshelve": None}, "ACTIVE", True),
)


def console_shows_banner(api: Api, sid: str, timeout: float = 120) -> None:
    """Wait until the guest's serial log shows its banner (QEMU guests only)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            response = api.post(f"/compute/v2.1/servers/{sid}/action", {"os-getConsoleOutput": {}}, headers=V)
        except requests.Timeout:  # the host answers late when the machine is busy: ask again
            continue
        if response.status_code == 200 and READY in response.json()["output"]:
            return
        time.sleep(0.5)
    raise SystemExit(f"{sid}: no {READY!r} on the console in {timeout:.0f} s")


def live_migrate(api: Api, sid: str, body: dict) -> float:
    """Time a live migration until the server is on another host with no task."""
    before = current(api, sid)["OS-EXT-SRV-ATTR:host"]
    started = time.perf_counter()
    response = api.post(f"/compute/v2.1/servers/{sid}/action", body, headers=V)
    assert response.status_code == 202, response.text
    while (server := current(api, sid))["OS-EXT-SRV-ATTR:host"] == before or server["OS-EXT-STS:task_state"]:
        if server["status"] == "ERROR":
            raise SystemExit(f"live migration: ERROR {server.get('fault')}")
        time.sleep(0.01)
    return time.perf_counter() - started


def walk(api: Api, image: str, zone: str, hosts: set[str], real: bool, record: Callable[[str, float], None]) -> None:
    """One server through every operation in ``zone``; it must stay on ``hosts``."""
    started = time.perf_counter()
    body = {"name": "bench", "imageRef": image, "flavorRef": "42", "networks": "none", "availability_zone": zone}
    response = api.post("/compute/v2.1/servers", {"server": body}, headers=V)
    assert response.status_code == 202, response.text
    sid = response.json()["server"]["id"]
    timed(api, sid, None, "ACTIVE", method="poll")
    record("boot", time.perf_counter() - started)
    if real:
        console_shows_banner(api, sid)
        record("boot to guest banner", time.perf_counter() - started)
    for name, action, until, boots in OPERATIONS:
        action = {k: ({"imageRef": image} if v == {"imageRef": "IMAGE"} else v) for k, v in action.items()}
        seconds = live_migrate(api, sid, action) if name == "live migrate" else timed(api, sid, action, until)
        record(name, seconds)
        host = current(api, sid)["OS-EXT-SRV-ATTR:host"]
        if host is not None and host not in hosts:
            raise SystemExit(f"{name} moved the server to {host}, outside {sorted(hosts)}")
        if real and boots:
            console_shows_banner(api, sid)
    started = time.perf_counter()
    api.delete(f"/compute/v2.1/servers/{sid}")
    api.wait_until_gone(sid, timeout=120)
    record("delete", time.perf_counter() - started)


def recorder(into: dict[str, list[float]]) -> Callable[[str, float], None]:
    """A ``record(name, seconds)`` appending to ``into``."""

    def record(name: str, seconds: float) -> None:
        into.setdefault(name, []).append(seconds)

    return record


def remove_guests(under: str) -> None:
    """Destroy and undefine the domains left on the daemons with a disk under ``under`` (a
    run that stopped half way; the daemons are shared, so only this run's)."""
    import libvirt

    for uri in QEMU_HOSTS.values():
        conn = libvirt.open(uri)
        try:
            for dom in conn.listAllDomains():
                if under in dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE):
                    if dom.isActive():
                        dom.destroy()
                    dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE)
        finally:
            conn.close()


def rss_mib(pid: int) -> float:
    """A process's resident memory in MiB (/proc/PID/status VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def memory_with_guests(api: Api, cloud: Cloud, image: str, count: int) -> tuple[float, float]:
    """compute1's RSS (MiB) idle and with ``count`` running guests on it."""
    pid = cloud.pids()["compute1"]
    idle = rss_mib(pid)
    body = {"server": {"name": "mem", "imageRef": image, "flavorRef": "42", "networks": "none", "host": "compute1"}}
    ids = []
    for _ in range(count):
        response = api.post("/compute/v2.1/servers", body, headers={"OpenStack-API-Version": "compute 2.74"})
        assert response.status_code == 202, response.text
        ids.append(response.json()["server"]["id"])
    for sid in ids:
        server = api.wait_until_settled(sid, timeout=300)
        if server["status"] != "ACTIVE":
            raise SystemExit(f"{sid}: {server['status']} {server.get('fault')}")
        console_shows_banner(api, sid, timeout=300)
    time.sleep(3)  # a few heartbeats and power syncs with every guest up
    loaded = rss_mib(pid)
    for sid in ids:
        api.delete(f"/compute/v2.1/servers/{sid}")
    for sid in ids:
        api.wait_until_gone(sid, timeout=120)
    return idle, loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 2)[2])
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--runs", type=int, default=5, help="servers per driver (default 5)")
    parser.add_argument("--guests", type=int, default=10, help="running guests for the memory figure (default 10)")
    parser.add_argument("--database-url", help="default: a fresh SQLite file in the work directory")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/8")
    parser.add_argument("--port", type=int, default=8860)
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    args = parser.parse_args()

    guest_image = subprocess.run(
        ["scripts/guest-image.sh"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()[-1]
    workdir = Path(tempfile.mkdtemp(prefix="qemu-ops-"))
    workdir.chmod(0o755)  # QEMU (libvirt-qemu) reads the images and disks under it
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "novasite.settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": args.broker_url,
        "CELERY_KEY_PREFIX": f"qemuops{os.getpid()}:",
        "IMAGE_DIR": str(workdir / "images"),
        "INSTANCES_DIR": str(workdir / "instances"),
        "VOLUME_DIR": str(workdir / "volumes"),
        "ADMIN_PASSWORD": "secret",
        "DEMO_PASSWORD": "secret",
        "GUEST_IMAGE": guest_image,
        "COMPUTE1_LIBVIRT_URI": QEMU_HOSTS["compute1"],
        "COMPUTE2_LIBVIRT_URI": QEMU_HOSTS["compute2"],
        "MIGRATE_URI": "tcp://127.0.0.1",
    }
    commands = procfile(ROOT / "Procfile", args.port, 8, 16384, 200)
    commands = {
        name: cmd
        for name, cmd in commands.items()
        if name in ("web", "conductor", "scheduler", "compute1", "compute2", "compute3")
    }
    commands["compute4"] = commands["compute3"].replace("--host compute3", "--host compute4")
    print(f"qemu_ops: {args.runs} runs per driver, work directory {workdir}")
    prepare_database(database_url, env)
    cloud = Cloud(commands, env, workdir)
    api_url = f"http://127.0.0.1:{args.port}"
    results: dict[str, dict[str, list[float]]] = {"qemu": {}, "test": {}}
    try:
        for name in commands:
            cloud.start(name)
        wait_ready(api_url, [n for n in commands if n.startswith("compute")], cloud)
        api = Api.login(api_url, "admin", "admin")
        az2 = next(
            a for a in api.get("/compute/v2.1/os-aggregates").json()["aggregates"] if a["availability_zone"] == "az2"
        )
        added = api.post(f"/compute/v2.1/os-aggregates/{az2['id']}/action", {"add_host": {"host": "compute4"}})
        assert added.status_code == 200, added.text
        image = api.get("/image/v2/images", params={"name": "cirros"}).json()["images"][0]["id"]
        for run in range(args.runs):
            for driver, zone, hosts in (("test", "az2", {"compute3", "compute4"}), ("qemu", "nova", set(QEMU_HOSTS))):
                walk(api, image, zone, hosts, driver == "qemu", recorder(results[driver]))
            print(f"run {run + 1}/{args.runs} done", file=sys.stderr)
            table(results, file=sys.stderr)  # the figures so far, should a later run fail
        idle, loaded = memory_with_guests(api, cloud, image, args.guests)
    finally:
        cloud.stop()
        remove_guests(str(workdir))
        if not args.keep:
            subprocess.run(["rm", "-rf", str(workdir)], check=False)
    table(results)
    print(f"compute1 (QEMU) worker RSS: {idle:.0f} MiB idle, {loaded:.0f} MiB with {args.guests} running guests")


def table(results: dict[str, dict[str, list[float]]], file: TextIO = sys.stdout) -> None:
    """Median and max seconds per operation, QEMU beside the test driver."""
    print(f"{'operation':<22}{'QEMU median s':>14}{'max':>8}{'test driver median s':>22}{'max':>8}", file=file)
    for name, qemu in results["qemu"].items():
        test = results["test"].get(name, [])
        test_median = f"{statistics.median(test):>22.2f}{percentile(test, 1.0):>8.2f}" if test else f"{'-':>22}{'-':>8}"
        print(f"{name:<22}{statistics.median(qemu):>14.2f}{percentile(qemu, 1.0):>8.2f}{test_median}", file=file)


if __name__ == "__main__":
    main()
