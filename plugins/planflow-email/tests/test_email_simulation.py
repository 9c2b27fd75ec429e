"""End to end: ``planflow.run.simulation.simulate(plan, on_event=…)`` delivering to a real server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from planflow.hooks.specs import ChannelSettings
from planflow.plan.model import Plan
from planflow.run.events import Event
from planflow.run.simulation import SimulationResult, simulate

from pfemail_support import REPO, Server, channel, rfc2047_addresses
from planflow_email import EmailDeliveryError, EmailNotifier, recipients

DEFAULT_KINDS = {"reminder", "due", "overdue", "late", "missed"}


def _deliverer(
    plan: Plan, settings: ChannelSettings, failures: list[Exception]
) -> Callable[[Event], None]:
    """What planflow does with a notifier: deliver each event, record a failure, go on."""
    notifier = EmailNotifier()

    def on_event(event: Event) -> None:
        units = [plan.unit(u) for u in event.units]
        try:
            notifier.deliver(event, plan=plan, units=units, settings=settings)
        except Exception as exc:
            failures.append(exc)

    return on_event


def _mailed(plan: Plan, result: SimulationResult, settings: ChannelSettings) -> list[Event]:
    """The events the notifier should have mailed: default kinds, somebody with an address."""
    out = []
    for event in result.events:
        units = [plan.unit(u) for u in event.units]
        if event.kind.value in DEFAULT_KINDS and recipients(event, plan, units, settings.units)[0]:
            out.append(event)
    return out


def test_every_unit_gets_its_reminders(plan: Plan, server: Server) -> None:
    """Each reminder reaches the lead (To) and coordinators (Cc) that have an address."""
    settings = channel(plan, host=server.host, port=server.port)
    failures: list[Exception] = []
    result = simulate(plan, until=date(2025, 6, 30), on_event=_deliverer(plan, settings, failures))
    assert failures == []
    expected = _mailed(plan, result, settings)
    assert len(server.received) == len(expected) > 0
    by_id = {got.message["X-Planflow-Delivery"]: got for got in server.received}
    assert set(by_id) == {e.id for e in expected}
    wanted = {
        "radio-programme": {"vhxh@example.gov.vn", "dai.truyenthanh@example.gov.vn"},
        "qa-page": {"chanh.vp@example.gov.vn", "vanphong@example.gov.vn", "vhxh@example.gov.vn"},
    }
    reminders = [e for e in result.events if e.kind.value == "reminder"]
    for event in reminders:
        if event.task == "dx-committee":  # its only unit has no address
            assert event.id not in by_id
            continue
        got = by_id[event.id]
        assert set(got.rcpt_tos) == wanted[event.task]
        assert got.message["X-Planflow-Event"] == "reminder"
    # every unit that has an address got at least one reminder, addressed to it
    reminded = {a for e in reminders if e.id in by_id for a in by_id[e.id].rcpt_tos}
    assert reminded == set().union(*wanted.values())


def test_random_run_sends_the_late_kinds(plan: Plan, server: Server) -> None:
    """A random run (late and missed work) mails exactly the configured kinds."""
    settings = channel(plan, host=server.host, port=server.port, kinds="overdue, late, missed")
    failures: list[Exception] = []
    result = simulate(
        plan, model="random", seed=7, until=date(2025, 9, 30),
        on_event=_deliverer(plan, settings, failures),
    )  # fmt: skip
    assert failures == []
    sent = {got.message["X-Planflow-Delivery"]: got.message for got in server.received}
    expected = {
        e.id: e
        for e in _mailed(plan, result, settings)
        if e.kind.value in {"overdue", "late", "missed"}
    }
    assert set(sent) == set(expected) and expected
    for event_id, message in sent.items():
        assert message["X-Planflow-Event"] == expected[event_id].kind.value
        assert message["Subject"].startswith(
            {"overdue": "[Quá hạn]", "late": "[Hoàn thành muộn]", "missed": "[Không hoàn thành]"}[
                expected[event_id].kind.value
            ]
        )


def test_server_down_loses_nothing(plan: Plan, closed_port: int) -> None:
    """With the server down every delivery fails clearly and the run keeps every event."""
    baseline = simulate(plan, until=date(2025, 6, 30))
    settings = channel(plan, host="127.0.0.1", port=closed_port)
    failures: list[Exception] = []
    result = simulate(plan, until=date(2025, 6, 30), on_event=_deliverer(plan, settings, failures))
    assert result.events == baseline.events
    assert len(failures) == len(_mailed(plan, result, settings)) > 0
    for failure in failures:
        assert isinstance(failure, EmailDeliveryError)
        assert f"127.0.0.1:{closed_port}" in str(failure) and "connection refused" in str(failure)


def test_bo_y_example(server: Server) -> None:
    """The Bờ Y plan in January, with an address per unit given as channel settings."""
    import planflow

    folder = REPO / "examples" / "boy_2025"
    if not (folder / "plan.yaml").is_file():
        pytest.skip("examples/boy_2025 is not beside this package")
    plan = planflow.load_plan(folder)
    units = {u.id: {"to": f"{u.id.replace('_', '.')}@boy.example.gov.vn"} for u in plan.units}
    settings = ChannelSettings(
        run={"host": server.host, "port": server.port, "from": "UBND xã Bờ Y <ubnd@boy.vn>"},
        units=units,
    )
    failures: list[Exception] = []
    result = simulate(plan, until=date(2025, 1, 31), on_event=_deliverer(plan, settings, failures))
    assert failures == []
    by_id = {got.message["X-Planflow-Delivery"]: got.data for got in server.received}
    reminders = [e for e in result.events if e.kind.value == "reminder"]
    assert reminders and len(by_id) == len(_mailed(plan, result, settings))
    for event in reminders:
        data = by_id[event.id]
        assert event.unit is not None
        lead = plan.unit(event.unit)
        assert rfc2047_addresses(data, "To") == [(lead.name, units[lead.id]["to"])]
        cc = rfc2047_addresses(data, "Cc")
        assert cc == [(plan.unit(u).name, units[u]["to"]) for u in event.coordinators]
