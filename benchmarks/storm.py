"""A boot storm on a cloud of its own: N concurrent creates to ACTIVE, with optional kill drills.

    .venv/bin/python benchmarks/storm.py [--database-url URL] [--broker-url URL] [--concurrency 200]
        [--kill compute1@2s+5s ...] [--no-flower] [--keep]

It starts the `Procfile`'s processes (web, conductor, scheduler, every compute worker on the
libvirt test driver, Flower; not beat nor the console proxy) exactly as written there, on a
database of its own (a fresh SQLite file by default; a PostgreSQL URL names a database it
drops and creates with scripts/createdb) and on its own broker key prefix, seeds the demo cloud, and fires
``--concurrency`` creates at once (the demo project, flavor cirros, the provider network; at
most ~250, the size of its subnet). It prints boots/s (ACTIVE servers over the time from the
first POST to the last ACTIVE), p50/p95 time-to-ACTIVE (the server's launched_at minus its
POST's start), the outcome of every request, the checks (no host over-committed, allocations
equal to the servers on each host, quota usage equal to servers, no task_state left, nothing in
BUILD)
and the CPU milliseconds per boot of each process (from /proc: utime + stime, children
included), beside the machine's whole CPU (which includes anything else running).

``--kill NAME@T[+D]`` sends SIGKILL to process NAME (a Procfile name) T seconds after the
first POST and starts it again D seconds later (default 5).

Exit status 1 when a check fails. The cloud's logs stay in the work directory with --keep.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.stats import percentile  # noqa: E402
from benchmarks.storm_checks import Outcome, check_cloud, settle  # noqa: E402
from benchmarks.storm_cpu import CpuMeter  # noqa: E402

PYTHON = sys.executable
V = {"OpenStack-API-Version": "compute 2.96"}


def procfile(path: Path, port: int, host_vcpus: int, host_memory_mb: int, host_disk_gb: int) -> dict[str, str]:
    """The Procfile's commands by name, bound to this run's ports and with the compute hosts'
    capacity set for the storm. Left out: beat, and the console proxy (no part of a boot, and
    its fixed port would clash with a running cloud's)."""
    commands = {}
    for line in path.read_text().splitlines():
        name, _, command = line.partition(":")
        if not command or name.startswith("#") or name.strip() in ("beat", "novncproxy"):
            continue
        command = command.strip().replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        command = command.replace("--port=5555", f"--port={port + 1}")
        command = re.sub(r"--vcpus \d+", f"--vcpus {host_vcpus}", command)
        command = re.sub(r"--memory-mb \d+", f"--memory-mb {host_memory_mb}", command)
        command = re.sub(r"--disk-gb \d+", f"--disk-gb {host_disk_gb}", command)
        commands[name.strip()] = command
    return commands


class Cloud:
    """The Procfile's processes, each in its own session, logging into the work directory."""

    def __init__(self, commands: dict[str, str], env: dict[str, str], workdir: Path) -> None:
        self.commands = commands
        self.env = env
        self.workdir = workdir
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str) -> None:
        """Start one process (`exec` keeps the pid the program's own)."""
        log = (self.workdir / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            ["bash", "-c", f"exec {self.commands[name]}"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, name: str, sig: int = signal.SIGTERM) -> None:
        """Signal a process's whole session and wait for it."""
        process = self.processes[name]
        if process.poll() is None:
            os.killpg(process.pid, sig)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def stop(self) -> None:
        for name in list(self.processes):
            self.kill(name)

    def pids(self) -> dict[str, int]:
        return {name: process.pid for name, process in self.processes.items() if process.poll() is None}


def cloud_env(workdir: Path, database_url: str, broker_url: str, name: str) -> dict[str, str]:
    """The environment of a benchmark's own cloud: its database, its broker key prefix, its
    image and instance directories under ``workdir``, the demo passwords."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "novasite.settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_KEY_PREFIX": f"{name}{os.getpid()}:",
        "IMAGE_DIR": str(workdir / "images"),
        "INSTANCES_DIR": str(workdir / "instances"),
        "ADMIN_PASSWORD": "secret",
        "DEMO_PASSWORD": "secret",
        "FLOWER_BASIC_AUTH": "admin:secret",
    }


def prepare_database(url: str, env: dict[str, str]) -> None:
    """A fresh database: PostgreSQL's is dropped and created again (it must be this
    benchmark's own), then migrated and seeded as `make seed` does."""
    import dj_database_url
    import psycopg2

    from scripts.createdb import create_database

    config = dj_database_url.parse(url)
    if "postgresql" in config["ENGINE"]:
        conn = psycopg2.connect(
            dbname="postgres", user=config["USER"], host=config["HOST"] or None, port=config["PORT"] or None
        )
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
        conn.close()
        create_database(url)
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def database_server_pid(url: str) -> int | None:
    """The pid of the PostgreSQL server holding the database (the parent of a backend), to
    count its CPU; None for SQLite or a server on another machine."""
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return None
    conn = psycopg2.connect(
        dbname=config["NAME"], user=config["USER"], host=config["HOST"] or None, port=config["PORT"] or None
    )
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (backend,) = cursor.fetchone() or (0,)
    finally:
        conn.close()
    try:
        with open(f"/proc/{backend}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None


def parse_kill(text: str) -> tuple[str, float, float]:
    """NAME@T[+D] -> (name, at seconds, restart delay seconds)."""
    match = re.fullmatch(r"([\w.-]+)@([\d.]+)s?(?:\+([\d.]+)s?)?", text)
    if not match:
        raise argparse.ArgumentTypeError(f"--kill wants NAME@Ts[+Ds], e.g. compute1@2s+5s, not {text!r}")
    return match[1], float(match[2]), float(match[3] or 5)


def drill(cloud: Cloud, name: str, at: float, delay: float, t0: float, log: list[str]) -> None:
    """SIGKILL `name` at t0 + at, start it again `delay` seconds later."""
    time.sleep(max(0.0, t0 + at - time.time()))
    cloud.kill(name, signal.SIGKILL)
    log.append(f"{time.time() - t0:6.2f}s SIGKILL {name}")
    time.sleep(delay)
    cloud.start(name)
    log.append(f"{time.time() - t0:6.2f}s restarted {name}")


def wait_ready(api_url: str, computes: list[str], cloud: Cloud, timeout: float = 120) -> None:
    """Until the API answers and every compute service has reported."""
    import requests

    from tests.e2e.cloud import Api

    deadline = time.time() + timeout
    while time.time() < deadline:
        dead = [name for name, process in cloud.processes.items() if process.poll() is not None]
        if dead:
            raise SystemExit(f"processes died at start: {dead}; logs in {cloud.workdir}")
        try:
            admin = Api.login(api_url, "admin", "admin")
            services = admin.get("/compute/v2.1/os-services", params={"binary": "nova-compute"}).json()["services"]
            if {s["host"] for s in services if s["state"] == "up"} >= set(computes):
                return
        except (requests.RequestException, KeyError, ValueError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"the cloud did not come up in {timeout:.0f} s; logs in {cloud.workdir}")


def prepare_storm(api_url: str, count: int) -> tuple[str, dict]:
    """Set the demo project's quota to exactly `count` servers and log in as demo (once: a
    password login is costly by design); returns the token and the create body."""
    from tests.e2e.cloud import Api

    admin = Api.login(api_url, "admin", "admin")
    project = admin.get("/identity/v3/projects", params={"name": "demo"}).json()["projects"][0]["id"]
    quota = {"quota_set": {"instances": count, "cores": count, "ram": count * 128}}
    admin.session.put(f"{api_url}/compute/v2.1/os-quota-sets/{project}", json=quota, timeout=10).raise_for_status()
    admin.session.put(
        f"{api_url}/network/v2.0/quotas/{project}", json={"quota": {"port": -1}}, timeout=10
    ).raise_for_status()
    demo = Api.login(api_url, "demo", "demo")
    image = demo.get("/image/v2/images", params={"name": "cirros"}).json()["images"][0]["id"]
    network = demo.get("/network/v2.0/networks", params={"name": "provider"}).json()["networks"][0]["id"]
    flavor = next(f["id"] for f in demo.get("/compute/v2.1/flavors").json()["flavors"] if f["name"] == "cirros")
    body = {"server": {"imageRef": image, "flavorRef": flavor, "networks": [{"uuid": network}]}}
    return str(demo.session.headers["X-Auth-Token"]), body


def storm(api_url: str, count: int, token: str, body: dict) -> tuple[float, list[Outcome]]:
    """Fire `count` creates at once, each on its own connection; returns the wall-clock start
    and each request's outcome."""
    from tests.e2e.cloud import Api

    barrier = threading.Barrier(count)

    def create(index: int) -> Outcome:
        api = Api(api_url, token)
        barrier.wait()
        started = time.time()
        try:
            response = api.session.post(
                f"{api_url}/compute/v2.1/servers",
                json={"server": {**body["server"], "name": f"storm{index}"}},
                headers=V,
                timeout=120,
            )
        except Exception as exc:  # a refused or dropped connection is an outcome to report
            return Outcome(started, time.time(), 0, None, type(exc).__name__)
        server = response.json().get("server", {}) if response.status_code == 202 else {}
        return Outcome(started, time.time(), response.status_code, server.get("id"), response.text[:200])

    t0 = time.time()
    with ThreadPoolExecutor(count) as pool:
        outcomes = list(pool.map(create, range(count)))
    return t0, outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 2)[2])
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--database-url", help="default: a fresh SQLite file in the work directory")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/8")
    parser.add_argument("--concurrency", type=int, default=200, help="concurrent boots (default 200)")
    parser.add_argument("--port", type=int, default=8840, help="API port (Flower on the next one)")
    parser.add_argument("--procfile", type=Path, default=ROOT / "Procfile")
    parser.add_argument("--host-vcpus", type=int, default=64, help="each compute host's vCPUs")
    parser.add_argument("--host-memory-mb", type=int, default=65536)
    parser.add_argument("--host-disk-gb", type=int, default=1000)
    parser.add_argument("--kill", type=parse_kill, action="append", default=[], metavar="NAME@Ts[+Ds]")
    parser.add_argument("--no-flower", action="store_true", help="leave Flower (and its event decoding) out")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for every boot to settle")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="extra environment")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="storm-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'storm.sqlite3'}"
    env = {
        **cloud_env(workdir, database_url, args.broker_url, "storm"),
        **dict(item.split("=", 1) for item in args.env),
    }
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "IMAGE_DIR")})
    commands = procfile(args.procfile, args.port, args.host_vcpus, args.host_memory_mb, args.host_disk_gb)
    if args.no_flower:
        commands.pop("flower", None)
    unknown = [name for name, _, _ in args.kill if name not in commands]
    if unknown:
        raise SystemExit(f"--kill names no Procfile process: {unknown} (known: {sorted(commands)})")
    print(f"storm: {args.concurrency} boots on {database_url.split('@')[-1]}, work directory {workdir}")
    prepare_database(database_url, env)
    cloud = Cloud(commands, env, workdir)
    api_url = f"http://127.0.0.1:{args.port}"
    computes = [name for name in commands if name.startswith("compute")]
    drills: list[str] = []
    try:
        for name in commands:
            cloud.start(name)
        wait_ready(api_url, computes, cloud)
        token, body = prepare_storm(api_url, args.concurrency)
        time.sleep(1)  # let start-up work (heartbeats, imports) finish before measuring
        meter = CpuMeter(cloud.pids, database_server_pid(database_url))
        meter.start()
        t0 = time.time()
        for name, at, delay in args.kill:
            threading.Thread(target=drill, args=(cloud, name, at, delay, t0, drills), daemon=True).start()
        t0, outcomes = storm(api_url, args.concurrency, token, body)
        accepted = [o.server_id for o in outcomes if o.server_id]
        settled = settle(accepted, args.timeout)
        cpu = meter.stop()
        report(args, t0, outcomes, settled, cpu, drills)
        problems = check_cloud(accepted, quota=args.concurrency)
    finally:
        cloud.stop()
        if not args.keep:
            subprocess.run(["rm", "-rf", str(workdir)], check=False)
    for problem in problems:
        print(f"CHECK FAILED: {problem}")
    print("checks: " + ("all passed" if not problems else f"{len(problems)} failed"))
    sys.exit(1 if problems else 0)


