"""Create the PostgreSQL database named by DATABASE_URL if it does not exist yet (`make
migrate` runs it; the benchmarks call create_database for their own databases), or with
``--drop`` drop it (`make reset`). Without DATABASE_URL, or for another engine, nothing."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

import dj_database_url
import psycopg2


def _maintenance_connection(config: Mapping[str, Any]) -> Any:
    """An autocommit connection to the server's ``postgres`` database (CREATE and DROP
    DATABASE cannot run inside a transaction, nor in the database they name)."""
    params: dict[str, Any] = {
        "dbname": "postgres",
        "user": config["USER"],
        "password": config["PASSWORD"] or None,
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
    }
    conn = psycopg2.connect(**{k: v for k, v in params.items() if v})
    conn.autocommit = True
    return conn


def create_database(url: str) -> bool:
    """Create the PostgreSQL database ``url`` names unless it exists (any other engine:
    nothing); True when it was created. Never touches another database."""
    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return False
    conn = _maintenance_connection(config)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
            if cursor.fetchone() is not None:
                return False
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
            return True
    finally:
        conn.close()


def drop_database(url: str) -> bool:
    """Drop the PostgreSQL database ``url`` names if it exists (any other engine: nothing);
    True when it was dropped."""
    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return False
    conn = _maintenance_connection(config)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
            if cursor.fetchone() is None:
                return False
            cursor.execute(f'DROP DATABASE "{config["NAME"]}" WITH (FORCE)')
            return True
    finally:
        conn.close()


def main() -> None:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return
    name = dj_database_url.parse(url)["NAME"]
    if "--drop" in sys.argv[1:]:
        if drop_database(url):
            print(f"dropped database {name}", file=sys.stderr)
    elif create_database(url):
        print(f"created database {name}", file=sys.stderr)


if __name__ == "__main__":
    main()
