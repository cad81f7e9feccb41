"""Settings for the test suite: always PostgreSQL and Redis (never SQLite), a broker database
of its own so tests never consume a running demo cloud's tasks."""

import hashlib
import os

import dj_database_url

from novasite import broker

from .settings import *  # noqa: F403

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/novasite")
DATABASES = {"default": dj_database_url.parse(TEST_DATABASE_URL)}
# Several suites may run at once on one machine (checkouts, or runs in one checkout): each
# run gets its own test database and its own broker key prefix.
CHECKOUT_ID = hashlib.sha1(f"{BASE_DIR}:{os.getpid()}".encode()).hexdigest()[:8]  # noqa: F405
DATABASES["default"]["TEST"] = {"NAME": f"test_novasite_{CHECKOUT_ID}"}
# TEST_BROKER_URL may name a RabbitMQ vhost (amqp://...) instead, one of this run's own:
# `make test-rabbitmq` makes a fresh one (the key prefix applies to Redis only).
CELERY_BROKER_URL = os.environ.get("TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
CELERY_KEY_PREFIX = f"novasite-test-{CHECKOUT_ID}:"
CELERY_BROKER_TRANSPORT_OPTIONS = broker.broker_transport_options(
    CELERY_BROKER_URL,
    visibility_timeout=CELERY_VISIBILITY_TIMEOUT,  # noqa: F405
    key_prefix=CELERY_KEY_PREFIX,
)
CELERY_TASK_DEFAULT_QUEUE_TYPE = CELERY_TASK_CREATE_MISSING_QUEUE_TYPE = broker.queue_type(CELERY_BROKER_URL)
CELERY_TASK_DEFAULT_EXCHANGE_TYPE = CELERY_TASK_CREATE_MISSING_QUEUE_EXCHANGE_TYPE = broker.exchange_type(
    CELERY_BROKER_URL
)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
# The compute hosts' answers to the API (diagnostics, console output) travel the same way, or
# beside a RabbitMQ through Redis db 15 (TEST_RESULT_BACKEND), under the key prefix.
CELERY_RESULT_BACKEND = os.environ.get("TEST_RESULT_BACKEND") or broker.default_result_backend(
    CELERY_BROKER_URL, "redis://127.0.0.1:6379/15"
)
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = broker.result_backend_transport_options(
    CELERY_RESULT_BACKEND, CELERY_KEY_PREFIX
)
# Static files come from the apps' folders, looked up per request, as Django's runserver
# serves them: the suite never runs collectstatic (tests/admin/test_static.py checks the
# production way, STATIC_ROOT under gunicorn).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# In-process tests count each request's queries with its token's validation (query_counts.json
# and the tests that compare two requests' counts): the token cache is off here, and on in
# tests/test_token_cache.py and in the live processes of tests/e2e (novasite.settings).
TOKEN_CACHE_SECONDS = 0.0
