"""Settings of the browser tests' gunicorn: production's (novasite.settings, from the same
environment as the workers: DEBUG off, static files as production serves them), except that
passwords are checked with the test suite's hasher, since the fixtures seed the cloud
in-process under novasite.test_settings."""

from novasite.settings import *  # noqa: F403
from novasite.test_settings import PASSWORD_HASHERS  # noqa: F401
