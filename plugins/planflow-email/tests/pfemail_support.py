"""Test support: a tiny Vietnamese plan, real SMTP servers on 127.0.0.1 (aiosmtpd), TLS certificates."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import attrs
import planflow
import pytest
from planflow.hooks.specs import ChannelSettings
from planflow.plan.model import Plan
from planflow.run.events import Event

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
aiosmtpd_smtp = pytest.importorskip("aiosmtpd.smtp")

REPO = Path(__file__).resolve().parents[3]

PLAN_YAML = """\
planflow: 1
plan:
  id: demo-2025
  title: "Kế hoạch truyền thông cải cách hành chính và chuyển đổi số xã Bờ Y năm 2025"
  issuer: "Ủy ban nhân dân xã Bờ Y"
  year: 2025
units:
  - id: vhxh
    name: "Phòng Văn hóa - Xã hội"
    contacts: {email: "vhxh@example.gov.vn"}
  - id: radio
    name: "Đài truyền thanh xã"
    contacts: {email: "dai.truyenthanh@example.gov.vn"}
  - id: bcd
    name: "Ban chỉ đạo chuyển đổi số"
  - id: vanphong
    name: "Văn phòng HĐND và UBND xã"
    contacts: {email: "vanphong@example.gov.vn"}
    channels:
      email: {to: "Chánh Văn phòng <chanh.vp@example.gov.vn>, vanphong@example.gov.vn"}
tasks:
  - id: radio-programme
    ref: C.I.2.a
    title: "Thực hiện chuyên mục phát thanh về cải cách hành chính và chuyển đổi số trên sóng Đài truyền thanh xã"
    lead: vhxh
    coordinators: [radio, bcd]
    window: 2025
    recurrence: "FREQ=MONTHLY;BYMONTHDAY=15"
  - id: qa-page
    ref: C.II.3
    title: "Cập nhật chuyên mục <Hỏi – đáp> & tin bài “Chuyển đổi số” trên Trang TTĐT xã"
    lead: vanphong
    coordinators: [vhxh]
    window: 2025
    recurrence: "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=20"
  - id: dx-committee
    title: "Họp Ban chỉ đạo chuyển đổi số"
    lead: bcd
    window: 2025
    recurrence: "FREQ=MONTHLY;BYMONTHDAY=25"
"""

SENDER = "UBND xã Bờ Y <ubnd@example.gov.vn>"


@pytest.fixture(scope="session")
def plan() -> Plan:
    """The tiny plan above: three tasks, four units (one without any address)."""
    return planflow.loads(PLAN_YAML, file="demo.yaml").plan


_EVENTS: dict[str, list[Event]] = {}


def events(plan: Plan) -> list[Event]:
    """Every event of a year's on-time simulation of ``plan`` (computed once per plan)."""
    from planflow.run.simulation import simulate

    if plan.id not in _EVENTS:
        _EVENTS[plan.id] = simulate(plan).events
    return _EVENTS[plan.id]


def reminder(plan: Plan, task: str = "radio-programme", index: int = 3) -> Event:
    """The reminder of one occurrence, taken from a real simulation of ``plan``."""
    for event in events(plan):
        if event.task == task and event.index == index and event.kind.value == "reminder":
            return event
    raise LookupError(f"no reminder for {task}#{index}")


def unit_settings(plan: Plan) -> dict[str, dict[str, Any]]:
    """The per-unit settings the plan file gives under ``channels: {email: …}``."""
    return {u.id: dict(u.channels["email"]) for u in plan.units if "email" in u.channels}


def channel(plan: Plan, **run: Any) -> ChannelSettings:
    """Channel settings as planflow would pass them: ``run`` plus the plan's unit settings."""
    return ChannelSettings(run={"from": SENDER, **run}, units=unit_settings(plan))


# --- SMTP servers ---------------------------------------------------------------------


