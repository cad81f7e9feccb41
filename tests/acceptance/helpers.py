"""Driving the real `openstack` command against the live cloud, step by step as a user would.

`Lab` runs each lab step in `with lab.step("..."):`; a failing step is recorded (command,
exit status, output) and the lab goes on, so one run tells every step that fails; the test
asserts at the end that none did."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
import traceback
from contextlib import contextmanager
from pathlib import Path

OPENSTACK = str(Path(sys.executable).with_name("openstack"))
LATEST = {"OpenStack-API-Version": "compute 2.96"}


def openrc(base_url: str, user: str = "admin", project: str = "admin", password: str = "secret") -> dict[str, str]:
    """The environment a lab openrc file sets (plus a private, empty client config)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("OS_")}
    env.update(
        {
            "OS_AUTH_URL": f"{base_url}/identity/v3",
            "OS_USERNAME": user,
            "OS_PASSWORD": password,
            "OS_PROJECT_NAME": project,
            "OS_USER_DOMAIN_NAME": "Default",
            "OS_PROJECT_DOMAIN_NAME": "Default",
            "OS_REGION_NAME": "RegionOne",
            "OS_IDENTITY_API_VERSION": "3",
            # Never pick up a clouds.yaml or a cache from the machine running the tests.
            "OS_CLIENT_CONFIG_FILE": os.devnull,
            "OS_CLOUD": "",
        }
    )
    return env


class CommandFailed(AssertionError):
    pass


class Lab:
    def __init__(self, base_url: str, api) -> None:
        self.env = openrc(base_url)
        self.api = api  # tests.e2e.cloud.Api as admin: polling without the CLI's start-up cost
        self.passed: list[str] = []
        self.failures: list[str] = []
        self.calls = 0

    def osc(self, *args: str, fmt_json: bool = True, timeout: float = 60):
        """Run `openstack ARGS [-f json]`; the parsed JSON (or stdout). A non-zero exit fails
        the step with the command and its output."""
        argv = [OPENSTACK, *args, *(["-f", "json"] if fmt_json else [])]
        self.calls += 1
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=timeout)
        command = "openstack " + shlex.join(argv[1:])
        if done.returncode != 0:
            raise CommandFailed(f"`{command}` exited {done.returncode}:\n{done.stderr.strip()}\n{done.stdout.strip()}")
        if not fmt_json:
            return done.stdout
        try:
            return json.loads(done.stdout) if done.stdout.strip() else None
        except ValueError:
            raise CommandFailed(f"`{command}` printed no JSON:\n{done.stdout}\n{done.stderr}") from None

    @contextmanager
    def step(self, name: str):
        started = time.monotonic()
        try:
            yield
        except Exception as exc:
            detail = str(exc) if isinstance(exc, AssertionError) else traceback.format_exc(limit=3)
            self.failures.append(f"[{name}] {detail}")
            print(f"FAIL {name} ({time.monotonic() - started:.1f} s): {detail}")
        else:
            self.passed.append(name)
            print(f"ok   {name} ({time.monotonic() - started:.1f} s)")

    # --- waiting as a user would ----------------------------------------------------------

    def wait_server(self, server_id: str, status: str, timeout: float = 60) -> dict:
        """Poll the API until the server has `status` and no task in progress."""
        deadline = time.monotonic() + timeout
        server = None
        while time.monotonic() < deadline:
            server = self.api.server(server_id)
            if server is not None and server["status"] == status and server["OS-EXT-STS:task_state"] is None:
                return server
            if server is not None and server["status"] == "ERROR":
                break
            time.sleep(0.1)
        raise AssertionError(f"server {server_id} never became {status} with no task; last seen: {brief(server)}")

    def wait_gone(self, server_id: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.api.server(server_id) is None:
                return
            time.sleep(0.1)
        raise AssertionError(f"server {server_id} was never deleted; last seen: {brief(self.api.server(server_id))}")

    def wait_image(self, image_id: str, status: str = "active", timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        image = None
        while time.monotonic() < deadline:
            response = self.api.get(f"/image/v2/images/{image_id}")
            image = response.json() if response.status_code == 200 else response.text
            if isinstance(image, dict) and image.get("status") == status:
                return image
            time.sleep(0.1)
        raise AssertionError(f"image {image_id} never became {status}; last seen: {image}")


def brief(server: dict | None) -> object:
    if not server:
        return server
    keys = (
        "status",
        "OS-EXT-STS:vm_state",
        "OS-EXT-STS:task_state",
        "OS-EXT-STS:power_state",
        "OS-EXT-SRV-ATTR:host",
        "fault",
    )
    return {key: server.get(key) for key in keys}


def state(server: dict) -> tuple:
    return (
        server["status"],
        server["OS-EXT-STS:vm_state"],
        server["OS-EXT-STS:task_state"],
        server["OS-EXT-STS:power_state"],
    )


def rows_by(rows: list[dict], key: str) -> dict:
    return {row[key]: row for row in rows}
