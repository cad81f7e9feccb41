"""What a boot cannot cost less than on this machine: the CPU of the stack's unavoidable parts.

    .venv/bin/python benchmarks/stack_floor.py [--messages 2000] [--requests 1000] [--statements 3000]
        [--broker-url URL] [--port 8860]

A boot in novasite is one HTTP POST, three Celery messages (API → conductor, conductor →
compute host, compute host → conductor: a compute worker never touches the database, so its
outcome travels back) and the SQL statements of the workflow. This measures each of those
parts doing nothing, as the Procfile runs them, so that `benchmarks/storm.py`'s CPU per boot
can be read against a floor:

- **a Celery message**: publishing a no-op task (``celery.accumulate``, on novasite's own task
  class, event dispatcher and Redis transport) from this process, and a worker started as the
  Procfile's conductor (threads pool, concurrency 4, task events) receiving, running and
  acknowledging it: CPU ms per message on each side (/proc utime + stime of the worker;
  ``time.process_time`` of the publisher);
- **an HTTP request** to gunicorn started as the Procfile's web (2 workers, 4 threads each), on a
  fresh seeded SQLite database, from 8 client threads, each request on a new connection as the
  storm's are: the version document (no authentication, no query) and an authenticated
  ``GET /compute/v2.1/os-keypairs`` (a cached token, one query): gunicorn's CPU ms per request,
  and the client's;
- **an SQL statement** in this process, on that SQLite database and (with ``--postgres-url``)
  on PostgreSQL: through the ORM a primary-key read as a model, as ``values_list``, and an
  UPDATE; and an UPDATE written out (a cursor's execute): CPU ms of this process per statement
  (the database server's own CPU not included).

It prints each figure and two floors of a boot made of one POST, three messages and
``--boot-statements`` statements (default 36, what one plain boot runs today: 9 in the POST
with its token cached, and the two conductor tasks' 23 and 4 pinned in
tests/query_counts.json): with the statements built by the ORM, and with every one written
out; beside the 20 ms a boot may cost in all for 100 boots/s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.storm import Cloud, cloud_env, prepare_database, procfile  # noqa: E402
from benchmarks.storm_cpu import TICK_MS  # noqa: E402

PYTHON = sys.executable


def process_ms(pid: int) -> float:
    """CPU ms (user + system) of a process and the children it reaped, from /proc."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) * TICK_MS


def tree_ms(root: int) -> float:
    """CPU ms of a process and all its live descendants."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        if pid == root or _descends(ppid, root):
            total += sum(int(value) for value in fields[11:15]) * TICK_MS
    return total


def _descends(pid: int, root: int) -> bool:
    while pid > 1:
        if pid == root:
            return True
        try:
            with open(f"/proc/{pid}/stat") as stat:
                pid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            return False
    return False


def message_floor(count: int, cloud: Cloud) -> tuple[float, float]:
    """(publisher ms, worker ms) per no-op task message, to a worker run as the Procfile's
    conductor on a queue of its own."""
    import redis

    from novasite.celery import app

    queue = f"floor{os.getpid()}"
    command = cloud.commands["conductor"].replace("--queues conductor", f"--queues {queue}")
    cloud.commands["floor-worker"] = command.replace("--hostname conductor@", f"--hostname {queue}@")
    cloud.start("floor-worker")
    worker = cloud.processes["floor-worker"]
    try:
        client = redis.Redis.from_url(cloud.env["CELERY_BROKER_URL"])
        prefix = cloud.env["CELERY_KEY_PREFIX"]
        # Ready when a first message has gone through.
        app.send_task("celery.accumulate", args=[0], queue=queue, ignore_result=True)
        _drain(client, prefix, queue, deadline=time.time() + 60)
        time.sleep(1)
        before = process_ms(worker.pid)
        started = time.process_time()
        for index in range(count):
            app.send_task("celery.accumulate", args=[index], queue=queue, ignore_result=True)
        published = (time.process_time() - started) * 1000
        _drain(client, prefix, queue, deadline=time.time() + 300)
        time.sleep(0.5)  # the last acknowledgements and events
        consumed = process_ms(worker.pid) - before
    finally:
        cloud.kill("floor-worker")
    return published / count, consumed / count


def _drain(client, prefix: str, queue: str, deadline: float) -> None:
    """Until the queue is empty and nothing is unacknowledged."""
    while time.time() < deadline:
        if client.llen(f"{prefix}{queue}") == 0 and client.hlen(f"{prefix}unacked") == 0:
            return
        time.sleep(0.05)
    raise SystemExit("the floor worker did not drain its queue in time")


def http_floor(count: int, port: int, cloud: Cloud) -> dict[str, tuple[float, float]]:
    """{path: (gunicorn ms, client ms)} per request, to gunicorn run as the Procfile's web."""
    import requests

    from benchmarks.storm import prepare_storm
    from tests.e2e.cloud import Api

    cloud.start("web")
    web = cloud.processes["web"]
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                Api.login(base, "admin", "admin")
                break
            except requests.RequestException:
                if time.time() > deadline:
                    raise SystemExit("gunicorn did not come up") from None
                time.sleep(0.3)
        token, _ = prepare_storm(base, 10)
        figures = {}
        for path, headers in (
            ("/compute/", {}),
            ("/compute/v2.1/os-keypairs", {"X-Auth-Token": token}),
        ):
            _requests(base + path, headers, 50)  # warm every worker thread
            before = tree_ms(web.pid)
            started = time.process_time()
            _requests(base + path, headers, count)
            client = (time.process_time() - started) * 1000
            figures[path] = ((tree_ms(web.pid) - before) / count, client / count)
    finally:
        cloud.kill("web")
    return figures


