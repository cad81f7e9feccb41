#!/usr/bin/env python3
"""Run the processes of a Procfile under supervisord (`make run`, `make stop`).

The Procfile stays the one list of processes; this script writes supervisord's configuration
from it (one ``[program:*]`` per line) and drives supervisord and supervisorctl. Unlike honcho,
supervisord restarts a process that exits (after a crash, a kill, a lost broker) and leaves the
others running: one dead worker never takes the API or the other workers down.

    supervise.py start  [--procfile Procfile] [--run-dir var/run]   write the config, start
    supervise.py stop   [--run-dir var/run]                         stop every process, then supervisord
    supervise.py status [--run-dir var/run]                         one line per process

Each process logs to RUN_DIR/log/NAME.log (rotated), supervisord itself to RUN_DIR/supervisord.log.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CONFIG = "supervisord.conf"
PIDFILE = "supervisord.pid"
SOCKET = "supervisor.sock"

# A process that dies is started again at once; one that cannot stay up STARTSECS seconds is
# retried with a growing pause (supervisord waits 1, 2, 3... s) up to START_RETRIES times.
STARTSECS = 2
START_RETRIES = 100
# SIGTERM first (Celery's warm shutdown finishes the running tasks), SIGKILL after this long.
STOP_WAIT_SECONDS = 20


def read_procfile(path: Path) -> dict[str, str]:
    """``name -> command`` of every ``name: command`` line (blank lines and # comments skipped)."""
    processes: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, command = line.partition(":")
        if not sep or not name.strip().replace("-", "").replace("_", "").isalnum() or not command.strip():
            raise SystemExit(f"{path}:{number}: not a 'name: command' line")
        processes[name.strip()] = command.strip()
    return processes


def _value(text: str | Path) -> str:
    """``text`` as a supervisord value: its ``%(...)s`` expansion must not see a ``%``."""
    return str(text).replace("%", "%%")


def config(processes: dict[str, str], run_dir: Path, directory: Path = ROOT) -> str:
    """supervisord's configuration running ``processes`` from ``directory``, each through the
    shell (Procfile lines use its syntax: ``env X=1 cmd``, ``${VAR:-default}``) with ``exec``,
    so that the signals reach the process itself."""
    run_dir = run_dir.resolve()
    log_dir = run_dir / "log"
    lines = [
        "; Written by scripts/supervise.py from the Procfile: edit the Procfile, not this file.",
        "[supervisord]",
        f"logfile={_value(run_dir / 'supervisord.log')}",
        f"pidfile={_value(run_dir / PIDFILE)}",
        f"childlogdir={_value(log_dir)}",
        f"directory={_value(directory)}",
        "identifier=novasite",
        "",
        "[unix_http_server]",
        f"file={_value(run_dir / SOCKET)}",
        "chmod=0700",
        "",
        "[supervisorctl]",
        f"serverurl=unix://{_value(run_dir / SOCKET)}",
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
    ]
    for name, command in processes.items():
        lines += [
            "",
            f"[program:{name}]",
            f"command=/bin/sh -c {_value(shlex.quote('exec ' + command))}",
            f"directory={_value(directory)}",
            "autostart=true",
            "autorestart=true",
            f"startsecs={STARTSECS}",
            f"startretries={START_RETRIES}",
            "stopsignal=TERM",
            f"stopwaitsecs={STOP_WAIT_SECONDS}",
            # The whole process group: gunicorn's and Celery's children go with their parent.
            "stopasgroup=true",
            "killasgroup=true",
            "redirect_stderr=true",
            f"stdout_logfile={_value(log_dir / (name + '.log'))}",
            "stdout_logfile_maxbytes=20MB",
            "stdout_logfile_backups=3",
        ]
    return "\n".join(lines) + "\n"


# The ports a Procfile line listens on: gunicorn's --bind HOST:PORT, --port N / --port=N.
_PORT_RE = re.compile(r"(?:--bind[= ]\S*:|--port[= ])(\d+)\b")


def listening_ports(processes: dict[str, str]) -> dict[int, str]:
    """``port -> process name`` for every port the Procfile's processes listen on."""
    return {int(port): name for name, command in processes.items() for port in _PORT_RE.findall(command)}


def _listener(port: int) -> str:
    """Which process listens on TCP ``port``, as "pid N (command)", from /proc; "" if unknown."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(f"socket:[{fields[9]}]")
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            if any(os.readlink(fd) in inodes for fd in fd_dir.iterdir()):
                command = (fd_dir.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                return f"pid {fd_dir.parent.name} ({command.strip()[:80]})"
        except OSError:
            continue
    return ""


def taken_ports(processes: dict[str, str]) -> list[str]:
    """One sentence per port of ``processes`` that something already listens on."""
    taken = []
    for port, name in sorted(listening_ports(processes).items()):
        with socket.socket() as probe:
            probe.settimeout(1)
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                continue
        owner = _listener(port)
        taken.append(f"port {port} ({name}) is taken{' by ' + owner if owner else ''}")
    return taken


def running_pid(run_dir: Path) -> int | None:
    """supervisord's pid, if it runs."""
    try:
        pid = int((run_dir / PIDFILE).read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def start(procfile: Path, run_dir: Path) -> int:
    """Write the configuration and start supervisord (it daemonizes; each process starts)."""
    pid = running_pid(run_dir)
    if pid is not None:
        print(f"already running (supervisord pid {pid}); make stop first")
        return 0
    processes = read_procfile(procfile)
    taken = taken_ports(processes)
    if taken:
        for sentence in taken:
            print(sentence, file=sys.stderr)
        print("stop what holds them (an earlier novasite: make stop), then run make run again", file=sys.stderr)
        return 1
    (run_dir / "log").mkdir(parents=True, exist_ok=True)
    conf = run_dir / CONFIG
    conf.write_text(config(processes, run_dir))
    return subprocess.call([str(BIN / "supervisord"), "-c", str(conf)], cwd=ROOT, stdin=subprocess.DEVNULL)


def stop(run_dir: Path) -> int:
    """Stop every process (SIGTERM, SIGKILL after STOP_WAIT_SECONDS), then supervisord."""
    pid = running_pid(run_dir)
    if pid is None:
        print("not running")
        return 0
    os.kill(pid, signal.SIGTERM)  # supervisord stops its programs, then exits
    deadline = time.monotonic() + STOP_WAIT_SECONDS + 10
    while time.monotonic() < deadline and running_pid(run_dir) == pid:
        time.sleep(0.25)
    if running_pid(run_dir) == pid:
        os.kill(pid, signal.SIGKILL)
    print("stopped")
    return 0


def status(run_dir: Path) -> int:
    """supervisorctl's status of every process."""
    if running_pid(run_dir) is None:
        print("not running")
        return 3
    return subprocess.call([str(BIN / "supervisorctl"), "-c", str(run_dir / CONFIG), "status"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("start", "stop", "status"))
    parser.add_argument("--procfile", type=Path, default=ROOT / "Procfile")
    parser.add_argument("--run-dir", type=Path, default=ROOT / "var" / "run")
    args = parser.parse_args(argv)
    run_dir = args.run_dir.resolve()
    if args.command == "start":
        return start(args.procfile, run_dir)
    if args.command == "stop":
        return stop(run_dir)
    return status(run_dir)


if __name__ == "__main__":
    sys.exit(main())
