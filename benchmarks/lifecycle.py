"""Time every lifecycle operation on a running cloud (`make run`): from the API call until
the server settles (task_state null and the expected status). Median of N runs each.

    .venv/bin/python benchmarks/lifecycle.py [--url http://127.0.0.1:8000] [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.cloud import Api

V = {"OpenStack-API-Version": "compute 2.96"}


def current(api: Api, sid: str) -> dict:
    """The server as the API shows it now; stops the benchmark if it is gone."""
    server = api.server(sid)
    if server is None:
        raise SystemExit(f"server {sid} is gone")
    return server


def timed(api: Api, sid: str, body: dict | None, until: str, *, method: str = "action") -> float:
    start = time.perf_counter()
    if method == "action":
        assert body is not None, "an action needs a body"
        response = api.post(f"/compute/v2.1/servers/{sid}/action", body, headers=V)
        assert response.status_code in (200, 202, 204), response.text
    while True:
        server = current(api, sid)
        if server["OS-EXT-STS:task_state"] is None and server["status"] == until:
            return time.perf_counter() - start
        if server["status"] == "ERROR":
            raise SystemExit(f"{body}: ERROR {server.get('fault')}")
        time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    api = Api.login(args.url, "admin", "admin")
    image = api.get("/image/v2/images", params={"name": "cirros"}).json()["images"][0]["id"]
    results: dict[str, list[float]] = {}

    def record(name: str, seconds: float) -> None:
        results.setdefault(name, []).append(seconds)

    for run in range(args.runs):
        start = time.perf_counter()
        sid = api.post(
            "/compute/v2.1/servers",
            {"server": {"name": f"bench{run}", "imageRef": image, "flavorRef": "42", "networks": "none"}},
        ).json()["server"]["id"]
        timed(api, sid, None, "ACTIVE", method="poll")
        record("boot", time.perf_counter() - start)
        for name, body, until in (
            ("stop", {"os-stop": None}, "SHUTOFF"),
            ("start", {"os-start": None}, "ACTIVE"),
            ("reboot soft", {"reboot": {"type": "SOFT"}}, "ACTIVE"),
            ("reboot hard", {"reboot": {"type": "HARD"}}, "ACTIVE"),
            ("pause", {"pause": None}, "PAUSED"),
            ("unpause", {"unpause": None}, "ACTIVE"),
            ("suspend", {"suspend": None}, "SUSPENDED"),
            ("resume", {"resume": None}, "ACTIVE"),
            ("rescue", {"rescue": None}, "RESCUE"),
            ("unrescue", {"unrescue": None}, "ACTIVE"),
            ("rebuild", {"rebuild": {"imageRef": image}}, "ACTIVE"),
            ("resize", {"resize": {"flavorRef": "1"}}, "VERIFY_RESIZE"),
            ("confirm resize", {"confirmResize": None}, "ACTIVE"),
            ("resize (for revert)", {"resize": {"flavorRef": "42"}}, "VERIFY_RESIZE"),
            ("revert resize", {"revertResize": None}, "ACTIVE"),
            ("cold migrate", {"migrate": None}, "VERIFY_RESIZE"),
            ("confirm migrate", {"confirmResize": None}, "ACTIVE"),
            ("live migrate", {"os-migrateLive": {"host": None, "block_migration": "auto"}}, "ACTIVE"),
            ("snapshot", {"createImage": {"name": f"snap{run}"}}, "ACTIVE"),
            ("shelve (offload)", {"shelve": None}, "SHELVED_OFFLOADED"),
            ("unshelve", {"unshelve": None}, "ACTIVE"),
        ):
            if name == "live migrate":
                before = current(api, sid)["OS-EXT-SRV-ATTR:host"]
                started = time.perf_counter()
                api.post(f"/compute/v2.1/servers/{sid}/action", body, headers={"OpenStack-API-Version": "compute 2.30"})
                while (s := current(api, sid))["OS-EXT-SRV-ATTR:host"] == before or s[
                    "OS-EXT-STS:task_state"
                ] is not None:
                    time.sleep(0.01)
                record(name, time.perf_counter() - started)
                continue
            record(name, timed(api, sid, body, until))
        started = time.perf_counter()
        api.delete(f"/compute/v2.1/servers/{sid}")
        api.wait_until_gone(sid)
        record("delete", time.perf_counter() - started)
        print(f"run {run + 1}/{args.runs} done", file=sys.stderr)
    print(f"{'operation':<22}{'median ms':>10}{'p90 ms':>10}")
    for name, values in results.items():
        values.sort()
        print(
            f"{name:<22}{statistics.median(values) * 1000:>10.1f}{values[int(0.9 * (len(values) - 1))] * 1000:>10.1f}"
        )


if __name__ == "__main__":
    main()
