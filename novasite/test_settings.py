"""Settings for the test suite: always PostgreSQL and Redis (never SQLite), a broker database
of its own so tests never consume a running demo cloud's tasks."""

import hashlib
import os

import dj_database_url

from .settings import *  # noqa: F403

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/novasite")
DATABASES = {"default": dj_database_url.parse(TEST_DATABASE_URL)}
# Several suites may run at once on one machine (checkouts, or runs in one checkout): each
# run gets its own test database and its own broker key prefix.
CHECKOUT_ID = hashlib.sha1(f"{BASE_DIR}:{os.getpid()}".encode()).hexdigest()[:8]  # noqa: F405
DATABASES["default"]["TEST"] = {"NAME": f"test_novasite_{CHECKOUT_ID}"}
CELERY_BROKER_URL = os.environ.get("TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
CELERY_KEY_PREFIX = f"novasite-test-{CHECKOUT_ID}:"
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": CELERY_KEY_PREFIX}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
# The compute hosts' answers to the API (diagnostics, console output) travel the same way.
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": CELERY_KEY_PREFIX}
# Static files come from the apps' folders, looked up per request, as Django's runserver
# serves them: the suite never runs collectstatic (tests/admin/test_static.py checks the
# production way, STATIC_ROOT under gunicorn).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
