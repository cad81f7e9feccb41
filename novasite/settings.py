"""Django settings for novasite. Every value comes from the environment with a sane default."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

from core.params import is_true
from novasite import broker

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean from the environment (core.params' true words: "1", "true", "yes", ...)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return is_true(value)


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


SECRET_KEY = os.environ.get("SECRET_KEY", "novasite-development-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "*").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's and Redoc's files, served from /static/
    "identity",
    "hosts",
    "servers",
    "images",
    "networks",
    "volumes",
    "scheduling",
    "workers",
    "consoles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (the admin's CSS and scripts) from STATIC_ROOT, which `make run` fills
    # with collectstatic: gunicorn serves none itself, and DEBUG stays off.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "novasite.middleware.RequestIdMiddleware",
    # A region sharing another region's identity (IDENTITY_URL) serves no /identity of its own.
    "novasite.regions.IdentityElsewhereMiddleware",
    "novasite.middleware.RejectNulMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its refusal page.
    "axes.middleware.AxesMiddleware",
]
APPEND_SLASH = False

ROOT_URLCONF = "novasite.urls"
WSGI_APPLICATION = "novasite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project-wide templates: the operator console's overrides of the admin's own.
        "DIRS": [BASE_DIR / "novasite" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "novasite.context_processors.operator_console",
            ],
            # The operator console's tags (the novasite package is not an installed app).
            "libraries": {"novasite_dashboard": "novasite.templatetags.novasite_dashboard"},
        },
    },
]

# Without DATABASE_URL the zero-configuration demo runs on SQLite; production and tests use PostgreSQL.
# Connections persist (per gunicorn thread and per Celery worker thread) for
# DATABASE_CONN_MAX_AGE seconds: a new PostgreSQL session per request or task cost more CPU
# than the work itself. Each request and task first checks its connection (health checks) and
# opens a new one when the old one broke, e.g. across a database restart.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'novasite.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600),
        # A kept connection is checked before each request or task reuses it, so one that a
        # database restart broke is replaced, not failed on.
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several processes write to the demo database: take the write lock when a transaction
    # starts (no lock-upgrade deadlocks), wait for it, and let readers run beside the writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["identity.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "core.errors.exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "novasite.negotiation.AlwaysJSON",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "novasite.openapi.NovasiteAutoSchema",
}
# The API description (/api/schema/, /api/docs/): public and read-only, as OpenStack's api-ref
# is; views describe their operations (core/openapi/), the UI's files come from the sidecar.
SPECTACULAR_SETTINGS = {
    "TITLE": "novasite",
    "DESCRIPTION": (
        "The OpenStack-style APIs of novasite: Identity (Keystone v3), Compute (Nova v2.1, with "
        "microversions), Image (Glance v2), Network (Neutron v2.0) and Volume (Cinder v3). Every "
        "call but the version documents and POST /identity/v3/auth/tokens needs a token in "
        "X-Auth-Token."
    ),
    "VERSION": "2.1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "PREPROCESSING_HOOKS": ["core.openapi.autoschema.drop_trailing_slash_twins"],
    "POSTPROCESSING_HOOKS": [],  # enums stay where they are written, not hoisted into components
    # No online validator badge: the page loads nothing from outside this site.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- The operator console (the Django admin) ------------------------------------------------
# Operators log in with their Keystone name and password (identity.backends: a user with the
# admin role on a project is staff); Django's own users (createsuperuser) still log in.
# django-axes goes first: a locked-out login is refused before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "identity.backends.KeystoneBackend",
]
# `make run` serves plain HTTP on 127.0.0.1, so the cookies are not Secure by default; behind
# HTTPS, production sets both (and CSRF_TRUSTED_ORIGINS when a proxy terminates TLS).
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
CSRF_TRUSTED_ORIGINS = [origin for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if origin]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# An operator's console session lasts this many seconds (8 hours: a working day).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
# Logins are rate-limited per user name and client address: after LOGIN_FAILURE_LIMIT failures
# within LOGIN_FAILURE_WINDOW seconds, every attempt is refused (the right password too) until
# the window has passed since the last of them; a success clears the count. django-axes keeps
# the count in the database, which every gunicorn worker shares.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW = env_int("LOGIN_FAILURE_WINDOW", 300)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_FAILURE_WINDOW)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts made while locked out are refused without being counted, so the lock ends on time.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "admin/login_locked.html"
AXES_VERBOSE = False  # no banner in every process's log; failures are still logged (warnings)

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
# Redis or RabbitMQ (amqp://), by the URL alone: novasite/broker.py holds what differs.
# Workflows never wait on results (each step chains to the next); the API's synchronous
# questions to a compute host (diagnostics, console output) do, through this backend: by
# default the broker's Redis under the same key prefix, or the local Redis beside a RabbitMQ.
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or broker.default_result_backend(
    CELERY_BROKER_URL, "redis://127.0.0.1:6379/0"
)
# Redis redelivers a task that was not acknowledged within this many seconds (RabbitMQ at once,
# when the consumer's channel closes).
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
# A prefix for every Redis key, so that several clouds (or test runs) can share one Redis
# (on RabbitMQ, give each its own vhost).
CELERY_KEY_PREFIX = os.environ.get("CELERY_KEY_PREFIX", "")
CELERY_BROKER_TRANSPORT_OPTIONS = broker.broker_transport_options(
    CELERY_BROKER_URL, visibility_timeout=CELERY_VISIBILITY_TIMEOUT, key_prefix=CELERY_KEY_PREFIX
)
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = broker.result_backend_transport_options(
    CELERY_RESULT_BACKEND, CELERY_KEY_PREFIX
)
# Durable quorum queues on RabbitMQ, whoever declares them (consumer or publisher).
CELERY_TASK_DEFAULT_QUEUE_TYPE = CELERY_TASK_CREATE_MISSING_QUEUE_TYPE = broker.queue_type(CELERY_BROKER_URL)
CELERY_TASK_DEFAULT_EXCHANGE_TYPE = CELERY_TASK_CREATE_MISSING_QUEUE_EXCHANGE_TYPE = broker.exchange_type(
    CELERY_BROKER_URL
)
# Celery's Django fix-up closes every database connection around every task unless told to
# reuse it; novasite.celery instead treats each task as Django treats a request
# (close_old_connections: CONN_MAX_AGE and the health check decide), so the fix-up never closes.
CELERY_DB_REUSE_MAX = 2**62
# Celery Flower, where the admin links each server's tasks (make run starts it on this address).
FLOWER_URL = os.environ.get("FLOWER_URL", "http://127.0.0.1:5555").rstrip("/")
# A conductor or scheduler task that meets the database down runs again, backing off up to
# DATABASE_RETRY_MAX_DELAY seconds between attempts, for up to DATABASE_RETRY_SECONDS
# (novasite/outages.py); then it fails.
DATABASE_RETRY_SECONDS = env_int("DATABASE_RETRY_SECONDS", 120)
DATABASE_RETRY_MAX_DELAY = env_int("DATABASE_RETRY_MAX_DELAY", 4)
# How long the API waits for a compute host's answer (diagnostics, console output), seconds.
COMPUTE_CALL_TIMEOUT = env_int("COMPUTE_CALL_TIMEOUT", 10)

# --- Consoles (Nova's [vnc] and [consoleauth]; consoles/) -----------------------------------
# Whether guests get VNC graphics, and the address of the compute host they listen on: the one
# the console proxy connects to (a compute worker's --vnc-listen overrides it per host).
VNC_ENABLED = os.environ.get("VNC_ENABLED", "1") != "0"
VNC_SERVER_LISTEN = os.environ.get("VNC_SERVER_LISTEN", "127.0.0.1")
# The noVNC page of the console proxy (manage.py novncproxy) that console URLs point to.
NOVNCPROXY_BASE_URL = os.environ.get("NOVNCPROXY_BASE_URL", "http://127.0.0.1:6080/vnc_lite.html")
# Where the proxy finds the noVNC client (Debian's novnc package; scripts/install.sh).
NOVNC_WEB_DIR = os.environ.get("NOVNC_WEB_DIR", "/usr/share/novnc")
# How long a console token is valid, seconds (Nova's [consoleauth] token_ttl).
CONSOLE_TOKEN_TTL = env_int("CONSOLE_TOKEN_TTL", 600)

# --- Identity -----------------------------------------------------------------------------
TOKEN_TTL_SECONDS = env_int("TOKEN_TTL_SECONDS", 3600)
# How long each API process keeps a validated token (identity/token_cache.py); a revocation
# elsewhere reaches a process within this many seconds (keystonemiddleware's token_cache_time
# is 300). 0: every request asks the database.
TOKEN_CACHE_SECONDS = env_float("TOKEN_CACHE_SECONDS", 2.0)
REGION_NAME = os.environ.get("REGION_NAME", "RegionOne")
# Public base URL for the service catalog; empty means "the host the client used".
PUBLIC_ENDPOINT = os.environ.get("PUBLIC_ENDPOINT", "")
# A region without identity of its own (ARCHITECTURE.md, "Regions"): the shared Keystone's v3
# URL (e.g. http://127.0.0.1:8000/identity/v3). Set, this control plane serves no /identity,
# validates every token there (identity.remote_tokens) with a service token of its own (this
# user, password and project, an admin there) and keeps a valid answer IDENTITY_CACHE_SECONDS
# at most; each call gives up after the connect and read timeouts (503, never a hang).
IDENTITY_URL = os.environ.get("IDENTITY_URL", "").rstrip("/")
IDENTITY_SERVICE_USER = os.environ.get("IDENTITY_SERVICE_USER", f"region-{REGION_NAME}")
IDENTITY_SERVICE_PASSWORD = os.environ.get("IDENTITY_SERVICE_PASSWORD", os.environ.get("ADMIN_PASSWORD", "secret"))
IDENTITY_SERVICE_PROJECT = os.environ.get("IDENTITY_SERVICE_PROJECT", "service")
IDENTITY_CACHE_SECONDS = env_int("IDENTITY_CACHE_SECONDS", 30)
IDENTITY_CONNECT_TIMEOUT = env_float("IDENTITY_CONNECT_TIMEOUT", 2.0)
IDENTITY_READ_TIMEOUT = env_float("IDENTITY_READ_TIMEOUT", 5.0)

# --- Compute ------------------------------------------------------------------------------
COMPUTE_MAX_MICROVERSION = "2.104"
DEFAULT_AVAILABILITY_ZONE = os.environ.get("DEFAULT_AVAILABILITY_ZONE", "nova")
INTERNAL_SERVICE_AVAILABILITY_ZONE = "internal"
SERVICE_DOWN_TIME = env_int("SERVICE_DOWN_TIME", 60)
REPORT_INTERVAL = env_int("REPORT_INTERVAL", 10)
SYNC_POWER_STATE_INTERVAL = env_int("SYNC_POWER_STATE_INTERVAL", 600)
MAX_ATTEMPTS = env_int("SCHEDULER_MAX_ATTEMPTS", 3)
API_MAX_LIMIT = env_int("API_MAX_LIMIT", 1000)
CPU_ALLOCATION_RATIO = env_float("CPU_ALLOCATION_RATIO", 4.0)
RAM_ALLOCATION_RATIO = env_float("RAM_ALLOCATION_RATIO", 1.0)
DISK_ALLOCATION_RATIO = env_float("DISK_ALLOCATION_RATIO", 1.0)
RESERVED_HOST_MEMORY_MB = env_int("RESERVED_HOST_MEMORY_MB", 512)
RESERVED_HOST_DISK_MB = env_int("RESERVED_HOST_DISK_MB", 0)
RESERVED_HOST_CPUS = env_int("RESERVED_HOST_CPUS", 0)
QUOTA_DEFAULTS = {
    "instances": env_int("QUOTA_INSTANCES", 10),
    "cores": env_int("QUOTA_CORES", 20),
    "ram": env_int("QUOTA_RAM", 51200),
    "metadata_items": 128,
    "key_pairs": 100,
    "server_groups": 10,
    "server_group_members": 10,
}

# --- Hypervisor (compute workers) ---------------------------------------------------------
LIBVIRT_URI = os.environ.get("LIBVIRT_URI", "test:///default")
INSTANCES_DIR = os.environ.get("INSTANCES_DIR", str(BASE_DIR / "var" / "instances"))
IMAGE_DIR = os.environ.get("IMAGE_DIR", str(BASE_DIR / "var" / "images"))

# --- Scheduler ----------------------------------------------------------------------------
# Filters run in this order; the explanation of a NoValidHost follows it too.
SCHEDULER_FILTERS = [
    "scheduling.filters.compute.ComputeFilter",
    "scheduling.filters.availability_zone.AvailabilityZoneFilter",
    "scheduling.filters.ignore_hosts.IgnoreHostsFilter",
    "scheduling.filters.requested_destination.RequestedDestinationFilter",
    "scheduling.filters.resource_fit.ResourceFitFilter",
    "scheduling.filters.aggregate_extra_specs.AggregateInstanceExtraSpecsFilter",
    "scheduling.filters.tenant_isolation.AggregateMultiTenancyIsolation",
    "scheduling.filters.compute_capabilities.ComputeCapabilitiesFilter",
    "scheduling.filters.image_properties.ImagePropertiesFilter",
    "scheduling.filters.server_group_anti_affinity.ServerGroupAntiAffinityFilter",
    "scheduling.filters.server_group_affinity.ServerGroupAffinityFilter",
    "scheduling.filters.same_host.SameHostFilter",
    "scheduling.filters.different_host.DifferentHostFilter",
]
SCHEDULER_WEIGHERS = [
    "scheduling.weighers.ram.RAMWeigher",
    "scheduling.weighers.cpu.CPUWeigher",
    "scheduling.weighers.disk.DiskWeigher",
    "scheduling.weighers.num_instances.NumInstancesWeigher",
    "scheduling.weighers.io_ops.IoOpsWeigher",
    "scheduling.weighers.build_failure.BuildFailureWeigher",
    "scheduling.weighers.soft_affinity.ServerGroupSoftAffinityWeigher",
    "scheduling.weighers.soft_anti_affinity.ServerGroupSoftAntiAffinityWeigher",
]
# Multipliers (Nova's defaults); each is overridable per host by the aggregate metadata key
# of the same name in lower case (e.g. ram_weight_multiplier), the smallest value winning.
RAM_WEIGHT_MULTIPLIER = env_float("RAM_WEIGHT_MULTIPLIER", 1.0)
CPU_WEIGHT_MULTIPLIER = env_float("CPU_WEIGHT_MULTIPLIER", 1.0)
DISK_WEIGHT_MULTIPLIER = env_float("DISK_WEIGHT_MULTIPLIER", 1.0)
NUM_INSTANCES_WEIGHT_MULTIPLIER = env_float("NUM_INSTANCES_WEIGHT_MULTIPLIER", 0.0)
IO_OPS_WEIGHT_MULTIPLIER = env_float("IO_OPS_WEIGHT_MULTIPLIER", -1.0)
BUILD_FAILURE_WEIGHT_MULTIPLIER = env_float("BUILD_FAILURE_WEIGHT_MULTIPLIER", 1000000.0)
SOFT_AFFINITY_WEIGHT_MULTIPLIER = env_float("SOFT_AFFINITY_WEIGHT_MULTIPLIER", 1.0)
SOFT_ANTI_AFFINITY_WEIGHT_MULTIPLIER = env_float("SOFT_ANTI_AFFINITY_WEIGHT_MULTIPLIER", 1.0)
# Failed builds count against a host for this long after the last one (BuildFailureWeigher).
SCHEDULER_BUILD_FAILURE_WINDOW = env_int("SCHEDULER_BUILD_FAILURE_WINDOW", 3600)
# Choose at random among this many best hosts (1: always the best), so that concurrent
# schedulers spread out instead of racing for one host.
SCHEDULER_HOST_SUBSET_SIZE = env_int("SCHEDULER_HOST_SUBSET_SIZE", 1)
# The candidate query returns the SCHEDULER_CANDIDATE_LIMIT best hosts by the indexed weigher
# (free RAM, vCPUs, disk) with the largest multiplier, or the union of the best by the first
# SCHEDULER_CANDIDATE_KEYS of them; the Python filters and all the weighers rank that pool
# (Nova's max_placement_results). Each extra key costs about 0.5 ms per decision.
SCHEDULER_CANDIDATE_LIMIT = env_int("SCHEDULER_CANDIDATE_LIMIT", 20)
SCHEDULER_CANDIDATE_KEYS = env_int("SCHEDULER_CANDIDATE_KEYS", 1)

# --- Lifecycle ----------------------------------------------------------------------------
ALLOW_RESIZE_TO_SAME_HOST = env_bool("ALLOW_RESIZE_TO_SAME_HOST", False)
# Nova's [api] enable_instance_password: create (and rebuild, rescue) return an adminPass,
# the one given or a generated one of PASSWORD_LENGTH characters.
ENABLE_INSTANCE_PASSWORD = env_bool("ENABLE_INSTANCE_PASSWORD", True)
PASSWORD_LENGTH = env_int("PASSWORD_LENGTH", 12)
# 0: a shelved server is offloaded at once (image made, guest removed, allocation freed);
# > 0: it stays on its host, shut off, until shelveOffload (the periodic offload is not run).
SHELVED_OFFLOAD_TIME = env_int("SHELVED_OFFLOAD_TIME", 0)
# > 0: DELETE soft-deletes (restorable) and servers are reclaimed this many seconds later.
RECLAIM_INSTANCE_INTERVAL = env_int("RECLAIM_INSTANCE_INTERVAL", 0)
# A task_state older than this (seconds) whose workflow never reported back is ended by the
# conductor's sweep (workers.conductor.periodic); live migrations get their own, longer limit.
TASK_TIMEOUT = env_int("TASK_TIMEOUT", 900)
LIVE_MIGRATION_TIMEOUT = env_int("LIVE_MIGRATION_TIMEOUT", 1800)
# A build that has not moved for this many seconds is driven again from the database (its
# message may have been lost with the broker's queues); 0 turns the reconciler off. Builds
# still end by TASK_TIMEOUT (counted from their creation).
RECONCILE_AFTER = env_int("RECONCILE_AFTER", 120)

# --- Volumes (block storage: a volume is a file) ------------------------------------------
VOLUME_DIR = os.environ.get("VOLUME_DIR", str(BASE_DIR / "var" / "volumes"))
# Cinder's default quota set; -1 is unlimited. volumes, snapshots, gigabytes (volumes and
# snapshots) and per_volume_gigabytes are enforced; the others are reported (there are no
# backups or groups yet).
VOLUME_QUOTA_DEFAULTS = {
    "volumes": env_int("QUOTA_VOLUMES", 10),
    "gigabytes": env_int("QUOTA_GIGABYTES", 1000),
    "per_volume_gigabytes": env_int("QUOTA_PER_VOLUME_GIGABYTES", -1),
    "snapshots": env_int("QUOTA_SNAPSHOTS", 10),
    "backups": 10,
    "backup_gigabytes": 1000,
    "groups": 10,
}
