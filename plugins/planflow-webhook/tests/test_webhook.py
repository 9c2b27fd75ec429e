"""Delivery to a real HTTP receiver on 127.0.0.1: retries, signatures, timeouts, failures."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import attrs
import pytest
from planflow.hooks.specs import ChannelSettings, Notifier
from planflow.plan.model import Plan
from planflow.run.events import Event
from planflow.run.simulation import simulate

from pfwebhook_support import receiver
from planflow_webhook import (
    WebhookConfig,
    WebhookDeliveryError,
    WebhookNotifier,
    WebhookSettingsError,
    planflow_notifiers,
)

SECRET = "bí-mật-🔑"


def _event(plan: Plan, kind: str = "reminder", task: str = "radio-programme") -> Event:
    for event in simulate(plan, until=date(2025, 3, 31)).events:
        if event.kind.value == kind and event.task == task:
            return event
    raise LookupError(kind)


def _deliver(
    plan: Plan,
    event: Event,
    *,
    units: dict[str, dict[str, Any]] | None = None,
    sleeps: list[float] | None = None,
    **run: Any,
) -> None:
    notifier = WebhookNotifier(sleep=(sleeps.append if sleeps is not None else time.sleep))
    notifier.deliver(
        event,
        plan=plan,
        units=[plan.unit(u) for u in event.units],
        settings=ChannelSettings(run=run, units=units or {}),
    )


def _verify(secret: str, body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


def test_fails_twice_then_delivers(plan: Plan) -> None:
    """503, 503, then 200: three attempts, exponential backoff, signed UTF-8 JSON."""
    event = _event(plan)
    sleeps: list[float] = []
    with receiver(fail_first=2) as hook:
        _deliver(plan, event, url=hook.url, secret=SECRET, backoff=0.01, sleeps=sleeps)
    assert len(hook.requests) == 3
    assert sleeps == [0.01, 0.02]
    assert [r.headers["X-Planflow-Attempt"] for r in hook.requests] == ["1", "2", "3"]
    got = hook.requests[-1]
    assert got.path == "/hooks/planflow"
    assert got.headers["Content-Type"] == "application/json; charset=utf-8"
    assert got.headers["X-Planflow-Event"] == "reminder"
    assert got.headers["X-Planflow-Delivery"] == event.id
    # every attempt carries the same idempotency key: the engine's stable event id
    assert {r.headers["Idempotency-Key"] for r in hook.requests} == {event.id}
    assert _verify(SECRET, got.body, got.headers["X-Planflow-Signature"])
    assert not _verify("wrong", got.body, got.headers["X-Planflow-Signature"])
    assert "Phòng Văn hóa".encode() in got.body  # ensure_ascii=False: no \\u escapes
    data = json.loads(got.body.decode("utf-8"))
    assert {k: data[k] for k in event.to_dict()} == event.to_dict()
    assert data["plan"] == "demo-2025"
    assert data["task_ref"] == "C.I.2.a"
    assert data["task_title"] == (
        "Thực hiện chuyên mục phát thanh “Chuyển đổi số” trên sóng Đài truyền thanh xã"
    )
    assert data["units"] == [
        {"id": "vhxh", "name": "Phòng Văn hóa - Xã hội", "name_en": "", "role": "lead"},
        {"id": "radio", "name": "Đài truyền thanh xã", "name_en": "", "role": "coordinator"},
    ]
    assert len({r.body for r in hook.requests}) == 1  # every retry sends the same bytes


def test_gives_up_after_retries(plan: Plan) -> None:
    """A receiver that keeps failing: retries + 1 attempts, then a clear error."""
    with receiver(fail_first=100) as hook, pytest.raises(WebhookDeliveryError) as info:
        _deliver(plan, _event(plan), url=hook.url, retries=2, backoff=0.001)
    assert len(hook.requests) == 3
    assert len(info.value.attempts) == 3
    assert f"POST {hook.url} failed after 3 attempts: HTTP 503" in str(info.value)


def test_backoff_is_capped_and_honours_retry_after(plan: Plan) -> None:
    """429 is retried; Retry-After lengthens the wait, backoff_max caps it."""
    sleeps: list[float] = []
    with receiver(fail_first=3, status=429, extra_headers={"Retry-After": "2"}) as hook:
        _deliver(plan, _event(plan), url=hook.url, backoff=0.01, backoff_max=0.03, sleeps=sleeps)
    assert len(hook.requests) == 4
    assert sleeps == [0.03, 0.03, 0.03]
    assert WebhookConfig(backoff=0.5, backoff_max=3).delay(1) == 0.5
    assert [WebhookConfig(backoff=0.5, backoff_max=3).delay(n) for n in (2, 3, 4, 5)] == [
        1.0,
        2.0,
        3.0,
        3.0,
    ]


@pytest.mark.parametrize("status", [400, 401, 404, 302])
def test_other_answers_are_not_retried(plan: Plan, status: int) -> None:
    """4xx (but 429) and redirects are final: one attempt, an error that says so."""
    pattern = rf"answered HTTP {status}.*not retried"
    with (
        receiver(fail_first=100, status=status) as hook,
        pytest.raises(WebhookDeliveryError, match=pattern),
    ):
        _deliver(plan, _event(plan), url=hook.url, backoff=0.001)
    assert len(hook.requests) == 1


def test_timeout(plan: Plan) -> None:
    """A receiver that never answers in time: a timeout error after the retries."""
    started = time.monotonic()
    with receiver(hang=True) as hook:
        with pytest.raises(WebhookDeliveryError) as info:
            _deliver(plan, _event(plan), url=hook.url, timeout=0.2, retries=1, backoff=0.001)
        assert len(hook.requests) == 2
    assert time.monotonic() - started < 5
    assert "failed after 2 attempts: no answer within 0.2 s (timeout)" in str(info.value)
    assert "raise webhook.timeout" in str(info.value)


def test_closed_port(plan: Plan, closed_port: int) -> None:
    """Nothing listening: an OSError naming host and port and what to check."""
    url = f"http://127.0.0.1:{closed_port}/hook?token=abc"
    with pytest.raises(WebhookDeliveryError) as info:
        _deliver(plan, _event(plan), url=url, retries=2, backoff=0.001)
    error = info.value
    assert isinstance(error, OSError)
    assert str(error) == (
        f"webhook delivery of event {_event(plan).id} failed: "
        f"POST http://127.0.0.1:{closed_port}/hook failed after 3 attempts: "
        f"connection refused by 127.0.0.1:{closed_port} (nothing listens there) — check that "
        "the receiver is running and listens there (setting webhook.url)"
    )
    assert "token" not in str(error)  # the query string may hold a secret


def test_unit_urls(plan: Plan) -> None:
    """A unit's url gets the events that concern the unit, signed with its own secret."""
    with receiver() as main, receiver() as radio:
        units = {"radio": {"url": radio.url, "secret": "radio-secret"}}
        _deliver(plan, _event(plan), units=units, url=main.url, secret=SECRET)
        _deliver(plan, _event(plan, task="dx-committee"), units=units, url=main.url)
    assert len(main.requests) == 2 and len(radio.requests) == 1
    got = radio.requests[0]
    assert _verify("radio-secret", got.body, got.headers["X-Planflow-Signature"])
    assert "X-Planflow-Signature" not in main.requests[1].headers  # no secret for that call


