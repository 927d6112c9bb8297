"""Concurrent users on the UI's `/ask` endpoint (not a test): answers per second and latency
with 1, 4 and 16 gradio_client clients, for several queue concurrency limits.

    .venv/bin/python scripts/benchmark_concurrency.py [--limits 1,2,4,8] [--clients 1,4,16] [--requests 48]

The UI is launched in this process on 127.0.0.1 (a free port) over one Assistant, exactly as
`assistant ui` builds it; every client is its own gradio_client.Client in its own thread and
sends questions back to back. Each run is bounded: `--requests` answers in all per cell.
Writes docs/benchmark/concurrency.json.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from bench_common import QUESTIONS, pct  # noqa: E402



def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cell(url: str, clients: int, requests: int) -> dict[str, float]:
    from gradio_client import Client

    per_client = max(1, requests // clients)
    conns = [Client(url, verbose=False, analytics_enabled=False, download_files=False) for _ in range(clients)]
    latencies: list[float] = []
    errors = 0

    def worker(i: int) -> list[float]:
        nonlocal errors
        out = []
        for j in range(per_client):
            q = QUESTIONS[(i * 5 + j) % len(QUESTIONS)]
            t = time.perf_counter()
            try:
                conns[i].predict(q, [], api_name="/ask")
            except Exception:
                errors += 1
                continue
            out.append((time.perf_counter() - t) * 1000)
        return out

    t0 = time.perf_counter()
    with cf.ThreadPoolExecutor(max_workers=clients) as pool:
        for got in pool.map(worker, range(clients)):
            latencies.extend(got)
    wall = time.perf_counter() - t0
    return {"clients": clients, "answers": len(latencies), "errors": errors,
            "answers_per_s": round(len(latencies) / wall, 2),
            "p50_ms": round(statistics.median(latencies), 0) if latencies else 0,
            "p95_ms": round(pct(latencies, 0.95), 0) if latencies else 0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limits", default="1,2,4,8")
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--requests", type=int, default=48, help="answers per cell (split across clients)")
    parser.add_argument("--data-dir", type=Path, default=None, help="an existing data dir (default: a fresh one)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmark" / "concurrency.json")
    args = parser.parse_args()

    from assistant import Assistant, load_settings
    from ui.app import build_app, launch

    tmp = None
    data_dir = args.data_dir
    if data_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench-concurrency-")
        data_dir = Path(tmp.name)
    settings = load_settings(data_dir=data_dir, progress=False)
    assistant = Assistant(settings)
    assistant.index()
    for q in QUESTIONS:  # warm every lazy part (tools, catalogue, sessions)
        assistant.ask(q)
    print(f"cpus {os.cpu_count()}, load {os.getloadavg()[0]:.1f}")
    rows = []
    print(f"{'limit':>5} {'clients':>7} {'answers/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}")
    for limit in [int(x) for x in args.limits.split(",")]:
        demo = build_app(assistant)
        port = free_port()
        launch(demo, settings.model_copy(update={"concurrency_limit": limit, "ui_port": port, "ui_host": "127.0.0.1",
                                                 "ui_auth": None}),
               prevent_thread_lock=True, quiet=True)
        try:
            url = f"http://127.0.0.1:{port}"
            run_cell(url, 1, 4)  # warm the route
            for clients in [int(x) for x in args.clients.split(",")]:
                row = {"limit": limit, **run_cell(url, clients, args.requests), "load": round(os.getloadavg()[0], 1)}
                rows.append(row)
                print(f"{limit:>5} {clients:>7} {row['answers_per_s']:>10} {row['p50_ms']:>8.0f} {row['p95_ms']:>8.0f} "
                      f"{row['errors']:>6}", flush=True)
        finally:
            demo.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=1))
    print(f"wrote {args.out}")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
