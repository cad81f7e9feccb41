"""core.expressions.UuidText: a uuid column read as canonical text on PostgreSQL and SQLite."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.db.models import Value
from django.db.models.sql import Query

from core.expressions import UuidText
from networks.models import Network

pytestmark = pytest.mark.django_db


def test_postgresql_reads_the_canonical_text():
    network = Network.objects.create(name="n", project_id="p")
    assert Network.objects.filter(pk=network.pk).values_list(UuidText("id"), flat=True).get() == str(network.id)


def test_sqlite_puts_the_dashes_back_into_its_hex_digits():
    # SQLite stores a UUIDField as 32 hex digits (make run's default database).
    wrapper = DatabaseWrapper({**connection.settings_dict, "ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"})
    value = uuid.uuid4()
    sql, params = UuidText(Value(value.hex)).as_sqlite(Query(Network).get_compiler(connection=wrapper), wrapper)
    with wrapper.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)
        assert cursor.fetchone()[0] == str(value)
    wrapper.close()