class TestSettings:
    @pytest.mark.parametrize(
        ("run", "match"),
        [
            ({"url": "ftp://x/y"}, r"webhook\.url: expected an http:// or https:// URL"),
            ({"url": "http://h/", "kinds": "due, soon"}, r"unknown event kind 'soon'"),
            ({"url": "http://h/", "timeout": "0"}, r"webhook\.timeout: must be positive"),
            ({"url": "http://h/", "retries": "many"}, r"webhook\.retries: expected a number"),
        ],
    )
    def test_errors(self, run: dict[str, Any], match: str) -> None:
        """Every bad setting is a WebhookSettingsError (a ValueError) naming the setting."""
        with pytest.raises(WebhookSettingsError, match=match):
            WebhookConfig.from_settings(run)

    def test_no_url_at_all(self, plan: Plan) -> None:
        """Neither a run url nor a unit url: a settings error, not a silent no-op."""
        with pytest.raises(WebhookSettingsError, match=r"webhook\.url: missing"):
            _deliver(plan, _event(plan))

    def test_kinds_filter(self, plan: Plan, closed_port: int) -> None:
        """A kind not listed is not posted (no connection is even tried)."""
        _deliver(plan, _event(plan), url=f"http://127.0.0.1:{closed_port}/", kinds=["due"])

    def test_hook(self) -> None:
        """The entry-point module declares one Notifier named ``webhook``."""
        (notifier,) = planflow_notifiers()
        assert isinstance(notifier, Notifier) and notifier.name == "webhook"
        assert {(s.name, s.scope) for s in notifier.settings if s.secret} == {
            ("secret", "run"),
            ("secret", "unit"),
        }


