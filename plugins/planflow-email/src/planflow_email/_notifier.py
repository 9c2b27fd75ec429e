"""The ``email`` notifier: one message per event, handed to an SMTP server with smtplib."""

from __future__ import annotations

import base64
import smtplib
import socket
import ssl
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from email.headerregistry import Address
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from planflow.hooks.specs import Skipped

from ._errors import EmailDeliveryError, EmailSettingsError
from ._message import build_message
from ._settings import SETTINGS, EmailConfig, addresses

if TYPE_CHECKING:
    from planflow.hooks.specs import ChannelSettings, Setting
    from planflow.plan.model import Plan, Unit
    from planflow.run.events import Event

__all__ = ["EmailNotifier", "recipients"]


def recipients(
    event: Event,
    plan: Plan,
    units: Sequence[Unit],
    unit_settings: Mapping[str, Mapping[str, Any]],
) -> tuple[tuple[Address, ...], tuple[Address, ...]]:
    """``(to, cc)``: the lead unit's addresses, then the coordinators' (and every ``cc``).

    A unit's addresses are its ``to`` setting, else its ``contacts.email``; units
    with neither are left out. An address appears once (To wins over Cc). When the
    lead has no address, the coordinators move to To.
    """
    if not units:
        units = [plan.unit(u) for u in event.units if u in {x.id for x in plan.units}]
    to: list[Address] = []
    cc: list[Address] = []
    for unit in units:
        own = unit_settings.get(unit.id, {})
        where = f"units.{unit.id}"
        mine = addresses(own.get("to") or unit.email, f"{where}.to", display_name=unit.name)
        extra = addresses(own.get("cc"), f"{where}.cc")
        if unit.id == event.unit:
            to.extend(mine)
            cc.extend(extra)
        else:
            cc.extend(mine + extra)
    seen: set[str] = set()

    def unique(items: list[Address]) -> tuple[Address, ...]:
        out = []
        for item in items:
            key = item.addr_spec.lower()
            if key not in seen:
                seen.add(key)
                out.append(item)
        return tuple(out)

    first, second = unique(to), unique(cc)
    return (first, second) if first else (second, ())


class EmailNotifier:
    """Sends each event (of the configured ``kinds``) as an e-mail, in Vietnamese.

    The lead unit is in To, the coordinators in Cc; the message has plain-text and
    HTML parts and an ``.ics`` file with the occurrence's due date. ``deliver``
    raises :class:`~planflow_email.EmailSettingsError` for a bad setting and
    :class:`~planflow_email.EmailDeliveryError` when the server cannot be reached
    or refuses the message. An event of a kind not in ``kinds``, or that nobody it
    concerns has an address for, is skipped (:class:`planflow.Skipped`), so that
    planflow counts it as skipped, not delivered.
    """

    name = "email"
    description = "E-mail over SMTP (STARTTLS/SSL), Vietnamese text + HTML, .ics attached"

    def __init__(self) -> None:
        self.settings: Sequence[Setting] = SETTINGS

    def deliver(
        self, event: Event, *, plan: Plan, units: Sequence[Unit], settings: ChannelSettings
    ) -> Skipped | None:
        """Send ``event`` to ``units`` (the lead first, then the coordinators)."""
        config = EmailConfig.from_settings(settings.run)
        if event.kind.value not in config.kinds:
            return Skipped("kind not in email.kinds")
        to, cc = recipients(event, plan, units, settings.units)
        if not to:
            return Skipped("no recipient address")
        message = build_message(event, plan, sender=config.sender, to=to, cc=cc)
        envelope = tuple(a.addr_spec for a in (*to, *cc))
        self.send(message, config, event_id=event.id, recipients=envelope)
        return None

    def send(
        self,
        message: EmailMessage,
        config: EmailConfig,
        *,
        recipients: Sequence[str],
        event_id: str = "",
    ) -> None:
        """Hand ``message`` to the server for ``recipients`` (the envelope).

        Raise :class:`EmailDeliveryError` on failure.
        """
        rcpts = tuple(recipients)

        @contextmanager
        def stage(name: str) -> Iterator[None]:
            try:
                yield
            except (smtplib.SMTPException, OSError) as exc:
                raise _failure(config, name, exc, event_id, rcpts) from exc

        context = _tls_context(config) if config.security != "none" else None
        with stage("connect"):
            if config.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    config.host, config.port, timeout=config.timeout, context=context
                )
            else:
                smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        try:
            if config.security == "starttls":
                with stage("starttls"):
                    smtp.ehlo()
                    smtp.starttls(context=context)
                    smtp.ehlo()
            if config.username:
                with stage("login"):
                    _login(smtp, config.username, config.password or "")
            with stage("send"):
                refused = smtp.send_message(
                    message, from_addr=config.sender.addr_spec, to_addrs=list(rcpts)
                )
            if refused:
                addresses = ", ".join(sorted(refused))
                raise _error(
                    config, "send", f"recipients refused: {addresses}", _HINTS["rcpt"],
                    event_id, rcpts,
                )  # fmt: skip
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """``smtp.login``, except that non-ASCII credentials are sent as UTF-8 (RFC 4616).

    smtplib encodes the AUTH PLAIN/LOGIN strings as ASCII, so a password such as
    ``Mật khẩu`` would fail before reaching the server.
    """
    if (user + password).isascii():
        smtp.login(user, password)
        return
    smtp.ehlo_or_helo_if_needed()
    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
    offered = smtp.esmtp_features["auth"].upper().split()
    if "PLAIN" in offered:
        token = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode())
        code, reply = smtp.docmd("AUTH", "PLAIN " + token.decode("ascii"))
    elif "LOGIN" in offered:
        code, reply = smtp.docmd("AUTH", "LOGIN " + base64.b64encode(user.encode()).decode())
        if code == 334:
            code, reply = smtp.docmd(base64.b64encode(password.encode()).decode())
    else:
        raise smtplib.SMTPException(
            f"no AUTH mechanism for UTF-8 credentials (server offers {' '.join(offered)})"
        )
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, reply)


