"""Delivery to real SMTP servers on 127.0.0.1: plain, STARTTLS, SSL, login, and failures."""

from __future__ import annotations

import time
from typing import Any

import pytest
from planflow.plan.model import Plan

from pfemail_support import Certificate, Server, channel, reminder, smtp_server
from planflow_email import EmailDeliveryError, EmailNotifier

aiosmtpd_smtp = pytest.importorskip("aiosmtpd.smtp")


def _deliver(plan: Plan, **run: Any) -> None:
    event = reminder(plan)
    units = [plan.unit(u) for u in event.units]
    EmailNotifier().deliver(event, plan=plan, units=units, settings=channel(plan, **run))


def _authenticator(user: str, password: str) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        ok = isinstance(data, aiosmtpd_smtp.LoginPassword) and (
            data.login.decode(),
            data.password.decode(),
        ) == (user, password)
        if ok:
            return aiosmtpd_smtp.AuthResult(success=True, auth_data=data)
        return aiosmtpd_smtp.AuthResult(success=False, handled=False)  # aiosmtpd answers 535

    return check


def test_plain_delivery(plan: Plan, server: Server) -> None:
    """One message, the envelope names lead and coordinators; headers and bodies decode."""
    _deliver(plan, host=server.host, port=server.port)
    (got,) = server.received
    assert got.mail_from == "ubnd@example.gov.vn"
    assert got.rcpt_tos == ("vhxh@example.gov.vn", "dai.truyenthanh@example.gov.vn")
    assert not got.tls and got.login is None
    head = got.data.split(b"\r\n\r\n", 1)[0]
    head.decode("ascii")  # RFC 5322 headers stay 7-bit: the Vietnamese is in encoded-words
    assert b"=?utf-8?" in head
    msg = got.message
    assert msg["Subject"] == (
        "[Nhắc việc] C.I.2.a · Thực hiện chuyên mục phát thanh về cải cách hành chính và…"
        " — hạn 14/03/2025"
    )
    assert msg["To"].addresses[0].display_name == "Phòng Văn hóa - Xã hội"
    assert msg["Cc"].addresses[0].display_name == "Đài truyền thanh xã"
    assert msg["Message-ID"] == f"<{reminder(plan).id}@demo-2025.planflow>"
    text = msg.get_body(("plain",))
    assert text is not None and text.get_content_charset() == "utf-8"
    assert "Đơn vị chủ trì:" in text.get_content()
    assert [p.get_content_type() for p in msg.iter_attachments()] == ["text/calendar"]


def test_starttls_with_cafile(plan: Plan, certificate: Certificate) -> None:
    """security: starttls verifies the server against ``cafile``; the mail goes over TLS."""
    context = certificate.server_context()
    with smtp_server(tls_context=context, require_starttls=True) as server:
        _deliver(
            plan, host=server.host, port=server.port, security="starttls",
            cafile=str(certificate.cert),
        )  # fmt: skip
        (got,) = server.received
    assert got.tls


def test_starttls_untrusted_certificate(plan: Plan, certificate: Certificate) -> None:
    """An unknown CA is a clear error pointing at ``email.cafile``; nothing is sent."""
    with smtp_server(tls_context=certificate.server_context()) as server:
        with pytest.raises(EmailDeliveryError) as info:
            _deliver(plan, host=server.host, port=server.port, security="starttls")
        assert server.received == []
    error = info.value
    assert error.stage == "starttls"
    assert f"{server.host}:{server.port}" in str(error)
    assert "certificate not trusted" in str(error) and "email.cafile" in str(error)


def test_starttls_verify_off(plan: Plan, certificate: Certificate) -> None:
    """``verify: false`` accepts a self-signed certificate (for tests)."""
    with smtp_server(tls_context=certificate.server_context()) as server:
        _deliver(plan, host=server.host, port=server.port, security="starttls", verify="false")
        (got,) = server.received
    assert got.tls


def test_ssl(plan: Plan, certificate: Certificate) -> None:
    """security: ssl speaks TLS from the first byte (SMTPS)."""
    with smtp_server(ssl_context=certificate.server_context()) as server:
        _deliver(
            plan, host=server.host, port=server.port, security="ssl",
            cafile=str(certificate.cert),
        )  # fmt: skip
        (got,) = server.received
    assert got.tls


