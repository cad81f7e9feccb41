"""Settings for the test suite: always PostgreSQL and Redis (never SQLite), a broker database
of its own so tests never consume a running demo cloud's tasks."""
import os

import dj_database_url

from .settings import *  # noqa: F401,F403

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/novasite")
DATABASES = {"default": dj_database_url.parse(TEST_DATABASE_URL)}
CELERY_BROKER_URL = os.environ.get("TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
