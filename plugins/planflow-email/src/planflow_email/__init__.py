"""planflow-email: a planflow notifier that sends each event as an e-mail over SMTP.

Install it next to planflow (``pip install ./plugins/planflow-email``); planflow
finds it through the ``planflow`` entry-point group, and ``--notify email`` turns
it on. The messages are in Vietnamese, with plain-text and HTML parts and an
``.ics`` attachment for the occurrence; see README.md for the settings.
"""

from __future__ import annotations

from planflow.hooks.specs import Notifier, hookimpl

from ._errors import EmailDeliveryError, EmailSettingsError
from ._message import build_message, subject
from ._notifier import EmailNotifier, recipients
from ._settings import SETTINGS, EmailConfig

__all__ = [
    "SETTINGS",
    "EmailConfig",
    "EmailDeliveryError",
    "EmailNotifier",
    "EmailSettingsError",
    "build_message",
    "planflow_notifiers",
    "recipients",
    "subject",
]

__version__ = "0.1.0"


@hookimpl
def planflow_notifiers() -> list[Notifier]:
    """The ``email`` notifier."""
    return [EmailNotifier()]
