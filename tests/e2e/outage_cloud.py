"""A cloud of its own for the fault drills: a private PostgreSQL cluster and a private Redis,
each on a free port with its data under /tmp, that a drill may stop and start without touching
the machine's shared ones; gunicorn, conductor, scheduler and compute workers on them, every
one a separate process, as production runs them. The drills talk to it over HTTP only, and read
the database directly for the final bookkeeping checks."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import pytest
import redis
import requests

from tests.browser.server import free_port
from tests.waiting import wait_until

from .cloud import ROOT, Api, WorkerSet

FLAVOR = "42"  # cirros: 1 vCPU, 128 MB


def _postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's server programs (initdb, pg_ctl), if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of this drill's own (trust auth, no fsync), owned by the postgres
    user because initdb refuses root."""

    data: Path
    port: int
    bin: Path
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.data.parent / "postgres.log"

    def _run(self, *argv: str, timeout: float = 60) -> None:
        command = [str(self.bin / argv[0]), *argv[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"

    def init(self) -> None:
        self.data.parent.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.data.parent, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start")

    def stop(self) -> None:
        """Stop it as an outage does: every client connection is cut at once."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/novasite"

    def query(self, sql: str) -> list[tuple]:
        """Rows of ``sql`` on the cloud's database."""
        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="novasite")
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()
        finally:
            conn.close()


@dataclass
class PrivateRedis:
    """A redis-server of this drill's own. ``restart(keep=True)`` saves the dataset and loads it
    again (a Redis with persistence); ``keep=False`` starts it empty (one without: its queues
    are gone)."""

    port: int
    dir: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir)]
        argv += ["--save", "", "--appendonly", "no", "--dbfilename", "dump.rdb"]
        self.process = subprocess.Popen(argv, stdout=(self.dir / "redis.log").open("ab"), stderr=subprocess.STDOUT)
        client = redis.Redis(port=self.port)
        wait_until(lambda: _pings(client), 10, what="the private Redis answering")

    def stop(self, keep: bool) -> None:
        # redis-cli: redis-py would send SHUTDOWN again, with backoff, when it sees the
        # connection close, and stretch the outage by seconds.
        argv = ["redis-cli", "-p", str(self.port), "shutdown", "save" if keep else "nosave"]
        subprocess.run(argv, capture_output=True, timeout=30)
        assert self.process is not None
        self.process.wait(timeout=30)
        if not keep:
            (self.dir / "dump.rdb").unlink(missing_ok=True)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


@dataclass
class OutageCloud:
    """The drill's cloud: its database, its broker, its processes and its API's address."""

    postgres: PrivatePostgres
    broker: PrivateRedis
    workers: WorkerSet
    url: str

    def login(self, user: str = "demo") -> Api:
        return Api.login(self.url, user, user)

    def alive(self) -> list[str]:
        """Names of the processes that died (none should)."""
        return [w.name for w in self.workers.workers.values() if w.process.poll() is not None]


