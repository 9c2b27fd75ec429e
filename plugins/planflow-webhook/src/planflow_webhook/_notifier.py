"""The ``webhook`` notifier: each event POSTed as signed JSON, with retries and backoff."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import socket
import ssl
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from planflow.hooks.specs import Skipped

from ._config import SETTINGS, WebhookConfig, check_url, redact
from ._errors import Attempt, WebhookDeliveryError, WebhookSettingsError

if TYPE_CHECKING:
    from planflow.hooks.specs import ChannelSettings, Setting
    from planflow.plan.model import Plan, Unit
    from planflow.run.events import Event

__all__ = ["USER_AGENT", "WebhookNotifier", "payload", "sign"]

USER_AGENT = "planflow-webhook/0.1.0"


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: the HMAC-SHA256 of the exact body bytes, keyed with ``secret``."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def payload(event: Event, plan: Plan, units: Sequence[Unit]) -> bytes:
    """The request body: ``event.to_dict()`` plus names, as compact UTF-8 JSON.

    Added keys: ``units`` (id, name, name_en and role of every unit concerned),
    ``plan_title``, and for occurrence events ``task_ref`` and ``task_title``.
    """
    data: dict[str, Any] = event.to_dict()
    data["plan_title"] = plan.title
    if event.plan_task is not None:
        try:
            task = plan.task(event.plan_task)
        except KeyError:
            pass
        else:
            data["task_ref"] = task.ref or task.id
            data["task_title"] = task.title
    data["units"] = [
        {
            "id": unit.id,
            "name": unit.name,
            "name_en": unit.name_en,
            "role": "lead" if unit.id == event.unit else "coordinator",
        }
        for unit in units
    ]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Never follow a redirect: a POST must not turn into a GET somewhere else."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class WebhookNotifier:
    """POSTs each event (of the configured ``kinds``) as JSON to the configured URLs.

    The run's ``url`` gets every event; a unit's ``url`` gets the events that
    concern that unit. Connection errors, timeouts, 5xx and 429 answers are retried
    ``retries`` times with exponential backoff; other answers are final. When a URL
    still fails, :class:`~planflow_webhook.WebhookDeliveryError` is raised after
    every URL has been tried. Events of other kinds, and events no URL is
    configured for, are skipped (:class:`planflow.Skipped`).

    Each failed attempt is told to ``progress`` (stderr by default) with the next
    wait. After ``give_up_after`` events in a row failed on a URL with every retry
    spent, the URL is not tried again by this notifier (that is, for the rest of
    the run): its events fail at once, so an unreachable receiver costs at most
    ``give_up_after × WebhookConfig.longest_wait()`` seconds per run.

    :param sleep: how to wait between attempts (tests may pass a recorder).
    :param progress: where progress lines go (default: stderr).
    """

    name = "webhook"
    description = "POST each event as JSON (HMAC-signed) to webhook URLs, with retries"

    def __init__(
        self,
        *,
        sleep: Callable[[float], None] = time.sleep,
        progress: Callable[[str], None] = _stderr,
    ) -> None:
        self.settings: Sequence[Setting] = SETTINGS
        self._sleep = sleep
        self._progress = progress
        self._failed_in_a_row: dict[str, int] = {}
        self._given_up: dict[str, str] = {}

    def deliver(
        self, event: Event, *, plan: Plan, units: Sequence[Unit], settings: ChannelSettings
    ) -> Skipped | None:
        """Post ``event`` to the run's URL and to the URLs of ``units``."""
        config = WebhookConfig.from_settings(settings.run)
        if event.kind.value not in config.kinds:
            return Skipped("kind not in webhook.kinds")
        targets = _targets(config, units, settings.units)
        if not targets:
            if config.url is None and not any(s.get("url") for s in settings.units.values()):
                raise WebhookSettingsError(
                    "url", "missing", hint="set webhook.url, or url under a unit's channels.webhook"
                )
            return Skipped("no URL for these units")
        body = payload(event, plan, units)
        failures: list[tuple[str, list[Attempt]]] = []
        for url, secret in targets:
            shown = redact(url)
            if shown in self._given_up:
                reason = f"not tried: gave up on this URL ({self._given_up[shown]})"
                failures.append((shown, [Attempt(shown, 0, None, reason, False)]))
                continue
            ok, attempts = self.post(url, body, event=event, secret=secret, config=config)
            if ok:
                self._failed_in_a_row.pop(shown, None)
                continue
            failures.append((shown, attempts))
            if attempts[-1].retryable:  # every retry spent: the receiver is down
                self._note_down(shown, attempts[-1].reason, config)
        if failures:
            raise WebhookDeliveryError(event.id, failures)
        return None

    def _note_down(self, url: str, reason: str, config: WebhookConfig) -> None:
        n = self._failed_in_a_row[url] = self._failed_in_a_row.get(url, 0) + 1
        if config.give_up_after and n >= config.give_up_after:
            self._given_up[url] = f"{n} event{'s' if n != 1 else ''} in a row failed: {reason}"
            self._progress(
                f"planflow-webhook: giving up on {url} for this run after {n} failed "
                f"event{'s' if n != 1 else ''} ({reason}); its other events fail at once — "
                "planflow resend delivers them later"
            )

    def post(
        self,
        url: str,
        body: bytes,
        *,
        event: Event,
        secret: str | None,
        config: WebhookConfig,
    ) -> tuple[bool, list[Attempt]]:
        """POST ``body`` to ``url``, retrying; return whether it succeeded and every attempt."""
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Planflow-Event": event.kind.value,
            "X-Planflow-Delivery": event.id,
        }
        if secret:
            headers["X-Planflow-Signature"] = sign(secret, body)
        opener = _opener(config)
        attempts: list[Attempt] = []
        for number in range(1, config.retries + 2):
            request = urllib.request.Request(
                url,
                data=body,
                method="POST",
                headers={**headers, "X-Planflow-Attempt": str(number)},
            )
            retry_after: str | None = None
            try:
                with opener.open(request, timeout=config.timeout) as response:
                    response.read()
                    status = int(response.status)
                attempts.append(Attempt(redact(url), number, status, f"HTTP {status}", False))
                return True, attempts
            except urllib.error.HTTPError as exc:
                status = exc.code
                retry_after = exc.headers.get("Retry-After") if exc.headers else None
                exc.close()
                retryable = status >= 500 or status == 429
                attempt = Attempt(
                    redact(url), number, status, f"HTTP {status} {exc.reason}".strip(), retryable
                )
            except (OSError, http.client.HTTPException) as exc:
                attempt = Attempt(redact(url), number, None, *_reason(exc, url, config))
            attempts.append(attempt)
            if not attempt.retryable or number > config.retries:
                break
            wait = _wait(config, number, retry_after)
            self._progress(
                f"planflow-webhook: POST {redact(url)} attempt {number} of "
                f"{config.retries + 1} failed ({attempt.reason}); next try in {wait:g} s"
            )
            self._sleep(wait)
        return False, attempts


