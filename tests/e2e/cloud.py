"""A real cloud for end-to-end tests: Celery workers in their own processes (conductor,
scheduler and compute workers on the libvirt test driver) around the live HTTP server."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import kombu
import redis
import requests

from novasite.broker import amqp_vhost, is_amqp
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
# Nothing listens on port 1: a compute worker that tried to reach the database would fail.
UNREACHABLE_DATABASE_URL = "postgres://novasite@127.0.0.1:1/unreachable"


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    log: Path
    argv: list[str] = field(default_factory=list)
    env: dict = field(default_factory=dict)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class WorkerSet:
    workdir: Path
    base_env: dict
    workers: dict[str, Worker] = field(default_factory=dict)

    def start(self, name: str, argv: list[str], env: dict | None = None) -> Worker:
        log = self.workdir / f"{name}.log"
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**self.base_env, **(env or {})},
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers[name] = Worker(name, process, log, argv, env or {})
        return self.workers[name]

    def restart(self, name: str, sig: int = signal.SIGTERM) -> Worker:
        """Stop a worker (SIGKILL for a crash) and start it again exactly as it was."""
        worker = self.workers[name]
        self.kill(name, sig)
        return self.start(name, worker.argv, worker.env)

    def start_control(self, name: str, queue: str, concurrency: int = 4) -> Worker:
        return self.start(
            name,
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "novasite",
                "worker",
                "--queues",
                queue,
                "--pool",
                "threads",
                "--concurrency",
                str(concurrency),
                "--hostname",
                f"{name}@e2e",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--task-events",
            ],
        )

    def start_compute(
        self,
        host: str,
        *,
        vcpus: int = 4,
        memory_mb: int = 4096,
        disk_gb: int = 40,
        faults: str = "",
        delays: str = "",
        libvirt_uri: str | None = None,
    ) -> Worker:
        """The compute worker of ``host``, on ``libvirt_uri`` if given (a real daemon, for the
        qemu tests), else on LIBVIRT_URI (the test driver)."""
        return self.start(
            host,
            [
                sys.executable,
                "manage.py",
                "compute_worker",
                "--host",
                host,
                "--vcpus",
                str(vcpus),
                "--memory-mb",
                str(memory_mb),
                "--disk-gb",
                str(disk_gb),
                "--instances-dir",
                str(self.workdir / "instances" / host),
                *(["--libvirt-uri", libvirt_uri] if libvirt_uri else []),
            ],
            env={"DATABASE_URL": UNREACHABLE_DATABASE_URL, "COMPUTE_FAULTS": faults, "COMPUTE_DELAYS": delays},
        )

    def start_beat(self) -> Worker:
        """Celery beat, sending the periodic conductor tasks as `make run` does."""
        return self.start(
            "beat",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "novasite",
                "beat",
                "--schedule",
                str(self.workdir / "beat-schedule"),
                "--loglevel",
                "INFO",
            ],
        )

    def start_flower(self, port: int, basic_auth: str) -> Worker:
        """Celery Flower on the same broker (and key prefix) as the workers, behind basic auth
        (``user:password``), as `make run` starts it."""
        return self.start(
            "flower",
            [sys.executable, "-m", "celery", "-A", "novasite", "flower", "--address=127.0.0.1", f"--port={port}"],
            env={"FLOWER_BASIC_AUTH": basic_auth},
        )

    def kill(self, name: str, sig: int = signal.SIGTERM) -> None:
        worker = self.workers.pop(name)
        if worker.process.poll() is None:
            os.killpg(worker.process.pid, sig)
            try:
                worker.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(worker.process.pid, signal.SIGKILL)
                worker.process.wait()

    def stop_all(self) -> None:
        for name in list(self.workers):
            self.kill(name)

    def logs(self) -> str:
        return "\n".join(f"===== {w.name} =====\n{w.output()[-6000:]}" for w in self.workers.values())


def flush_broker(url: str, prefix: str) -> None:
    """Drop this run's queued messages: on Redis the keys under its own prefix only, on
    RabbitMQ every queue of its vhost (a run has a vhost of its own there)."""
    if is_amqp(url):
        purge_vhost(url)
        return
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)


QUEUE_COLUMNS = ("name", "type", "durable", "auto_delete")


def vhost_queues(url: str) -> list[dict[str, str]]:
    """The queues of the vhost an amqp:// URL names, each {"name", "type", "durable",
    "auto_delete"}, as the broker itself lists them (rabbitmqctl: this machine's RabbitMQ, no
    management plugin needed)."""
    listed = subprocess.run(
        ["rabbitmqctl", "list_queues", "-p", amqp_vhost(url), "-q", "--no-table-headers", *QUEUE_COLUMNS],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [
        dict(zip(QUEUE_COLUMNS, line.split("\t"), strict=True)) for line in listed.stdout.splitlines() if line.strip()
    ]


def purge_vhost(url: str) -> None:
    """Empty every queue of the vhost an amqp:// URL names (queues stay declared)."""
    with kombu.Connection(url) as connection:
        for listed in vhost_queues(url):
            # A channel per queue: one that is gone since it was listed (an auto-delete queue
            # whose consumer left) closes its channel.
            with contextlib.suppress(*connection.channel_errors), connection.channel() as channel:
                kombu.Queue(listed["name"]).bind(channel).purge()


class Api:
    """A small HTTP client for the compute API, as a user would call it."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.headers.update({"X-Auth-Token": token, "Content-Type": "application/json"})

    @classmethod
    def login(cls, base: str, user: str, project: str, password: str = "secret") -> Api:
        body = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {"user": {"name": user, "domain": {"name": "Default"}, "password": password}},
                },
                "scope": {"project": {"name": project, "domain": {"name": "Default"}}},
            }
        }
        response = requests.post(f"{base}/identity/v3/auth/tokens", json=body, timeout=10)
        response.raise_for_status()
        return cls(base, response.headers["X-Subject-Token"])

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.base + path, timeout=10, **kwargs)

    def post(self, path: str, body: dict, **kwargs) -> requests.Response:
        return self.session.post(self.base + path, json=body, timeout=10, **kwargs)

    def delete(self, path: str) -> requests.Response:
        return self.session.delete(self.base + path, timeout=10)

    def server(self, server_id: str) -> dict | None:
        response = self.get(f"/compute/v2.1/servers/{server_id}", headers={"OpenStack-API-Version": "compute 2.96"})
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()["server"]

    def wait_for(self, server_id: str, predicate: Callable[[dict | None], bool], timeout: float = 60.0) -> dict | None:
        """Poll the server (None once it is gone) until ``predicate`` holds; return it."""
        seen: list[dict | None] = [None]

        def reached() -> bool:
            seen[0] = self.server(server_id)
            return predicate(seen[0])

        wait_until(
            reached,
            timeout,
            what=lambda: f"server {server_id} never reached the expected state; last seen: {seen[0]}",
        )
        return seen[0]

    def wait_until_settled(self, server_id: str, timeout: float = 60.0) -> dict:
        """Poll until the server's task_state is null (the workflow ended)."""
        server = self.wait_for(
            server_id,
            lambda s: s is not None and s["OS-EXT-STS:task_state"] is None and s["status"] != "BUILD",
            timeout,
        )
        assert server is not None
        return server

    def wait_until_gone(self, server_id: str, timeout: float = 60.0) -> None:
        self.wait_for(server_id, lambda s: s is None, timeout)
