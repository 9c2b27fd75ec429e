"""Test support: a tiny Vietnamese plan and a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs
import planflow
import pytest
from planflow.plan.model import Plan

PLAN_YAML = """\
planflow: 1
plan:
  id: demo-2025
  title: "Kế hoạch truyền thông chuyển đổi số xã Bờ Y năm 2025"
  issuer: "Ủy ban nhân dân xã Bờ Y"
  year: 2025
units:
  - id: vhxh
    name: "Phòng Văn hóa - Xã hội"
  - id: radio
    name: "Đài truyền thanh xã"
  - id: bcd
    name: "Ban chỉ đạo chuyển đổi số"
tasks:
  - id: radio-programme
    ref: C.I.2.a
    title: "Thực hiện chuyên mục phát thanh “Chuyển đổi số” trên sóng Đài truyền thanh xã"
    lead: vhxh
    coordinators: [radio]
    window: 2025
    recurrence: "FREQ=MONTHLY;BYMONTHDAY=15"
  - id: dx-committee
    title: "Họp Ban chỉ đạo chuyển đổi số"
    lead: bcd
    window: 2025
    recurrence: "FREQ=MONTHLY;BYMONTHDAY=25"
"""


@pytest.fixture(scope="session")
def plan() -> Plan:
    """The tiny plan above."""
    return planflow.loads(PLAN_YAML, file="demo.yaml").plan


@attrs.frozen
class Request:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes


@attrs.define
class Receiver:
    """A running receiver: its URL, what it got, and how it behaves."""

    url: str
    fail_first: int = 0
    status: int = 503
    hang: bool = False
    extra_headers: dict[str, str] = attrs.field(factory=dict)
    requests: list[Request] = attrs.field(factory=list)
    release: threading.Event = attrs.field(factory=threading.Event)
    lock: threading.Lock = attrs.field(factory=threading.Lock)

    def accepted(self) -> list[Request]:
        """The requests that were answered 200 (those after the failing ones)."""
        return self.requests[self.fail_first :]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with receiver.lock:
                receiver.requests.append(Request(self.path, dict(self.headers.items()), body))
                number = len(receiver.requests)
            if receiver.hang:
                receiver.release.wait(10)  # longer than any client timeout in the tests
                return
            status = receiver.status if number <= receiver.fail_first else 200
            self.send_response(status)
            for key, value in receiver.extra_headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    return Handler


@contextmanager
def receiver(**behaviour: Any) -> Iterator[Receiver]:
    """A ThreadingHTTPServer on 127.0.0.1 (a free port) for the ``with`` block."""
    state = Receiver(url="", **behaviour)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/planflow"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Talk to 127.0.0.1 directly even when the environment names a proxy."""
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