def _targets(
    config: WebhookConfig, units: Sequence[Unit], unit_settings: Mapping[str, Mapping[str, Any]]
) -> list[tuple[str, str | None]]:
    """``(url, secret)`` of the run's URL and of each concerned unit's URL, each URL once."""
    out: dict[str, str | None] = {}
    if config.url:
        out[config.url] = config.secret
    for unit in units:
        own = unit_settings.get(unit.id, {})
        if own.get("url"):
            url = check_url(own["url"], f"units.{unit.id}.url")
            out.setdefault(url, str(own["secret"]) if own.get("secret") else config.secret)
    return list(out.items())


def _opener(config: WebhookConfig) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
    if config.cafile:
        try:
            context = ssl.create_default_context(cafile=config.cafile)
        except (OSError, ssl.SSLError) as exc:
            raise WebhookSettingsError("cafile", f"cannot read {config.cafile!r}: {exc}") from exc
        handlers.append(urllib.request.HTTPSHandler(context=context))
    return urllib.request.build_opener(*handlers)


def _wait(config: WebhookConfig, number: int, retry_after: str | None) -> float:
    """The backoff before the next try; a numeric Retry-After may lengthen it (up to the cap)."""
    wait = config.delay(number)
    if retry_after and retry_after.strip().isdigit():
        wait = min(max(wait, float(retry_after)), config.backoff_max)
    return wait


def _reason(exc: BaseException, url: str, config: WebhookConfig) -> tuple[str, bool]:
    """``(reason, retryable)`` for an exception raised by a request."""
    cause: BaseException = exc
    if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, BaseException):
        cause = exc.reason
    where = redact(url).split("://", 1)[-1].split("/", 1)[0]
    if isinstance(cause, TimeoutError):
        return f"no answer within {config.timeout:g} s (timeout)", True
    if isinstance(cause, ConnectionRefusedError):
        return f"connection refused by {where} (nothing listens there)", True
    if isinstance(cause, socket.gaierror):
        return f"host name not found: {where}", True
    if isinstance(cause, ssl.SSLCertVerificationError):
        return f"certificate of {where} not trusted: {cause.verify_message}", False
    if isinstance(cause, ssl.SSLError):
        return f"TLS with {where} failed: {cause.reason or cause}", True
    if isinstance(cause, http.client.RemoteDisconnected | ConnectionError):
        return f"connection to {where} closed without an answer", True
    return f"{type(cause).__name__}: {cause}", True
