"""Create the PostgreSQL database named by DATABASE_URL if it does not exist yet (`make
migrate` runs it; the benchmarks call create_database for their own databases)."""

from __future__ import annotations

import os
import sys
from typing import Any

import dj_database_url
import psycopg2


def create_database(url: str) -> bool:
    """Create the PostgreSQL database ``url`` names unless it exists (any other engine:
    nothing); True when it was created. Never touches another database."""
    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return False
    params: dict[str, Any] = {
        "dbname": "postgres",
        "user": config["USER"],
        "password": config["PASSWORD"] or None,
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
    }
    conn = psycopg2.connect(**{k: v for k, v in params.items() if v})
    conn.autocommit = True  # CREATE DATABASE cannot run inside a transaction
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
            if cursor.fetchone() is not None:
                return False
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
            return True
    finally:
        conn.close()


def main() -> None:
    url = os.environ["DATABASE_URL"]
    if create_database(url):
        print(f"created database {dj_database_url.parse(url)['NAME']}", file=sys.stderr)


if __name__ == "__main__":
    main()
