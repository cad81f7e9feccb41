"""Stock Horizon's local_settings for the Horizon test (tests/horizon): configuration only,
no patch. Horizon's openstack_dashboard/settings.py imports ``local.local_settings``;
scripts/horizon.sh puts this directory first on PYTHONPATH, so this file is that module.

Where novasite is comes from the environment (HORIZON_KEYSTONE_URL), so one cached install
serves any port; the rest is fixed, since the offline-compressed static files depend on it."""

import os

DEBUG = False
SECRET_KEY = os.environ.get("HORIZON_SECRET_KEY", "novasite-horizon-test-only")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
WEBROOT = "/"

# novasite's Keystone: Horizon finds every other service through its catalog.
OPENSTACK_HOST = "127.0.0.1"
OPENSTACK_KEYSTONE_URL = os.environ.get("HORIZON_KEYSTONE_URL", "http://127.0.0.1:8000/identity/v3")
OPENSTACK_KEYSTONE_DEFAULT_ROLE = "member"
OPENSTACK_API_VERSIONS = {"identity": 3, "compute": 2, "image": 2, "volume": 3}
OPENSTACK_ENDPOINT_TYPE = "publicURL"

# Sessions in the process's memory: the test serves Horizon from one process, and a token
# with its catalog is too big for Horizon's cookie sessions.
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Static files collected and compressed once, when the virtualenv is made (scripts/horizon.sh).
STATIC_ROOT = os.environ.get("HORIZON_STATIC_ROOT") or None
COMPRESS_OFFLINE = True
COMPRESS_ENABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO"},
        "horizon": {"handlers": ["console"], "level": "INFO"},
        "openstack_dashboard": {"handlers": ["console"], "level": "INFO"},
        "openstack_auth": {"handlers": ["console"], "level": "INFO"},
    },
}
