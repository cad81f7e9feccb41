"""`make run` supervises the Procfile's processes (scripts/supervise.py, supervisord): a process
that dies is started again, and the others keep running."""

from __future__ import annotations

import configparser
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import supervise
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]


def test_every_procfile_process_is_restarted_when_it_exits(tmp_path):
    processes = supervise.read_procfile(ROOT / "Procfile")
    assert {"web", "conductor", "scheduler", "beat", "flower", "novncproxy"} <= set(processes)
    parser = configparser.RawConfigParser()
    parser.read_string(supervise.config(processes, tmp_path))
    for name, command in processes.items():
        section = parser[f"program:{name}"]
        assert section["autorestart"] == "true"
        assert section["stopasgroup"] == "true" and section["killasgroup"] == "true"
        # The Procfile's command, run by the shell; a % reaches supervisord doubled.
        assert command.replace("%", "%%") in section["command"]


def _pid(run_dir: Path, name: str) -> int:
    """The pid supervisord reports for ``name`` (0 while it is not running)."""
    output = subprocess.run(
        [str(Path(sys.executable).parent / "supervisorctl"), "-c", str(run_dir / supervise.CONFIG), "pid", name],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return int(output) if output.isdigit() else 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


@pytest.fixture
def supervised(tmp_path):
    """Two processes under supervisord, from a Procfile of their own; stopped afterwards."""
    procfile = tmp_path / "Procfile"
    sleeper = f"{sys.executable} -c 'import time; time.sleep(600)'"
    procfile.write_text(f"# two workers\nfirst: {sleeper}\nsecond: env WHO=${{WHO:-second}} {sleeper}\n")
    run_dir = tmp_path / "run"
    assert supervise.main(["start", "--procfile", str(procfile), "--run-dir", str(run_dir)]) == 0
    yield run_dir
    supervise.main(["stop", "--run-dir", str(run_dir)])


def test_a_killed_process_comes_back_and_the_others_keep_running(supervised):
    wait_until(lambda: _pid(supervised, "first") and _pid(supervised, "second"), 20, what="both processes running")
    first, second = _pid(supervised, "first"), _pid(supervised, "second")
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: _pid(supervised, "first") not in (0, first), 20, what="the killed process started again")
    assert _pid(supervised, "second") == second and _alive(second)
    # Started twice, `start` leaves the running one alone.
    assert supervise.main(["start", "--run-dir", str(supervised)]) == 0
    assert _pid(supervised, "second") == second


def test_stop_ends_every_process(supervised):
    wait_until(lambda: _pid(supervised, "first") and _pid(supervised, "second"), 20, what="both processes running")
    pids = [_pid(supervised, "first"), _pid(supervised, "second")]
    assert supervise.main(["stop", "--run-dir", str(supervised)]) == 0
    assert supervise.running_pid(supervised) is None
    wait_until(lambda: not any(_alive(pid) for pid in pids), 10, what="the processes gone")


def test_start_refuses_a_port_that_another_process_holds(tmp_path, capsys):
    """make run names the port, the Procfile process that wanted it and who holds it, and
    starts nothing."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        procfile = tmp_path / "Procfile"
        procfile.write_text(
            f"web: {sys.executable} -m http.server --bind 127.0.0.1:{port}\nflower: x --port={port + 1}\n"
        )
        assert supervise.listening_ports(supervise.read_procfile(procfile)) == {port: "web", port + 1: "flower"}
        run_dir = tmp_path / "run"
        assert supervise.main(["start", "--procfile", str(procfile), "--run-dir", str(run_dir)]) == 1
    error = capsys.readouterr().err
    assert f"port {port} (web) is taken by pid {os.getpid()}" in error
    assert f"port {port + 1}" not in error
    assert supervise.running_pid(run_dir) is None
