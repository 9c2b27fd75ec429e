"""Unit pages under load: requests per second of ``planflow serve``'s unit pages, 0 errors.

Run: ``python bench/bench_pages.py [--communes 100] [--db sqlite|postgresql]
[--clients 8] [--requests 400] [--workers 1]``.

Set-up, as a province without workspaces runs it: ``--communes`` copies of the Bờ Y
plan (each its own plan id and folder, as ``bench/bench_year.py`` makes them), every
one advanced to 6 October 2025 by ``planflow run`` (with ``postgresql`` all communes
share one database of a throw-away cluster, so the served commune's queries run
against a province's rows). Then, for the first commune, exactly as a user does it:
``planflow tokens PLAN`` (a token per unit, secrets read from its output) and
``planflow serve PLAN --port P [--db URL]`` in its own process.

``--clients`` threads with one keep-alive HTTP connection each (httpx) then ask for
the unit pages, every unit in turn, ``--requests`` in all, after a warm-up of one
request per unit. A response that is not ``200`` with the unit's page, or a failed
connection, is an error. Printed: requests, errors, requests/s, p50/p95/max
latency, the load average before and after; exit status 1 on any error.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_year import communes, database

ROOT = Path(__file__).resolve().parents[1]
PLANFLOW = [sys.executable, "-m", "planflow"]
NOW = "2025-10-06T07:00"
_TOKEN = re.compile(r"token \w+ \(unit (?P<unit>[\w-]+)\)\n\s+http://\S+/feeds/(?P<secret>[^/]+)/")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def planflow(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run([*PLANFLOW, *args], capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"planflow {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def advance_all(paths: list[Path], db: str | None) -> float:
    """Every commune's first ``run`` (library calls: the set-up, not what is measured)."""
    from datetime import datetime

    from planflow.hooks.manager import get_plugin_manager
    from planflow.jobs.year import Year, advance

    pm = get_plugin_manager(load_entrypoints=False)
    started = time.perf_counter()
    for path in paths:
        with Year.open(path, db, now=datetime.fromisoformat(NOW)) as year:
            advance(year, pm=pm)
    return time.perf_counter() - started


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"planflow serve exited with status {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("planflow serve did not start")


def load(base: str, pages: list[tuple[str, str]], clients: int, total: int) -> dict[str, object]:
    """``total`` GETs of the ``pages`` (unit, path), spread over ``clients`` threads."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def client() -> None:
        with httpx.Client(base_url=base, timeout=120) as http:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                unit, path = pages[n % len(pages)]
                started = time.perf_counter()
                try:
                    response = http.get(path)
                    ok = response.status_code == 200 and 'id="open"' in response.text
                    problem = "" if ok else f"{unit}: status {response.status_code}"
                except httpx.HTTPError as exc:
                    problem = f"{unit}: {type(exc).__name__}: {exc}"
                took = time.perf_counter() - started
                with lock:
                    latencies.append(took)
                    if problem:
                        errors.append(problem)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "wall": wall,
        "rps": len(latencies) / wall,
        "p50": statistics.median(latencies),
        "p95": latencies[int(0.95 * (len(latencies) - 1))],
        "max": latencies[-1],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="planflow-bench-pages-"))
    env = {**os.environ, "PLANFLOW_LANG": "vi", "PLANFLOW_USER": "bench"}
    try:
        with database(args.db) as db:
            paths = communes(folder, args.communes)
            prepared = advance_all(paths, db)
            served = paths[0].parent
            db_args = ["--db", db] if db else []
            issued = planflow("tokens", str(served), "--lang", "en", env=env)  # parsed below
            pages = [
                (m["unit"], f"/pages/{m['secret']}/units/{m['unit']}")
                for m in _TOKEN.finditer(issued)
            ]
            port = free_port()
            serve = subprocess.Popen(
                [*PLANFLOW, "serve", str(served), "--port", str(port), "--log-level",
                 "warning", *db_args],
                env=env,
            )  # fmt: skip
            base = f"http://127.0.0.1:{port}"
            try:
                wait_ready(base + "/", serve)
                warm = load(base, pages, 1, len(pages))  # one per unit, alone
                before = os.getloadavg()
                figures = load(base, pages, args.clients, args.requests)
                after = os.getloadavg()
            finally:
                serve.terminate()
                serve.wait(30)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    errors: list[str] = [*warm["errors"], *figures["errors"]]  # type: ignore[misc]
    print(
        f"unit pages of 1 commune of {args.communes} ({args.db}), {len(pages)} units, "
        f"{args.clients} clients; set-up: {len(paths)} first runs in {prepared:.0f} s"
    )
    print(f"warm-up alone: {warm['rps']:.1f} requests/s, p50 {warm['p50'] * 1000:.0f} ms")
    print(f"{'requests':>9} {'errors':>7} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    print(
        f"{figures['requests']:>9} {len(errors):>7} {figures['rps']:>7.1f} "
        f"{figures['p50'] * 1000:>7.0f} {figures['p95'] * 1000:>7.0f} "
        f"{figures['max'] * 1000:>7.0f}"
    )
    print("load average before: {:.2f} {:.2f} {:.2f}; after: {:.2f} {:.2f} {:.2f}".format(
        *before, *after))  # fmt: skip
    for problem in errors[:10]:
        print("error:", problem)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