# --- end to end -----------------------------------------------------------------------


def _on_event(
    plan: Plan, settings: ChannelSettings, failures: list[Exception]
) -> Callable[[Event], None]:
    """What planflow does with a notifier: deliver each event, record a failure, go on."""
    notifier = WebhookNotifier()

    def on_event(event: Event) -> None:
        try:
            notifier.deliver(
                event, plan=plan, units=[plan.unit(u) for u in event.units], settings=settings
            )
        except Exception as exc:
            failures.append(exc)

    return on_event


def test_simulation_posts_every_event(plan: Plan) -> None:
    """A quarter's run: every event posted once (the first try of the first one fails)."""
    with receiver(fail_first=1) as main, receiver() as radio:
        settings = ChannelSettings(
            run={"url": main.url, "secret": SECRET, "backoff": 0.01},
            units={"radio": {"url": radio.url}},
        )
        failures: list[Exception] = []
        result = simulate(
            plan, until=date(2025, 3, 31), on_event=_on_event(plan, settings, failures)
        )
    assert failures == []
    posted = [json.loads(r.body) for r in main.accepted()]
    assert [p["id"] for p in posted] == [e.id for e in result.events]
    assert all(_verify(SECRET, r.body, r.headers["X-Planflow-Signature"]) for r in main.requests)
    radio_ids = [json.loads(r.body)["id"] for r in radio.requests]
    assert radio_ids == [e.id for e in result.events if "radio" in e.units]
    assert radio_ids


def test_simulation_with_receiver_down_keeps_every_event(plan: Plan, closed_port: int) -> None:
    """Receiver down: each delivery fails clearly, and the run's record is complete."""
    baseline = simulate(plan, until=date(2025, 3, 31))
    settings = ChannelSettings(
        run={"url": f"http://127.0.0.1:{closed_port}/hook", "retries": 1, "backoff": 0.001}
    )
    failures: list[Exception] = []
    result = simulate(plan, until=date(2025, 3, 31), on_event=_on_event(plan, settings, failures))
    assert result.events == baseline.events
    assert len(failures) == len(result.events)
    assert all(isinstance(f, WebhookDeliveryError) for f in failures)
    assert all(f"127.0.0.1:{closed_port}" in str(f) for f in failures)


def test_period_events_are_posted(plan: Plan) -> None:
    """``period_closed`` (no task, no units) is posted with its counts."""
    event = _event(plan, kind="period_closed", task="q1")
    event = attrs.evolve(event)
    with receiver() as hook:
        _deliver(plan, event, url=hook.url)
    data = json.loads(hook.requests[0].body)
    assert data["kind"] == "period_closed" and data["units"] == [] and data["counts"]
