"""The ``email`` channel's settings: what the plan file may say, and their checked form."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from email.headerregistry import Address
from email.utils import getaddresses
from typing import Any

import attrs
from planflow.hooks.specs import Setting

from ._errors import EmailSettingsError

__all__ = ["DEFAULT_KINDS", "SECURITY", "SETTINGS", "EmailConfig", "addresses", "split_list"]

SECURITY = ("none", "starttls", "ssl")
DEFAULT_KINDS = ("reminder", "due", "overdue", "late", "missed", "digest")
ALL_KINDS = (
    "opened",
    "reminder",
    "unblocked",
    "due",
    "completed",
    "late",
    "overdue",
    "missed",
    "period_closed",
    "digest",
)

SETTINGS: tuple[Setting, ...] = (
    Setting("host", str, required=True, scope="run", help="SMTP server host name"),
    Setting("port", int, scope="run", help="SMTP port (default 25, or 465 with security: ssl)"),
    Setting(
        "security",
        str,
        default="none",
        scope="run",
        help="none, starttls (upgrade a plain connection) or ssl (TLS from the start)",
    ),
    Setting("username", str, scope="run", help="log in with this user name (AUTH)"),
    Setting(
        "password",
        str,
        scope="run",
        secret=True,
        help="password for username; write ${ENV_VAR} to read it from the environment",
    ),
    Setting(
        "password_env",
        str,
        scope="run",
        help="name of an environment variable holding the password",
    ),
    Setting(
        "from", str, required=True, scope="run", help="sender address, e.g. 'UBND xã <ubnd@…>'"
    ),
    Setting(
        "kinds",
        list,
        default=list(DEFAULT_KINDS),
        scope="run",
        help="event kinds to send (list or comma text)",
    ),
    Setting("timeout", float, default=30.0, scope="run", help="seconds to wait for the server"),
    Setting("cafile", str, scope="run", help="trust this CA bundle (PEM) for STARTTLS/SSL"),
    Setting(
        "verify",
        bool,
        default=True,
        scope="run",
        help="verify the server's TLS certificate (turn off only for tests)",
    ),
    Setting("to", list, scope="unit", help="this unit's addresses (default: its contacts.email)"),
    Setting("cc", list, scope="unit", help="more addresses to copy whenever this unit is mailed"),
)

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_TRUE = {"1", "true", "yes", "on", "có"}
_FALSE = {"0", "false", "no", "off", "không"}


def split_list(value: Any, setting: str) -> tuple[str, ...]:
    """A list setting given as a list or as comma (or semicolon) separated text."""
    if value is None:
        return ()
    if isinstance(value, str):
        items: Iterable[Any] = re.split(r"[,;\n]", value)
    elif isinstance(value, Sequence):
        items = value
    else:
        raise EmailSettingsError(
            setting, f"expected a list or comma text, got {type(value).__name__}", value=value
        )
    return tuple(str(item).strip() for item in items if str(item).strip())


def addresses(value: Any, setting: str, display_name: str = "") -> tuple[Address, ...]:
    """Parse addresses (``a@x``, ``Tên <a@x>``); bare ones get ``display_name``."""
    out: list[Address] = []
    for item in split_list(value, setting):
        pairs = getaddresses([item])
        name, spec = pairs[0] if len(pairs) == 1 else ("", "")
        if "@" not in spec or " " in spec:
            raise EmailSettingsError(
                setting, f"{item!r} is not an e-mail address", value=item, hint="write name@domain"
            )
        user, domain = spec.rsplit("@", 1)
        out.append(Address(display_name=name or display_name, username=user, domain=domain))
    return tuple(out)


def _text(run: Mapping[str, Any], key: str, default: str | None = None) -> str | None:
    value = run.get(key)
    if value is None or value == "":
        return default
    return str(value).strip()


def _number(run: Mapping[str, Any], key: str, kind: type[int] | type[float], default: Any) -> Any:
    value = run.get(key)
    if value is None or value == "":
        return default
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise EmailSettingsError(key, f"expected a number, got {value!r}", value=value) from None
    if number <= 0:
        raise EmailSettingsError(key, f"must be positive, got {value!r}", value=value)
    return number


def _bool(run: Mapping[str, Any], key: str, default: bool) -> bool:
    value = run.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise EmailSettingsError(key, f"expected true or false, got {value!r}", value=value)


def expand_env(text: str, setting: str) -> str:
    """Replace ``${NAME}`` by the environment variable ``NAME`` (an error if unset)."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise EmailSettingsError(
                setting, f"environment variable {name} is not set", hint=f"export {name}=…"
            )
        return os.environ[name]

    return _ENV.sub(one, text)


@attrs.frozen
class EmailConfig:
    """The run-level settings, checked, with defaults applied."""

    host: str
    port: int
    security: str
    sender: Address
    username: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    kinds: frozenset[str] = frozenset(DEFAULT_KINDS)
    timeout: float = 30.0
    cafile: str | None = None
    verify: bool = True

    @classmethod
    def from_settings(cls, run: Mapping[str, Any]) -> EmailConfig:
        """Check the run-level settings; raise :class:`EmailSettingsError` on the first problem."""
        host = _text(run, "host")
        if not host:
            raise EmailSettingsError(
                "host",
                "missing",
                hint="e.g. --set email.host=smtp.example.vn",
            )
        security = (_text(run, "security", "none") or "none").lower()
        if security not in SECURITY:
            raise EmailSettingsError(
                "security",
                f"must be one of {', '.join(SECURITY)}, got {security!r}",
                value=security,
            )
        port = _number(run, "port", int, 465 if security == "ssl" else 25)
        if port > 65535:
            raise EmailSettingsError("port", f"must be at most 65535, got {port}", value=port)
        senders = addresses(run.get("from"), "from")
        if len(senders) != 1:
            raise EmailSettingsError(
                "from",
                "missing" if not senders else "give exactly one sender address",
                value=run.get("from"),
                hint="e.g. 'UBND xã Bờ Y <ubnd@example.gov.vn>'",
            )
        password = _text(run, "password")
        if password is not None:
            password = expand_env(password, "password")
        env_name = _text(run, "password_env")
        if password is None and env_name:
            if env_name not in os.environ:
                raise EmailSettingsError(
                    "password_env",
                    f"environment variable {env_name} is not set",
                    value=env_name,
                    hint=f"export {env_name}=… before the run",
                )
            password = os.environ[env_name]
        username = _text(run, "username")
        if password and not username:
            raise EmailSettingsError("username", "missing (a password is given)")
        kinds = frozenset(k.lower() for k in split_list(run.get("kinds"), "kinds")) or frozenset(
            DEFAULT_KINDS
        )
        unknown = sorted(kinds - set(ALL_KINDS))
        if unknown:
            raise EmailSettingsError(
                "kinds",
                f"unknown event kind {unknown[0]!r}",
                value=unknown[0],
                hint=f"use some of {', '.join(ALL_KINDS)}",
            )
        return cls(
            host=host,
            port=port,
            security=security,
            sender=senders[0],
            username=username,
            password=password,
            kinds=kinds,
            timeout=_number(run, "timeout", float, 30.0),
            cafile=_text(run, "cafile"),
            verify=_bool(run, "verify", True),
        )
