"""Errors of the e-mail notifier.

::

    ValueError
     └── EmailSettingsError      a setting is missing or wrong (before any connection)
    OSError
     └── EmailDeliveryError      the SMTP server could not be reached or refused the message
"""

from __future__ import annotations

__all__ = ["EmailDeliveryError", "EmailSettingsError"]


class EmailSettingsError(ValueError):
    """A setting of the ``email`` channel is missing or has a wrong value.

    :param setting: the setting's name (``host``, ``security`` …).
    :param value: the value given (``None`` when missing); secrets are never kept.
    :param hint: what to do about it.
    """

    def __init__(self, setting: str, problem: str, *, value: object = None, hint: str = "") -> None:
        self.setting = setting
        self.problem = problem
        self.value = value
        self.hint = hint
        message = f"email.{setting}: {problem}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)

    __module__ = "planflow_email"


class EmailDeliveryError(OSError):
    """An e-mail could not be handed to the SMTP server.

    The message names the server (``host:port`` and the security used), what went
    wrong and what to check. The original exception is chained (``__cause__``).

    :param host: the SMTP host.
    :param port: the SMTP port.
    :param security: ``none``, ``starttls`` or ``ssl``.
    :param stage: ``connect``, ``starttls``, ``login`` or ``send``.
    :param reason: what went wrong, in words.
    :param hint: what to check.
    :param event_id: the id of the event that was being delivered.
    :param recipients: the addresses the message was for.
    """

    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: str,
        stage: str,
        reason: str,
        hint: str,
        event_id: str = "",
        recipients: tuple[str, ...] = (),
    ) -> None:
        self.host = host
        self.port = port
        self.security = security
        self.stage = stage
        self.reason = reason
        self.hint = hint
        self.event_id = event_id
        self.recipients = recipients
        what = {
            "connect": "cannot connect to",
            "starttls": "STARTTLS failed with",
            "login": "login refused by",
            "send": "message refused by",
        }.get(stage, "error with")
        message = f"{what} SMTP server {host}:{port} (security={security}): {reason}"
        if event_id:
            message += f" [event {event_id}]"
        message += f" — check {hint}"
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])

    __module__ = "planflow_email"