def test_ssl_against_plain_server(plan: Plan, server: Server) -> None:
    """security: ssl against a plain SMTP port says to check that security matches the port."""
    with pytest.raises(EmailDeliveryError, match=r"email\.security matches the port"):
        _deliver(plan, host=server.host, port=server.port, security="ssl", timeout=5)


def test_login_over_starttls(
    plan: Plan, certificate: Certificate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """username + password (from password_env) log in after STARTTLS."""
    monkeypatch.setenv("PF_TEST_SMTP_PASSWORD", "Mật khẩu-ý")
    with smtp_server(
        tls_context=certificate.server_context(),
        require_starttls=True,
        auth_required=True,
        authenticator=_authenticator("nhacviec", "Mật khẩu-ý"),
    ) as server:
        _deliver(
            plan, host=server.host, port=server.port, security="starttls",
            cafile=str(certificate.cert), username="nhacviec",
            password_env="PF_TEST_SMTP_PASSWORD",
        )  # fmt: skip
        (got,) = server.received
    assert got.tls and got.login == "nhacviec"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_without_tls(plan: Plan) -> None:
    """A server that allows AUTH without TLS (auth_require_tls=False) takes the login."""
    with smtp_server(
        auth_required=True,
        auth_require_tls=False,
        authenticator=_authenticator("nhacviec", "secret"),
    ) as server:
        _deliver(plan, host=server.host, port=server.port, username="nhacviec", password="secret")
        (got,) = server.received
    assert got.login == "nhacviec"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_wrong_password(plan: Plan) -> None:
    """A refused login names the server and says to check username and password."""
    with smtp_server(
        auth_required=True,
        auth_require_tls=False,
        authenticator=_authenticator("nhacviec", "secret"),
    ) as server:
        with pytest.raises(EmailDeliveryError) as info:
            _deliver(plan, host=server.host, port=server.port, username="nhacviec", password="x")
        assert server.received == []
    assert info.value.stage == "login"
    message = str(info.value)
    assert message.startswith(f"login refused by SMTP server {server.host}:{server.port}")
    assert "email.username and email.password" in message
    assert "x" not in message.split("—")[0].split(":")[-1]  # the password is not shown


def test_login_needs_tls(plan: Plan, certificate: Certificate) -> None:
    """A server offering AUTH only over TLS: the error says to use starttls or ssl."""
    with (
        smtp_server(
            tls_context=certificate.server_context(),
            authenticator=_authenticator("nhacviec", "secret"),
        ) as server,
        pytest.raises(EmailDeliveryError, match=r"only over STARTTLS or SSL"),
    ):
        _deliver(plan, host=server.host, port=server.port, username="u", password="secret")


def test_server_down(plan: Plan, closed_port: int) -> None:
    """Nothing listening: an OSError naming host:port and what to check."""
    with pytest.raises(EmailDeliveryError) as info:
        _deliver(plan, host="127.0.0.1", port=closed_port)
    error = info.value
    assert isinstance(error, OSError)
    assert (error.host, error.port, error.stage) == ("127.0.0.1", closed_port, "connect")
    assert str(error) == (
        f"cannot connect to SMTP server 127.0.0.1:{closed_port} (security=none): "
        f"connection refused (nothing listens there) [event {reminder(plan).id}] — check that "
        "the SMTP server is running and listens on that host and port "
        "(settings email.host, email.port)"
    )
    assert isinstance(error.__cause__, ConnectionRefusedError)


def test_server_silent(plan: Plan, silent_port: int) -> None:
    """A server that never greets: a timeout after ``timeout`` seconds, not a hang."""
    started = time.monotonic()
    with pytest.raises(EmailDeliveryError, match=r"no answer within 0\.3 s") as info:
        _deliver(plan, host="127.0.0.1", port=silent_port, timeout=0.3)
    assert time.monotonic() - started < 5
    assert "raise email.timeout" in str(info.value)


def test_recipient_refused(plan: Plan) -> None:
    """A server that refuses a recipient: the error names the address."""

    class Picky:
        async def handle_RCPT(
            self, server: Any, session: Any, envelope: Any, address: str, options: Any
        ) -> str:
            if address.startswith("dai."):
                return "550 5.1.1 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            return "250 OK"

    from pfemail_support import _Controller

    controller = _Controller(Picky(), hostname="127.0.0.1", port=0, server_hostname="localhost")
    controller.start()
    try:
        with pytest.raises(EmailDeliveryError, match=r"recipients refused: dai\.truyenthanh@"):
            _deliver(plan, host="127.0.0.1", port=controller.port)
    finally:
        controller.stop()
