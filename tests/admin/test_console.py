"""The operator's console: every model is registered, its pages answer, workflow-owned
records are read-only, and no changelist makes a query per row."""

from __future__ import annotations

import uuid

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User as AuthUser
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from core.exceptions import Conflict, PolicyNotAuthorized
from core.principal import Caller
from hosts.models import Allocation
from identity.models import Token
from novasite.admin_support import refusal_message, staff_caller
from servers.models import InstanceAction, InstanceActionEvent, Migration, QuotaUsage, ServerFault

from .conftest import populate
from .pages import url

APPS = ("identity", "hosts", "servers", "images", "networks", "volumes")
MODELS = [model for label in APPS for model in apps.get_app_config(label).get_models()]


def model_id(model: type[Model]) -> str:
    return model._meta.label


def test_every_model_is_registered():
    missing = [model_id(m) for m in MODELS if not admin.site.is_registered(m)]
    assert missing == []


def test_populate_covers_every_model(rows):
    assert sorted(map(model_id, MODELS)) == sorted(map(model_id, rows))


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_changelist_answers(staff, rows, model):
    response = staff.get(url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_search_answers(staff, rows, model):
    for term in ("x", str(uuid.uuid4())):
        assert staff.get(url(model, "changelist"), {"q": term}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_change_page_answers(staff, rows, model):
    assert staff.get(url(model, "change", rows[model].pk)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_changelist_makes_no_query_per_row(staff, model):
    populate(1)
    with CaptureQueriesContext(connection) as one:
        assert staff.get(url(model, "changelist")).status_code == 200
    populate(2)
    populate(3)
    with CaptureQueriesContext(connection) as three:
        assert staff.get(url(model, "changelist")).status_code == 200
    assert len(three) == len(one), [q["sql"] for q in three.captured_queries]


@pytest.mark.django_db
def test_allocation_is_read_only(staff, rows):
    allocation = rows[Allocation]
    assert staff.get(url(Allocation, "add")).status_code == 403
    assert staff.get(url(Allocation, "delete", allocation.pk)).status_code == 403
    content = staff.get(url(Allocation, "change", allocation.pk)).content
    assert b'name="vcpus"' not in content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model",
    [
        Allocation,
        QuotaUsage,
        InstanceAction,
        InstanceActionEvent,
        ServerFault,
        Migration,
        Token,
    ],
    ids=model_id,
)
def test_audit_and_accounting_records_have_no_add_page(staff, rows, model):
    assert staff.get(url(model, "add")).status_code == 403


@pytest.mark.django_db
def test_quota_usage_cannot_be_changed(staff, rows):
    usage = rows[QuotaUsage]
    response = staff.post(url(QuotaUsage, "change", usage.pk), {"in_use": 0, "project_id": "p", "resource": "r"})
    assert response.status_code == 403
    usage.refresh_from_db()
    assert usage.in_use == 1


@pytest.mark.django_db
def test_token_digest_is_never_listed(staff, rows):
    token = rows[Token]
    content = staff.get(url(Token, "changelist")).content
    assert token.audit_id.encode() in content
    assert token.digest.encode() not in content.replace(
        url(Token, "change", token.pk).encode(),
        b"",
    )


@pytest.mark.django_db
def test_the_admin_acts_as_the_staff_user(rf):
    request = rf.post("/admin/")
    request.user = AuthUser(username="ops", is_staff=True)
    request.request_id = "req-1"
    caller = staff_caller(request)
    assert caller == Caller("operator:ops", "", is_admin=True, request_id="req-1")
    assert staff_caller(request) is caller  # built once per request
    request = rf.post("/admin/")
    request.user = AuthUser(username="guest", is_staff=False)
    assert not staff_caller(request).is_admin and staff_caller(request).request_id.startswith("req-")


def test_refusals_are_worded_as_each_api_words_them():
    rule = PolicyNotAuthorized("create_network")
    assert refusal_message(rule, "/network") == "(create_network) is disallowed by policy"
    assert refusal_message(rule, "/compute") == "Policy doesn't allow create_network to be performed."
    assert refusal_message(rule, "/identity") == (
        "You are not authorized to perform the requested action: create_network."
    )
    assert refusal_message(Conflict("busy"), "/volume") == "busy"
