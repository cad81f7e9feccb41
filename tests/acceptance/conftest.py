"""The acceptance tests run the real clients (the `openstack` command and openstacksdk)
against a live cloud: the end-to-end fixtures (live HTTP server, Celery workers on the
libvirt test driver) are reused as they are."""

from tests.e2e.conftest import *  # noqa: F403
from tests.e2e.conftest import pytest_runtest_makereport  # noqa: F401 (worker logs on failure)
