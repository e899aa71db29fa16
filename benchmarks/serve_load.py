"""Load on ``antitrust serve``: latency (p50, p99) and requests per second at 1, 4 and 16 clients.

    python benchmarks/serve_load.py                      # 2 workers, 8 s per level, the seed case
    python benchmarks/serve_load.py --workers 4 --seconds 20 --clients 1 4 16 64 --json out.json

Starts a real server (uvicorn on 127.0.0.1, a free port) and sends the Meta / Scale AI deal as
JSON to POST /v1/evaluate from N client threads, each with its own connection, one request after
another, for a fixed time per level after a warm-up. Every answer must be 200 and the same report.
Timings are wall-clock on whatever else the machine is doing: the load average is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "cases" / "meta-scale-ai.yaml"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _deal_json() -> str:
    from antitrust.loading import load_deal

    return json.dumps(load_deal(CASE).model_dump(mode="json", exclude_none=True))


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def run_level(url: str, body: str, clients: int, seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    bodies: set[int] = set()
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        with httpx.Client(timeout=300) as http:
            while time.monotonic() < stop:
                started = time.perf_counter()
                response = http.post(f"{url}/v1/evaluate", content=body,
                                     headers={"Content-Type": "application/json"})
                elapsed = time.perf_counter() - started
                with lock:
                    if response.status_code != 200:
                        errors.append(f"{response.status_code}: {response.text[:200]}")
                    latencies.append(elapsed)
                    bodies.add(hash(response.text))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    if errors:
        raise SystemExit(f"{len(errors)} failed requests at {clients} clients, e.g. {errors[0]}")
    if len(bodies) != 1:
        raise SystemExit(f"{len(bodies)} different reports for one deal at {clients} clients")
    return {"clients": clients, "requests": len(latencies), "seconds": round(wall, 2),
            "rps": round(len(latencies) / wall, 2),
            "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p99_ms": round(_percentile(latencies, 99) * 1000, 1)}


def _wait_for(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the server did not start: " + log.read_text(errors="replace"))
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--seconds", type=float, default=8.0, help="measured time per level")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured time before each level")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp, Path(tmp, "server.log").open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "antitrust", "serve", "--port", str(port), "--workers", str(args.workers),
             "--audit-log", str(Path(tmp, "audit.jsonl")), "--today", "2026-11-23"],
            stdout=log, stderr=log, cwd=tmp)
        try:
            _wait_for(url, server, Path(tmp, "server.log"))
            body = _deal_json()
            results = []
            for clients in args.clients:
                run_level(url, body, clients, args.warmup)
                results.append(run_level(url, body, clients, args.seconds))
            audit_lines = len(Path(tmp, "audit.jsonl").read_text(encoding="utf-8").splitlines())
        finally:
            server.terminate()
            server.wait(timeout=60)

    load = os.getloadavg()
    print(f"antitrust serve, {args.workers} workers, seed case (POST /v1/evaluate, JSON); "
          f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'clients':>7} {'requests':>9} {'rps':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for r in results:
        print(f"{r['clients']:>7} {r['requests']:>9} {r['rps']:>8.2f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f}")
    print(f"audit records written: {audit_lines}")
    if args.json:
        args.json.write_text(json.dumps({"workers": args.workers, "cores": os.cpu_count(), "load": load,
                                         "results": results}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
