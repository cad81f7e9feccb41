"""Time from POST /servers to ACTIVE on a running cloud (`make run`), then delete.

    .venv/bin/python benchmarks/boot.py [--url http://127.0.0.1:8000] [--count 20]

Prints each boot's latency and the median / p95; polls the server every 20 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.cloud import Api


def boot_once(api: Api, image: str, flavor: str, network: str, index: int) -> float:
    body = {
        "server": {"name": f"bench{index}", "imageRef": image, "flavorRef": flavor, "networks": [{"uuid": network}]}
    }
    start = time.perf_counter()
    response = api.post("/compute/v2.1/servers", body)
    response.raise_for_status()
    server_id = response.json()["server"]["id"]
    while True:
        server = api.server(server_id)
        if server is None:
            raise SystemExit(f"server {server_id} is gone")
        if server["status"] == "ACTIVE" and server["OS-EXT-STS:task_state"] is None:
            elapsed = time.perf_counter() - start
            break
        if server["status"] == "ERROR":
            raise SystemExit(f"boot failed: {server.get('fault')}")
        time.sleep(0.02)
    api.delete(f"/compute/v2.1/servers/{server_id}")
    api.wait_until_gone(server_id)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--user", default="demo")
    parser.add_argument("--password", default="secret")
    args = parser.parse_args()
    api = Api.login(args.url, args.user, args.user, args.password)
    image = api.get("/image/v2/images", params={"name": "cirros"}).json()["images"][0]["id"]
    network = api.get("/network/v2.0/networks", params={"name": "provider"}).json()["networks"][0]["id"]
    flavor = next(f["id"] for f in api.get("/compute/v2.1/flavors").json()["flavors"] if f["name"] == "cirros")
    times = []
    for index in range(args.count):
        times.append(boot_once(api, image, flavor, network, index))
        print(f"boot {index + 1:2d}: {times[-1] * 1000:7.1f} ms")
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    print(
        f"POST -> ACTIVE over {len(times)} boots: median {statistics.median(times) * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms, min {times[0] * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
