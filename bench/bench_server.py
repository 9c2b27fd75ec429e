"""Load test of ``planflow serve``, and of nginx serving the same feeds as static files.

Run: ``python bench/bench_server.py [--plan examples/boy_2025] [--clients 32]
[--requests 6000] [--procs 2] [--no-nginx]``; for a workspace (one server for every
plan): ``python bench/bench_server.py --plan WORKSPACE --plan-id c0001-2025``.

The server runs in its own process (``planflow serve`` on a free loopback port, one
uvicorn worker); the clients run in ``--procs`` other processes, ``--clients``
keep-alive connections in all, and send a fixed number of requests per scenario:

* ``200 plan``: ``GET /feeds/plan.ics`` (about 70 kB), no conditional header;
* ``200 unit gz``: ``GET /feeds/units/vhxh.ics`` with ``Accept-Encoding: gzip``;
* ``304 unit``: the same with ``If-None-Match`` set to its ETag (what a calendar
  client sends on every poll once it has the feed);
* ``404``: an unknown unit.

With nginx installed (``apt-get install nginx``), the same scenarios run against
nginx (one worker, ``sendfile``, ``gzip_static``) serving the files
``planflow export`` wrote, on another loopback port, for comparison. Every response
must have the expected status: the bench prints the errors and exits 1 if any.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import multiprocessing
import multiprocessing.pool
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVE = "import planflow.cli.serve; from planflow.cli.main import main; main()"
Scenario = tuple[str, str, dict[str, str], int]  # name, path, headers, expected status


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.communicate()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def fetch(
    port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}


def _client_proc(
    job: tuple[int, str, dict[str, str], int, int, int],
) -> tuple[int, list[str], float, float]:
    """One client process: ``threads`` keep-alive connections, ``each`` requests apiece."""
    port, path, headers, want, threads, each = job
    errors: list[str] = []
    done = [0] * threads
    lock = threading.Lock()

    def run(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(each):
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status != want:
                    with lock:
                        errors.append(f"status {resp.status}")
                else:
                    done[n] += 1
                if resp.will_close:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            except Exception as exc:
                with lock:
                    errors.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    start = time.time()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return (
        sum(done),
        errors[:5] + ([f"… {len(errors)} errors"] if len(errors) > 5 else []),
        start,
        time.time(),
    )


def load(
    pool: multiprocessing.pool.Pool, port: int, scenario: Scenario, args: argparse.Namespace
) -> tuple[float, int, list[str]]:
    _, path, headers, want = scenario
    per_proc = max(1, args.clients // args.procs)
    each = max(1, args.requests // (per_proc * args.procs))
    jobs = [(port, path, headers, want, per_proc, each)] * args.procs
    results = pool.map(_client_proc, jobs)
    ok = sum(r[0] for r in results)
    errors = [e for r in results for e in r[1]]
    total = per_proc * args.procs * each
    elapsed = max(r[3] for r in results) - min(r[2] for r in results)
    return ok / elapsed, total - ok, errors


def scenarios(port: int, prefix: str) -> list[Scenario]:
    unit = f"{prefix}/units/vhxh.ics"
    gz = {"Accept-Encoding": "gzip"}
    status, headers = fetch(port, unit, gz)
    if status != 200:
        raise SystemExit(f"{unit}: {status}")
    return [
        ("200 plan", f"{prefix}/plan.ics", {}, 200),
        ("200 unit gz", unit, gz, 200),
        ("304 unit", unit, {**gz, "If-None-Match": headers["etag"]}, 304),
        ("404", f"{prefix}/units/no-such-unit.ics", {}, 404),
    ]


def run_target(
    name: str, port: int, prefix: str, args: argparse.Namespace
) -> list[tuple[str, float, int]]:
    rows = []
    with multiprocessing.Pool(args.procs) as pool:
        for scenario in scenarios(port, prefix):
            warm = argparse.Namespace(**{**vars(args), "requests": min(500, args.requests)})
            load(pool, port, scenario, warm)
            rate, errors, samples = load(pool, port, scenario, args)
            rows.append((scenario[0], rate, errors))
            print(f"{name:9} {scenario[0]:12} {rate:10,.0f} req/s  errors {errors}"
                  + (f"  {samples}" if samples else ""), flush=True)  # fmt: skip
    return rows


def nginx_conf(prefix: Path, root: Path, port: int) -> Path:
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"""worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    types {{ text/calendar ics; }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/calendar;
    gzip_static on;
    gzip_vary on;
    server {{
        listen 127.0.0.1:{port};
        location /feeds/ {{ alias {root}/; }}
    }}
}}
"""
    )
    return conf


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plan", default=str(ROOT / "examples" / "boy_2025"))
    parser.add_argument("--clients", type=int, default=32, help="concurrent connections")
    parser.add_argument("--requests", type=int, default=6000, help="requests per scenario")
    parser.add_argument("--procs", type=int, default=2, help="client processes")
    parser.add_argument("--no-nginx", action="store_true")
    parser.add_argument(
        "--plan-id",
        metavar="ID",
        help="PLAN is a workspace (planflow serve WORKSPACE): load /ID/feeds/… "
        "(the national workspace of bench/workspace_gen.py: --plan-id c0001-2025)",
    )
    args = parser.parse_args()
    prefix = f"/{args.plan_id}/feeds" if args.plan_id else "/feeds"
    failed = False

    port = free_port()
    cmd = [sys.executable, "-c", SERVE, "serve", args.plan, "--port", str(port),
           "--public", "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_ready(port, server)
        print(f"{args.clients} connections in {args.procs} client processes, "
              f"{args.requests} requests per scenario\n")  # fmt: skip
        rows = run_target("planflow", port, prefix, args)
        failed |= any(errors for _, _, errors in rows)
    finally:
        server.terminate()
        server.wait(10)

    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if args.no_nginx or nginx is None or args.plan_id:
        if nginx is None:
            print("\nnginx is not installed: no comparison (apt-get install nginx)")
        return 1 if failed else 0
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp).chmod(0o755)  # nginx workers run as another user
        out = Path(tmp) / "feeds"
        subprocess.run([sys.executable, "-c", SERVE, "export", args.plan, "--out", str(out)],
                       check=True, capture_output=True)  # fmt: skip
        for ics in out.rglob("*.ics"):
            ics.with_name(ics.name + ".gz").write_bytes(gzip.compress(ics.read_bytes(), 9, mtime=0))
        nport = free_port()
        conf = nginx_conf(Path(tmp), out, nport)
        proc = subprocess.Popen([nginx, "-c", str(conf), "-p", tmp],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        try:
            wait_ready(nport, proc)
            print()
            rows = run_target("nginx", nport, "/feeds", args)
            failed |= any(errors for _, _, errors in rows)
        finally:
            proc.terminate()
            proc.wait(10)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