def _tls_context(config: EmailConfig) -> ssl.SSLContext:
    if not config.verify:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    try:
        return ssl.create_default_context(cafile=config.cafile)
    except (OSError, ssl.SSLError) as exc:
        raise EmailSettingsError(
            "cafile", f"cannot read {config.cafile!r}: {exc}", value=config.cafile
        ) from exc


_HINTS = {
    "port": "that the SMTP server is running and listens on that host and port "
    "(settings email.host, email.port)",
    "dns": "the host name (setting email.host) and the network's DNS",
    "timeout": "that the host and port are reachable (a firewall?) or raise email.timeout",
    "security": "that email.security matches the port (ssl for 465, starttls for 587/25)",
    "cert": "the server's certificate: trust its CA with email.cafile "
    "(verify: false only for tests)",
    "login": "email.username and email.password (or email.password_env)",
    "auth_tls": "email.security: the server offers login only over STARTTLS or SSL",
    "sender": "email.from: the server must accept that sender for this login",
    "rcpt": "the units' addresses (contacts.email or channels.email.to / cc)",
    "server": "the server's log; the message may be too large or its content refused",
}


def _error(
    config: EmailConfig,
    stage: str,
    reason: str,
    hint: str,
    event_id: str,
    rcpts: tuple[str, ...],
) -> EmailDeliveryError:
    return EmailDeliveryError(
        host=config.host,
        port=config.port,
        security=config.security,
        stage=stage,
        reason=reason,
        hint=hint,
        event_id=event_id,
        recipients=rcpts,
    )


def _smtp_reply(exc: smtplib.SMTPResponseException) -> str:
    error: bytes | str = exc.smtp_error
    text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
    return f"{exc.smtp_code} {text}".strip()


def _failure(
    config: EmailConfig, stage: str, exc: BaseException, event_id: str, rcpts: tuple[str, ...]
) -> EmailDeliveryError:
    """Turn what smtplib/ssl/socket raised into an error that says what to check."""
    reason, hint = str(exc) or type(exc).__name__, _HINTS["server"]
    if isinstance(exc, ConnectionRefusedError):
        reason, hint = "connection refused (nothing listens there)", _HINTS["port"]
    elif isinstance(exc, socket.gaierror):
        reason, hint = f"host name not found ({exc.strerror})", _HINTS["dns"]
    elif isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        # smtplib reports a read timeout as SMTPServerDisconnected("… timed out")
        reason, hint = f"no answer within {config.timeout:g} s", _HINTS["timeout"]
    elif isinstance(exc, ssl.SSLCertVerificationError):
        reason, hint = f"certificate not trusted: {exc.verify_message}", _HINTS["cert"]
    elif isinstance(exc, ssl.SSLError):
        reason, hint = f"TLS failed: {exc.reason or exc}", _HINTS["security"]
    elif isinstance(exc, smtplib.SMTPServerDisconnected):
        reason, hint = f"the server closed the connection ({exc})", _HINTS["security"]
    elif isinstance(exc, smtplib.SMTPNotSupportedError):
        reason = str(exc)
        hint = _HINTS["auth_tls"] if stage == "login" else _HINTS["security"]
    elif isinstance(exc, smtplib.SMTPAuthenticationError):
        reason, hint = f"authentication failed: {_smtp_reply(exc)}", _HINTS["login"]
    elif isinstance(exc, smtplib.SMTPSenderRefused):
        reason, hint = f"sender {exc.sender} refused: {_smtp_reply(exc)}", _HINTS["sender"]
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(sorted(exc.recipients))
        reason, hint = f"every recipient refused: {refused}", _HINTS["rcpt"]
    elif isinstance(exc, smtplib.SMTPResponseException):
        reason = _smtp_reply(exc)
    elif isinstance(exc, OSError) and stage == "connect":
        reason, hint = exc.strerror or str(exc), _HINTS["port"]
    return _error(config, stage, reason, hint, event_id, rcpts)
