"""benchmarks/storm.py's command line: the Procfile it runs and its kill drills (the storm
itself is run by hand)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from benchmarks.storm import ROOT, parse_kill, procfile


def test_runs_the_procfile_on_its_own_ports_and_capacity():
    commands = procfile(ROOT / "Procfile", 8845, host_vcpus=64, host_memory_mb=65536, host_disk_gb=1000)
    assert "beat" not in commands and "novncproxy" not in commands  # no part of a boot; a fixed port
    assert {"web", "conductor", "scheduler", "compute1", "flower"} <= set(commands)
    assert "127.0.0.1:8845" in commands["web"]
    assert "--port=8846" in commands["flower"]
    assert "--vcpus 64 --memory-mb 65536 --disk-gb 1000" in commands["compute1"]


def test_kill_drill_syntax():
    assert parse_kill("compute1@2s+10s") == ("compute1", 2.0, 10.0)
    assert parse_kill("conductor@1.5") == ("conductor", 1.5, 5.0)
    with pytest.raises(argparse.ArgumentTypeError):
        parse_kill("compute1")


def test_help_runs():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(Path(ROOT) / "benchmarks" / "storm.py"), "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "--concurrency" in result.stdout