@attrs.frozen
class Received:
    """One message an SMTP server accepted."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    tls: bool
    login: str | None

    @property
    def message(self) -> EmailMessage:
        """The message, parsed with the modern policy (headers decoded)."""
        parsed = BytesParser(policy=policy.default).parsebytes(self.data)
        assert isinstance(parsed, EmailMessage)
        return parsed


class Recorder:
    """aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.received: list[Received] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Record the envelope and accept the message."""
        transport = getattr(server, "transport", None)
        tls = session.ssl is not None or (
            transport is not None and transport.get_extra_info("ssl_object") is not None
        )
        login = session.auth_data.login.decode() if session.authenticated else None
        self.received.append(
            Received(
                mail_from=envelope.mail_from,
                rcpt_tos=tuple(envelope.rcpt_tos),
                data=bytes(envelope.original_content or envelope.content),
                tls=tls,
                login=login,
            )
        )
        return "250 Message accepted for delivery"


class _Controller(aiosmtpd_controller.Controller):  # type: ignore[misc,name-defined]
    """A threaded aiosmtpd controller that may listen on port 0 (a free port)."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@attrs.define
class Server:
    """A running SMTP server: where it listens and what it received."""

    host: str
    port: int
    recorder: Recorder

    @property
    def received(self) -> list[Received]:
        """The messages accepted so far."""
        return self.recorder.received


@contextmanager
def smtp_server(**kwargs: Any) -> Iterator[Server]:
    """Run an aiosmtpd server on 127.0.0.1 (a free port) for the ``with`` block."""
    recorder = Recorder()
    controller = _Controller(
        recorder, hostname="127.0.0.1", port=0, server_hostname="localhost", **kwargs
    )
    controller.start()
    try:
        yield Server("127.0.0.1", controller.port, recorder)
    finally:
        controller.stop()


def rfc2047_addresses(data: bytes, header: str) -> list[tuple[str, str]]:
    """``(display name, address)`` pairs of a raw header, decoded as RFC 2047 §6.2 says.

    Python's own parser (before gh-128110, fixed in 2026) keeps the folding space
    between two encoded-words of one display name; a conforming reader drops it.
    This decoder is independent of the code under test and of that parser.
    """
    import base64
    import re
    from email.utils import getaddresses

    head = data.split(b"\r\n\r\n", 1)[0].decode("ascii")  # headers are 7-bit
    value = ""
    for field in head.replace("\r\n ", " ").split("\r\n"):
        name, _, rest = field.partition(": ")
        if name.lower() == header.lower():
            value = rest

    def word(match: re.Match[str]) -> str:
        charset, encoding, text = match.groups()
        assert encoding.lower() == "b"
        return base64.b64decode(text).decode(charset)

    out = []
    for raw_name, spec in getaddresses([value]):
        joined = re.sub(r"\?=\s+=\?", "?==?", raw_name)  # §6.2: drop space between words
        out.append((re.sub(r"=\?([^?]+)\?([bBqQ])\?([^?]*)\?=", word, joined), spec))
    return out


@pytest.fixture
def server() -> Iterator[Server]:
    """A plain SMTP server (no TLS, no login)."""
    with smtp_server() as running:
        yield running


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts connections but never says a word."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield s.getsockname()[1]


# --- TLS ------------------------------------------------------------------------------


@attrs.frozen
class Certificate:
    """A self-signed certificate for 127.0.0.1 / localhost and its key (PEM files)."""

    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        """An SSL context for the server side."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


def _with_cryptography(folder: Path) -> Certificate | None:
    try:
        import datetime as dt
        import ipaddress

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        return None
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    paths = Certificate(folder / "cert.pem", folder / "key.pem")
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


def _with_openssl(folder: Path) -> Certificate | None:
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    paths = Certificate(folder / "cert.pem", folder / "key.pem")
    command = [
        openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-days", "2", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-keyout", str(paths.key), "-out", str(paths.cert),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, check=False, timeout=30)
    return paths if done.returncode == 0 else None


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A certificate made for this test session (cryptography, else the openssl CLI)."""
    folder = tmp_path_factory.mktemp("tls")
    made = _with_cryptography(folder) or _with_openssl(folder)
    if made is None:
        pytest.skip("TLS tests need the cryptography package or the openssl command")
    return made
