"""Support for the real-year tests: small plans, loopback receivers, a PostgreSQL server.

* :func:`write_plan` writes a small Vietnamese plan whose units have e-mail addresses;
* :func:`webhook_receiver` is a real HTTP server on 127.0.0.1 that keeps every POST;
* :func:`smtp_receiver` is a real SMTP server on 127.0.0.1 (aiosmtpd);
* :func:`postgres_server` starts a throw-away PostgreSQL cluster from Debian's
  binaries (as the ``postgres`` user when the tests run as root, which PostgreSQL
  refuses), or says why it cannot.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import attrs

REPO = Path(__file__).resolve().parents[1]
PLUGIN_PATH = os.pathsep.join(
    str(REPO / "plugins" / name / "src") for name in ("planflow-webhook", "planflow-email")
)

PLAN_HEAD = """\
planflow: 1
plan:
  id: {plan_id}
  title: "Kế hoạch thử nghiệm chạy năm thật xã Bờ Y năm 2025"
  issuer: "Ủy ban nhân dân xã Bờ Y"
  year: 2025
calendar:
  country: VN
  shift: previous
  reminder: 2 working days
units:
  - {{id: vhxh, name: "Phòng Văn hóa - Xã hội", contacts: {{email: "vhxh@boy.example.gov.vn"}}}}
  - {{id: radio, name: "Đài truyền thanh xã", contacts: {{email: "radio@boy.example.gov.vn"}}}}
  - {{id: vp, name: "Văn phòng HĐND và UBND xã", contacts: {{email: "vp@boy.example.gov.vn"}}}}
tasks:
"""

TASK = """\
  - id: {id}
    title: "{title}"
    lead: {lead}
    coordinators: [{coordinators}]
    window: 2025
    recurrence: "FREQ=MONTHLY;BYMONTHDAY={day}"
"""


def plan_text(tasks: int = 3, *, day: int = 15, plan_id: str = "thu-2025", extra: str = "") -> str:
    """A plan with ``tasks`` monthly tasks due on ``day``, led in turn by the three units."""
    leads = ["vhxh", "radio", "vp"]
    body = "".join(
        TASK.format(
            id=f"viec-{n + 1}",
            title=f"Việc số {n + 1}: tuyên truyền chuyển đổi số",
            lead=leads[n % 3],
            coordinators=leads[(n + 1) % 3],
            day=day,
        )
        for n in range(tasks)
    )
    return PLAN_HEAD.format(plan_id=plan_id) + body + extra


def page_csrf(html: str) -> str:
    """The CSRF field of a unit page's forms."""
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert found is not None
    return found.group(1)


def open_occurrences(html: str) -> list[str]:
    """The occurrences a unit page lists as still open."""
    block = html.split('<ul id="open">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'data-occurrence="([^"]+)"', block)


def write_plan(folder: Path, text: str | None = None) -> Path:
    """Write ``text`` (default :func:`plan_text`) to ``folder/plan.yaml``; return the file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "plan.yaml"
    path.write_text(text if text is not None else plan_text(), encoding="utf-8")
    return path


def planflow_cmd(*args: str) -> list[str]:
    """The command line of the installed ``planflow`` (this interpreter's)."""
    return [sys.executable, "-m", "planflow", *args]


def child_env(**extra: str) -> dict[str, str]:
    """An environment for ``planflow`` subprocesses: the plugins from the source tree only."""
    env = dict(os.environ)
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(name, None)
    env["PYTHONPATH"] = PLUGIN_PATH + os.pathsep + env.get("PYTHONPATH", "")
    env["PLANFLOW_PLUGINS"] = ""  # no installed entry points: the -p modules only
    env["PLANFLOW_USER"] = "kiem-thu"
    env.update(extra)
    return env


# --- an HTTP receiver ---------------------------------------------------------------


@attrs.define
class Webhook:
    """A running receiver: its URL and the ``Idempotency-Key`` of every POST it got."""

    url: str = ""
    keys: list[str] = attrs.field(factory=list)
    delay: float = 0.0
    on_request: Callable[[int], None] | None = None
    lock: threading.Lock = attrs.field(factory=threading.Lock)


@contextlib.contextmanager
def webhook_receiver(delay: float = 0.0) -> Iterator[Webhook]:
    """A ThreadingHTTPServer on a free port of 127.0.0.1 for the ``with`` block."""
    state = Webhook(delay=delay)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with state.lock:
                state.keys.append(self.headers["Idempotency-Key"])
                number = len(state.keys)
            if state.on_request is not None:
                state.on_request(number)  # may kill the client: inside its notifier
            time.sleep(state.delay)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/planflow"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# --- an SMTP receiver ------------------------------------------------------------------


@attrs.define
class Mailbox:
    """A running SMTP server: where it listens and the ``X-Planflow-Delivery`` of each mail."""

    host: str = "127.0.0.1"
    port: int = 0
    keys: list[str] = attrs.field(factory=list)
    recipients: list[tuple[str, ...]] = attrs.field(factory=list)
    on_message: Callable[[int], None] | None = None


@contextlib.contextmanager
def smtp_receiver() -> Iterator[Mailbox]:
    """An aiosmtpd server on a free port of 127.0.0.1 for the ``with`` block."""
    from email import message_from_bytes

    from aiosmtpd.controller import Controller

    box = Mailbox()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            message = message_from_bytes(envelope.original_content or envelope.content)
            box.keys.append(str(message["X-Planflow-Delivery"]))
            box.recipients.append(tuple(envelope.rcpt_tos))
            if box.on_message is not None:
                box.on_message(len(box.keys))  # may kill the client before it hears "250"
            return "250 Message accepted for delivery"

    class FreePort(Controller):  # type: ignore[misc]
        def _trigger_server(self) -> None:
            self.port = self.server.sockets[0].getsockname()[1]
            super()._trigger_server()

    controller = FreePort(Handler(), hostname="127.0.0.1", port=0)
    controller.start()
    box.port = controller.port
    try:
        yield box
    finally:
        controller.stop()


# --- PostgreSQL ---------------------------------------------------------------------


def _pg_bin() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@attrs.frozen
class Postgres:
    """A running throw-away cluster; :meth:`database` makes a fresh database in it."""

    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def database(self, name: str) -> str:
        """Create database ``name`` (dropped first if it exists); return its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextlib.contextmanager
def postgres_server() -> Iterator[Postgres | str]:
    """A PostgreSQL cluster for the ``with`` block, or the reason there cannot be one."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        yield "psycopg is not installed (pip install 'planflow[postgres]')"
        return
    bindir = _pg_bin()
    if bindir is None:
        yield "PostgreSQL binaries not found (apt-get install -y postgresql)"
        return
    prefix: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="planflow-pg-", dir="/tmp"))
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        runuser = shutil.which("runuser")
        if runuser is None:
            yield "running as root and runuser is missing"
            return
        shutil.chown(folder, "postgres", "postgres")
        prefix = [runuser, "-u", "postgres", "--"]
    data = folder / "data"
    port = _free_port()

    def run(*cmd: str) -> None:
        subprocess.run([*prefix, *cmd], check=True, capture_output=True, timeout=120)

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l",
            str(folder / "log"), "start")  # fmt: skip
    except (subprocess.CalledProcessError, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        yield f"cannot start PostgreSQL: {exc} {detail.decode(errors='replace')[:300]}"
        shutil.rmtree(folder, ignore_errors=True)
        return
    try:
        yield Postgres(port)
    finally:
        with contextlib.suppress(subprocess.CalledProcessError, OSError):
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)
