"""planflow-webhook: a planflow notifier that POSTs each event as signed JSON.

Install it next to planflow (``pip install ./plugins/planflow-webhook``); planflow
finds it through the ``planflow`` entry-point group, and ``--notify webhook`` turns
it on. Only the standard library is used (``urllib.request``); see README.md for
the settings, the body and the headers.
"""

from __future__ import annotations

from planflow.hooks.specs import Notifier, hookimpl

from ._config import SETTINGS, WebhookConfig
from ._errors import Attempt, WebhookDeliveryError, WebhookSettingsError
from ._notifier import USER_AGENT, WebhookNotifier, payload, sign

__all__ = [
    "SETTINGS",
    "USER_AGENT",
    "Attempt",
    "WebhookConfig",
    "WebhookDeliveryError",
    "WebhookNotifier",
    "WebhookSettingsError",
    "payload",
    "planflow_notifiers",
    "sign",
]

__version__ = "0.1.0"


@hookimpl
def planflow_notifiers() -> list[Notifier]:
    """The ``webhook`` notifier."""
    return [WebhookNotifier()]
