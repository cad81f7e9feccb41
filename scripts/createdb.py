"""Create the PostgreSQL database named by DATABASE_URL if it does not exist yet."""

from __future__ import annotations

import os
import sys
from typing import Any

import dj_database_url
import psycopg2


def main() -> None:
    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    if "postgresql" not in config["ENGINE"]:
        return
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
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
                print(f"created database {config['NAME']}", file=sys.stderr)
    finally:
        conn.close()


if __name__ == "__main__":
    main()
