"""novasite: a compute control plane in the style of OpenStack Nova."""

from .celery import app as celery_app

__all__ = ("celery_app",)
