"""The ``webhook`` channel's settings: what the plan file may say, and their checked form."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import attrs
from planflow.hooks.specs import Setting

from ._errors import WebhookSettingsError

__all__ = ["ALL_KINDS", "SETTINGS", "WebhookConfig", "check_url", "redact"]

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
)

SETTINGS: tuple[Setting, ...] = (
    Setting("url", str, scope="run", help="POST every event here (http or https)"),
    Setting(
        "secret",
        str,
        scope="run",
        secret=True,
        help="HMAC-SHA256 key: X-Planflow-Signature: sha256=<hex of the body's HMAC>",
    ),
    Setting("timeout", float, default=5.0, scope="run", help="seconds to wait for an answer"),
    Setting("retries", int, default=3, scope="run", help="retries after a failed attempt"),
    Setting(
        "backoff",
        float,
        default=0.5,
        scope="run",
        help="seconds before the first retry, doubled each time (capped by backoff_max)",
    ),
    Setting("backoff_max", float, default=30.0, scope="run", help="longest wait between tries"),
    Setting("kinds", list, scope="run", help="event kinds to post (default: all)"),
    Setting(
        "give_up_after",
        int,
        default=1,
        scope="run",
        help="after this many events in a row failed on a URL (every retry spent), stop "
        "trying it for the rest of the run: its events fail at once (0: never give up)",
    ),
    Setting("cafile", str, scope="run", help="trust this CA bundle (PEM) for https URLs"),
    Setting("url", str, scope="unit", help="also POST the events that concern this unit here"),
    Setting("secret", str, scope="unit", secret=True, help="HMAC key for this unit's url"),
)


def redact(url: str) -> str:
    """``scheme://host:port/path``: no credentials, query or fragment (they may be secret)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def check_url(value: Any, setting: str) -> str:
    """An http(s) URL with a host, else :class:`WebhookSettingsError`."""
    url = str(value).strip()
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError as exc:
        raise WebhookSettingsError(setting, f"not a URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookSettingsError(
            setting,
            f"expected an http:// or https:// URL, got {redact(url)!r}",
            hint="e.g. https://hooks.example.vn/planflow",
        )
    return url


def _number(run: Mapping[str, Any], key: str, kind: type[int] | type[float], default: Any) -> Any:
    value = run.get(key)
    if value is None or value == "":
        return default
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise WebhookSettingsError(key, f"expected a number, got {value!r}", value=value) from None
    if number < 0 or (number == 0 and key == "timeout"):
        raise WebhookSettingsError(key, f"must be positive, got {value!r}", value=value)
    return number


def split_list(value: Any, setting: str) -> tuple[str, ...]:
    """A list setting given as a list or as comma separated text."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(x.strip() for x in re.split(r"[,;\s]+", value) if x.strip())
    if isinstance(value, Sequence):
        return tuple(str(x).strip() for x in value if str(x).strip())
    raise WebhookSettingsError(setting, f"expected a list, got {type(value).__name__}")


@attrs.frozen
class WebhookConfig:
    """The run-level settings, checked, with defaults applied."""

    url: str | None = None
    secret: str | None = attrs.field(default=None, repr=False)
    timeout: float = 5.0
    retries: int = 3
    backoff: float = 0.5
    backoff_max: float = 30.0
    kinds: frozenset[str] = frozenset(ALL_KINDS)
    cafile: str | None = None
    give_up_after: int = 1

    @classmethod
    def from_settings(cls, run: Mapping[str, Any]) -> WebhookConfig:
        """Check the run-level settings; raise :class:`WebhookSettingsError` if one is wrong."""
        url = run.get("url")
        kinds = frozenset(k.lower() for k in split_list(run.get("kinds"), "kinds"))
        unknown = sorted(kinds - set(ALL_KINDS))
        if unknown:
            raise WebhookSettingsError(
                "kinds", f"unknown event kind {unknown[0]!r}", hint=f"use {', '.join(ALL_KINDS)}"
            )
        secret = run.get("secret")
        return cls(
            url=check_url(url, "url") if url else None,
            secret=str(secret) if secret else None,
            timeout=_number(run, "timeout", float, 5.0),
            retries=_number(run, "retries", int, 3),
            backoff=_number(run, "backoff", float, 0.5),
            backoff_max=_number(run, "backoff_max", float, 30.0),
            kinds=kinds or frozenset(ALL_KINDS),
            cafile=str(run["cafile"]) if run.get("cafile") else None,
            give_up_after=_number(run, "give_up_after", int, 1),
        )

    def longest_wait(self) -> float:
        """The longest one event can take on one URL: every attempt timing out, plus the
        backoffs between them (``Retry-After`` is capped by ``backoff_max`` too)."""
        waits = sum(self.delay(n) for n in range(1, self.retries + 1))
        return (self.retries + 1) * self.timeout + waits

    def delay(self, retry: int) -> float:
        """Seconds before retry number ``retry`` (1-based): ``backoff × 2^(retry-1)``, capped."""
        return float(min(self.backoff * 2 ** (retry - 1), self.backoff_max))