def report(args, t0: float, outcomes: list[Outcome], settled, cpu, drills: list[str]) -> None:
    """Print throughput, latencies, outcomes and CPU per boot."""
    codes: dict[str, int] = {}
    for outcome in outcomes:
        key = str(outcome.status) if outcome.status in (202, 0) else f"{outcome.status} {outcome.detail[:80]}"
        codes[key] = codes.get(key, 0) + 1
    post_ms = [(o.finished - o.started) * 1000 for o in outcomes]
    started = {o.server_id: o.started for o in outcomes if o.server_id}
    active = settled.launched
    latencies = [active[uuid] - started[uuid] for uuid in active]
    span = (max(active.values()) - t0) if active else float("nan")
    for line in drills:
        print(f"drill {line}")
    print(f"requests: {', '.join(f'{n} x {code}' for code, n in sorted(codes.items()))}")
    print(f"POST latency: p50 {percentile(post_ms, 0.5):.0f} ms, p95 {percentile(post_ms, 0.95):.0f} ms")
    print(f"outcome: {settled.summary()}")
    if active:
        print(
            f"boots/s: {len(active) / span:.1f}  ({len(active)} ACTIVE in {span:.2f} s from the first POST)\n"
            f"time to ACTIVE: p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
            f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
        )
    print(cpu.table(max(1, len(active))))


if __name__ == "__main__":
    main()