def _requests(url: str, headers: dict[str, str], count: int, threads: int = 8) -> None:
    import requests

    def run(share: int) -> None:
        for _ in range(share):
            response = requests.get(url, headers=headers, timeout=30)  # a new connection each
            response.raise_for_status()

    workers = [threading.Thread(target=run, args=(count // threads,)) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def statement_floor(count: int, alias: str) -> dict[str, float]:
    """CPU ms of this process per statement on the database ``alias``: three through the ORM,
    and one UPDATE written out (a cursor's execute, what the cheapest statement costs)."""
    from django.db import connections, transaction

    from servers.models import Server

    manager = Server.objects.db_manager(alias)
    target = manager.order_by("id").first()
    key = target.pk if target is not None else 0
    connections[alias].ensure_connection()
    figures = {}
    for name, statement in (
        ("read as a model", lambda: manager.filter(pk=key).first()),
        ("read as values_list", lambda: list(manager.filter(pk=key).values_list("uuid", "task_state"))),
        ("UPDATE", lambda: manager.filter(pk=key, deleted=False).update(task_state=None)),
        (RAW, lambda: _raw_update(alias, key)),
    ):
        with transaction.atomic(using=alias):
            for _ in range(50):
                statement()
            started = time.process_time()
            for _ in range(count):
                statement()
            figures[name] = (time.process_time() - started) * 1000 / count
    return figures


#: The statement written out: the floor of any statement.
RAW = "UPDATE written out"


def _raw_update(alias: str, key: int) -> None:
    from django.db import connections

    with connections[alias].cursor() as cursor:
        cursor.execute("UPDATE servers_server SET task_state = NULL WHERE id = %s AND NOT deleted", [key])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--statements", type=int, default=3000)
    parser.add_argument("--boot-statements", type=int, default=36)
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/8")
    parser.add_argument("--postgres-url", help="also time statements on this PostgreSQL database (dropped and made)")
    parser.add_argument("--port", type=int, default=8860)
    parser.add_argument("--statements-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.statements_only:  # the child of --postgres-url, on its DATABASE_URL
        import json

        import django

        django.setup()
        _seed_server()
        print(json.dumps(statement_floor(args.statements, "default")))
        return

    workdir = Path(tempfile.mkdtemp(prefix="floor-"))
    database_url = f"sqlite:///{workdir / 'floor.sqlite3'}"
    env = cloud_env(workdir, database_url, args.broker_url, "floor")
    os.environ.update(env)
    prepare_database(database_url, env)
    cloud = Cloud(procfile(ROOT / "Procfile", args.port, 8, 16384, 200), env, workdir)
    import django

    django.setup()
    _seed_server()
    try:
        publish_ms, consume_ms = message_floor(args.messages, cloud)
        http = http_floor(args.requests, args.port, cloud)
        statements = {"SQLite": statement_floor(args.statements, "default")}
        if args.postgres_url:
            statements["PostgreSQL"] = _postgres_statements(args.postgres_url, env, args.statements)
    finally:
        subprocess.run(["rm", "-rf", str(workdir)], check=False)

    print(
        f"a Celery message (no-op task, {args.messages}): publish {publish_ms:.2f} ms, "
        f"worker (receive, run, ack, events) {consume_ms:.2f} ms"
    )
    for path, (server_ms, client_ms) in http.items():
        print(f"GET {path} ({args.requests}): gunicorn {server_ms:.2f} ms, client {client_ms:.2f} ms")
    for vendor, figures in statements.items():
        print(
            f"a statement on {vendor} ({args.statements} each): "
            + ", ".join(f"{name} {ms:.3f} ms" for name, ms in figures.items())
        )
    request_ms = sum(http["/compute/v2.1/os-keypairs"])
    messages_ms = 3 * (publish_ms + consume_ms)
    for vendor, figures in statements.items():
        orm_ms = sum(ms for name, ms in figures.items() if name != RAW) / (len(figures) - 1)
        for kind, statement_ms in (("through the ORM", orm_ms), ("all written out", figures[RAW])):
            floor = request_ms + messages_ms + args.boot_statements * statement_ms
            print(
                f"floor of a boot on {vendor}, statements {kind}: one authenticated request {request_ms:.1f}"
                f" + three messages {messages_ms:.1f} + {args.boot_statements} statements"
                f" {args.boot_statements * statement_ms:.1f} = {floor:.1f} ms of CPU (the database server's"
                f" own not counted): at most {2000 / floor:.0f} boots/s on 2 cores (100 allows 20.0 ms)"
            )


def _seed_server() -> None:
    """One server row for the statements to read and update."""
    from servers.models import Server

    Server.objects.create(uuid=uuid.uuid4(), name="floor", project_id="p", user_id="u", flavor={})


def _postgres_statements(url: str, env: dict[str, str], count: int) -> dict[str, float]:
    """The statement figures on PostgreSQL, from a child process configured for it."""
    import json

    child_env = {**env, "DATABASE_URL": url}
    prepare_database(url, child_env)
    output = subprocess.run(
        [PYTHON, __file__, "--statements-only", "--statements", str(count)],
        env=child_env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.splitlines()[-1])


if __name__ == "__main__":
    main()
