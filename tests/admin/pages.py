"""Driving the admin as an operator does: read a form page, change some fields, post it, and
check what the admin answered and what the database holds afterwards."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.messages import get_messages
from django.db.models import Model
from django.test import Client
from django.urls import reverse


def url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _form_fields(form: forms.BaseForm, data: dict[str, Any]) -> None:
    for name, field in form.fields.items():
        bound = form[name]
        value = bound.value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(field, forms.MultipleChoiceField):
            data[bound.html_name] = list(value or [])
        else:
            data[bound.html_name] = "" if value is None else value
        if field.show_hidden_initial:  # what the page was drawn with (callable defaults)
            data[bound.html_initial_name] = data.get(bound.html_name, "")


def form_data(client: Client, page: str) -> dict[str, Any]:
    """What the add or change page at ``page`` would post unchanged: the form's fields and
    every inline formset's (management form included)."""
    response = client.get(page)
    assert response.status_code == 200, page
    context = response.context
    assert context is not None
    data: dict[str, Any] = {}
    _form_fields(context["adminform"].form, data)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for form in formset.forms:
            _form_fields(form, data)
    return data


def post_form(client: Client, page: str, **changes: Any) -> Any:
    """Post the form at ``page`` with ``changes`` (html names; None drops a field)."""
    data = form_data(client, page)
    data.update(changes)
    response: Any = client.post(page, {key: value for key, value in data.items() if value is not None})
    return response


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def saved(response: Any) -> None:
    """The admin stored the form and said so."""
    errors = response.context["adminform"].form.errors if response.context and "adminform" in response.context else {}
    assert response.status_code == 302, errors
    assert any("successfully" in message for message in messages_of(response)), messages_of(response)


def refused(response: Any, message: str) -> None:
    """The admin showed the form again with ``message`` as an error (of the form or of an
    inline row), and claimed nothing."""
    assert response.status_code == 200, response.status_code
    assert response.context is not None
    errors = [str(error) for error_list in response.context["errors"] for error in error_list]
    assert message in errors, errors
    assert not any("successfully" in text for text in messages_of(response))


def refused_delete(response: Any, message: str) -> None:
    """A delete the admin refused: back to the object, the service's message as an error."""
    assert response.status_code == 302, response.status_code
    texts = messages_of(response)
    assert any(message in text for text in texts), texts
    assert not any("successfully" in text for text in texts), texts


def table(*models: type[Model]) -> list[list[dict[str, Any]]]:
    """Every row of ``models``, in primary-key order (to show that nothing changed)."""
    return [list(model._default_manager.order_by("pk").values()) for model in models]


def delete(client: Client, obj: Model) -> Any:
    """Confirm the delete page of ``obj``."""
    response: Any = client.post(url(type(obj), "delete", obj.pk), {"post": "yes"})
    return response


def bulk_delete(client: Client, model: type[Model], *objects: Model) -> Any:
    """Confirm the changelist's "delete selected" action on ``objects``."""
    response: Any = client.post(
        url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk for obj in objects], "post": "yes"},
    )
    return response
