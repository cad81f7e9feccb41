"""The models' rules (``clean()`` and the validators beside them in hosts.models) as the
service layer reports them: a Django ValidationError becomes a 400 in the same words."""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec

from django.core.exceptions import ValidationError
from django.db import models

from core.exceptions import BadRequest

P = ParamSpec("P")


def checked(rule: Callable[P, None], *args: P.args, **kwargs: P.kwargs) -> None:
    """Run a validator; its ValidationError is a BadRequest with the same message."""
    try:
        rule(*args, **kwargs)
    except ValidationError as exc:
        raise BadRequest(" ".join(exc.messages)) from None


def clean(instance: models.Model) -> None:
    """``instance.clean()``: the model's own rules, refused as a BadRequest."""
    checked(instance.clean)
