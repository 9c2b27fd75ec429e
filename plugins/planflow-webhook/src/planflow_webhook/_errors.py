"""Errors of the webhook notifier.

::

    ValueError
     └── WebhookSettingsError    a setting is missing or wrong (before any request)
    OSError
     └── WebhookDeliveryError    a receiver could not be reached or did not accept the event
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

__all__ = ["Attempt", "WebhookDeliveryError", "WebhookSettingsError"]


class WebhookSettingsError(ValueError):
    """A setting of the ``webhook`` channel is missing or has a wrong value.

    :param setting: the setting's name (``url``, ``timeout`` …), prefixed with
        ``units.<id>.`` for a unit's setting.
    :param value: the value given (secrets are never kept).
    """

    def __init__(self, setting: str, problem: str, *, value: object = None, hint: str = "") -> None:
        self.setting = setting
        self.problem = problem
        self.value = value
        self.hint = hint
        message = f"webhook.{setting}: {problem}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)

    __module__ = "planflow_webhook"


@attrs.frozen
class Attempt:
    """One POST of one event to one URL, and how it ended."""

    url: str
    number: int
    status: int | None
    reason: str
    retryable: bool


class WebhookDeliveryError(OSError):
    """An event could not be delivered to one or more URLs, after the retries.

    The message names each failing URL (``scheme://host:port/path``; query strings
    and credentials are left out), the number of attempts, the last reason and what
    to check. :attr:`attempts` holds every attempt in order.
    """

    def __init__(self, event_id: str, failures: Sequence[tuple[str, Sequence[Attempt]]]) -> None:
        self.event_id = event_id
        self.failures = tuple((url, tuple(attempts)) for url, attempts in failures)
        self.attempts = tuple(a for _, attempts in self.failures for a in attempts)
        parts = [_describe(url, attempts) for url, attempts in self.failures]
        super().__init__(f"webhook delivery of event {event_id} failed: " + "; ".join(parts))

    def __str__(self) -> str:
        return str(self.args[0])

    __module__ = "planflow_webhook"


def _describe(url: str, attempts: Sequence[Attempt]) -> str:
    last = attempts[-1]
    if last.number == 0:  # the notifier had given up on this URL
        return f"POST {url} {last.reason} — planflow resend delivers it once the receiver is back"
    times = f"{len(attempts)} attempt" + ("s" if len(attempts) != 1 else "")
    if last.status is not None and not last.retryable:
        hint = (
            "the receiver refused the event: check its URL path and the webhook.secret it expects"
        )
        return f"POST {url} answered {last.reason} ({times}, not retried) — check {hint}"
    if "refused" in last.reason or "not found" in last.reason:
        hint = "that the receiver is running and listens there (setting webhook.url)"
    elif "no answer" in last.reason:
        hint = "that the receiver answers in time, or raise webhook.timeout"
    elif last.status is not None:
        hint = "the receiver's log; it keeps failing (raise webhook.retries to wait longer)"
    else:
        hint = "the network between here and the receiver (setting webhook.url)"
    return f"POST {url} failed after {times}: {last.reason} — check {hint}"
