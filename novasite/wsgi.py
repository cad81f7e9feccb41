"""WSGI entry point: `gunicorn novasite.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasite.settings")
application = get_wsgi_application()
