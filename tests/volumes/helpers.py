"""Helpers of the block storage tests: URLs of a project's volumes, creating one over HTTP,
reading a qcow2 file's header, and asserting Cinder's error bodies."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from rest_framework.test import APIClient

from identity.models import Project

GiB = 1 << 30
QEMU = shutil.which("qemu-img")
needs_qemu = pytest.mark.skipif(QEMU is None, reason="qemu-img is not installed")


def pid(name: str = "demo") -> str:
    return Project.objects.get(name=name).id


def url(suffix: str = "/volumes", project: str = "demo") -> str:
    return f"/volume/v3/{pid(project)}{suffix}"


def create(api: APIClient, project: str = "demo", **volume) -> dict:
    body = {"volume": {"size": 1, "name": "vol", **volume}}
    response = api.post(url(project=project), body, format="json", HTTP_ACCEPT="application/vnd.openstack.volume+json")
    assert response.status_code == 202, response.content
    return response.json()["volume"]


def qemu_info(path: str) -> dict:
    return json.loads(
        subprocess.run([QEMU or "qemu-img", "info", "--output=json", path], capture_output=True, check=True).stdout
    )


def assert_error(response, status: int, key: str, fragment: str = "") -> None:
    assert response.status_code == status, response.content
    body = response.json()[key]
    assert body["code"] == status and fragment in body["message"], body