def start_outage_cloud(workdir: Path, env: dict[str, str] | None = None, compute_delays: str = "") -> OutageCloud:
    """Initialise and start the private PostgreSQL and Redis, migrate and seed the demo cloud
    on them, and start gunicorn, conductor, scheduler, beat and two compute workers (slowed
    down by ``compute_delays``, COMPUTE_DELAYS)."""
    pg_bin = _postgres_bin()
    if pg_bin is None or shutil.which("redis-server") is None:
        pytest.skip("the fault drills need PostgreSQL's server programs and redis-server installed")
    postgres = PrivatePostgres(workdir / "pg" / "data", free_port(), pg_bin)
    postgres.init()
    postgres.start()
    subprocess.run(
        [str(pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres", "novasite"],
        check=True,
        capture_output=True,
    )
    (workdir / "redis").mkdir()
    broker = PrivateRedis(free_port(), workdir / "redis")
    broker.start()
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "novasite.settings",
        "DATABASE_URL": postgres.url,
        "CELERY_BROKER_URL": broker.url,
        "CELERY_RESULT_BACKEND": broker.url,
        "REPORT_INTERVAL": "1",
        "IMAGE_DIR": str(workdir / "images"),
        "INSTANCES_DIR": str(workdir / "instances"),
        "LOG_LEVEL": "INFO",
        "ADMIN_PASSWORD": "secret",
        "DEMO_PASSWORD": "secret",
        # A task whose ack was lost with its connection comes back after 10 s, not an hour.
        "CELERY_VISIBILITY_TIMEOUT": "10",
        # Room for every drill's boots in the demo project.
        "QUOTA_INSTANCES": "-1",
        "QUOTA_CORES": "-1",
        "QUOTA_RAM": "-1",
        # Beat's reconciler drives builds whose message an empty Redis lost, within seconds.
        "RECONCILE_INTERVAL": "3",
        "RECONCILE_AFTER": "10",
        **(env or {}),
    }
    base_env.pop("CELERY_KEY_PREFIX", None)
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=base_env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"manage.py {command[0]} failed:\n{done.stdout}\n{done.stderr}"
    workers = WorkerSet(workdir, base_env)
    port = free_port()
    gunicorn = ["gunicorn", "novasite.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4"]
    web = workers.start("web", [sys.executable, "-m", *gunicorn, "--graceful-timeout", "5", "--timeout", "60"])
    workers.start_control("conductor", "conductor", concurrency=4)
    workers.start_control("scheduler", "scheduler", concurrency=2)
    for host in ("compute1", "compute2"):
        workers.start_compute(host, vcpus=16, memory_mb=16384, delays=compute_delays)
    workers.start_beat()
    url = f"http://127.0.0.1:{port}"

    def answering() -> bool:
        assert web.process.poll() is None, f"gunicorn exited:\n{web.output()}"
        try:
            return requests.get(f"{url}/identity/v3", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    wait_until(answering, 60, what=lambda: f"gunicorn answering\n{web.output()}", interval=0.3)
    reporting = """SELECT count(*) FROM hosts_service WHERE "binary" = 'nova-compute'"""
    wait_until(lambda: postgres.query(reporting)[0][0] >= 2, 60, what=lambda: f"computes up\n{workers.logs()}")
    return OutageCloud(postgres, broker, workers, url)


def stop_outage_cloud(cloud: OutageCloud) -> None:
    """Stop every process, the broker and the database, and remove their files."""
    cloud.workers.stop_all()
    cloud.broker.kill()
    try:
        cloud.postgres.stop()
    except AssertionError:
        pass  # already stopped
    shutil.rmtree(cloud.workers.workdir, ignore_errors=True)


def drill_workdir() -> Path:
    """A fresh directory under /tmp (short: the PostgreSQL socket path has a length limit)."""
    workdir = Path(tempfile.mkdtemp(prefix="novasite-drill-", dir="/tmp"))
    workdir.chmod(0o755)  # the postgres user reaches its cluster's directory through it
    return workdir


# --- the storm and its checks ---------------------------------------------------------------


@dataclass
class Storm:
    """What a storm of creates got: the accepted servers' ids and every status code seen."""

    accepted: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)


def create_body(name: str, image_id: str) -> dict:
    return {"server": {"name": name, "imageRef": image_id, "flavorRef": FLAVOR, "networks": "none"}}


def storm(api: Api, image_id: str, count: int, during: Callable[[], None] | None = None, spread: float = 4.0) -> Storm:
    """``count`` creates from 8 threads, spread over about ``spread`` seconds; ``during`` runs
    in the calling thread meanwhile (the fault)."""
    result = Storm()

    def create(index: int) -> None:
        time.sleep(index * spread / count)
        try:
            response = api.session.post(
                f"{api.base}/compute/v2.1/servers",
                json=create_body(f"drill-{index}", image_id),
                headers={"OpenStack-API-Version": "compute 2.37"},
                timeout=60,
            )
        except requests.RequestException as exc:  # the API itself must never go away
            result.statuses.append(-1)
            result.bodies.append(repr(exc))
            return
        result.statuses.append(response.status_code)
        if response.status_code == 202:
            result.accepted.append(response.json()["server"]["id"])
        else:
            result.bodies.append(response.text)

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(create, index) for index in range(count)]
        if during is not None:
            during()
        for future in futures:
            future.result()
    return result


def settle(api: Api, server_ids: list[str], timeout: float, cloud: OutageCloud | None = None) -> dict[str, dict]:
    """Wait until every server's workflow ended (no task_state, not BUILD); return them."""
    seen: dict[str, dict] = {}

    def all_settled() -> bool:
        if cloud is not None:
            assert not cloud.alive(), f"processes died: {cloud.alive()}\n{cloud.workers.logs()}"
        for sid in server_ids:
            if sid in seen:
                continue
            try:
                server = api.server(sid)
            except requests.RequestException:
                return False
            if server is not None and server["OS-EXT-STS:task_state"] is None and server["status"] != "BUILD":
                seen[sid] = server
        return len(seen) == len(server_ids)

    def stuck() -> str:
        left = [sid for sid in server_ids if sid not in seen]
        report = f"{len(left)} of {len(server_ids)} servers still in their workflow: {left[:5]}"
        if cloud is not None:
            for sid in left[:3]:
                rows = cloud.postgres.query(
                    f"SELECT vm_state, task_state, host FROM servers_server WHERE uuid = '{sid}'"
                )
                report += f"\n{sid}: {rows}"
                for worker in cloud.workers.workers.values():
                    report += "".join(
                        f"\n  [{worker.name}] {line}" for line in worker.output().splitlines() if sid in line
                    )
        return report

    wait_until(all_settled, timeout, what=stuck, interval=1.0)
    return seen


def assert_bookkeeping(cloud: OutageCloud, servers: dict[str, dict]) -> None:
    """Every accepted boot ended ACTIVE, or in ERROR with a fault that says why; each ACTIVE
    server holds exactly one allocation, and nothing else holds any."""
    for server in servers.values():
        assert server["status"] in ("ACTIVE", "ERROR"), server
        if server["status"] == "ERROR":
            assert server.get("fault", {}).get("message"), f"ERROR without a fault: {server}"
    assert {sid for sid, server in servers.items() if server["status"] == "ACTIVE"} <= _active(cloud)
    active = _active(cloud)  # this storm's and any earlier one's
    rows = cloud.postgres.query("SELECT consumer::text, count(*) FROM hosts_allocation GROUP BY consumer")
    held = dict(rows)
    assert set(held) == active, f"allocations {sorted(held)} != active servers {sorted(active)}"
    assert all(count == 1 for count in held.values()), held


def _active(cloud: OutageCloud) -> set[str]:
    """The uuids of the servers the database has ACTIVE (and not deleted)."""
    rows = cloud.postgres.query("SELECT uuid::text FROM servers_server WHERE vm_state = 'active' AND NOT deleted")
    return {uuid for (uuid,) in rows}
