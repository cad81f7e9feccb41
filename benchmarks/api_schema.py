"""Time the API description: generating the OpenAPI document, rendering it as YAML and JSON,
and GET /api/schema/ before and after the per-process cache (Django's test client, in
process; no database needed).

    .venv/bin/python benchmarks/api_schema.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasite.settings")


def seconds(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs

    import django

    django.setup()
    from django.test import Client
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer

    from novasite.api_docs import clear_schema_cache

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = sum(len(item) for item in schema["paths"].values())
    print(f"{len(schema['paths'])} paths, {operations} operations, {len(schema['components']['schemas'])} schemas")
    generate = [seconds(lambda: SchemaGenerator().get_schema(request=None, public=True)) for _ in range(runs)]
    yaml = [seconds(lambda: OpenApiYamlRenderer().render(schema)) for _ in range(runs)]
    json = [seconds(lambda: OpenApiJsonRenderer().render(schema)) for _ in range(runs)]
    print(f"generate: median {statistics.median(generate):.2f} s")
    print(f"render YAML: median {statistics.median(yaml):.2f} s; JSON: median {statistics.median(json):.2f} s")
    client = Client()
    for accept in ("application/vnd.oai.openapi", "application/json"):
        clear_schema_cache()

        def get(accept: str = accept) -> int:
            return len(client.get("/api/schema/", HTTP_ACCEPT=accept).content)

        first = seconds(get)
        cached = statistics.median(seconds(get) for _ in range(runs))
        size = get()
        print(f"GET /api/schema/ ({accept}, {size / 1e6:.1f} MB): first {first:.2f} s, cached {cached * 1000:.1f} ms")


if __name__ == "__main__":
    main()
