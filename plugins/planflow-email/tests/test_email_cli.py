"""End to end through the command line: `planflow simulate --notify email` on the Bờ Y year."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import attrs
import planflow
import pytest
from click.testing import CliRunner
from planflow.cli.main import cli
from planflow.plan.writing import dump_plan

from pfemail_support import REPO, smtp_server


def test_each_unit_receives_its_reminders(tmp_path: Path) -> None:
    """Every unit with an address gets a mail for each reminder it leads, via the plugin manager."""
    folder = REPO / "examples" / "boy_2025"
    if not (folder / "plan.yaml").is_file():
        pytest.skip("examples/boy_2025 is not beside this package")
    plan = planflow.load_plan(folder)
    # the source document gives no addresses: give every unit one, in the plan file itself
    units = [
        attrs.evolve(u, channels={"email": {"to": f"{u.id}@boy.example.gov.vn"}})
        for u in plan.units
    ]
    path = tmp_path / "plan.yaml"
    path.write_text(dump_plan(attrs.evolve(plan, units=units)), encoding="utf-8")
    with smtp_server() as server:
        result = CliRunner().invoke(
            cli,
            [
                "simulate",
                str(path),
                "--until",
                "2025-03-31",
                "--json",
                "--notify",
                "email",
                "--set",
                f"email.host={server.host}",
                "--set",
                f"email.port={server.port}",
                "--set",
                "email.from=UBND xã Bờ Y <ubnd@boy.example.gov.vn>",
                "--set",
                "email.kinds=reminder",
            ],
            catch_exceptions=False,
        )
        received = list(server.received)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    delivery = record["deliveries"]["email"]
    assert delivery["failed"] == 0, delivery
    # one mail per reminder the run emitted, each to the unit whose duty it is
    assert len(received) == record["events"]["reminder"] > 0
    events = CliRunner().invoke(
        cli,
        [
            "simulate",
            str(path),
            "--until",
            "2025-03-31",
            "--events",
            str(tmp_path / "e.jsonl"),
        ],
        catch_exceptions=False,
    )
    assert events.exit_code == 0
    reminders = [json.loads(line) for line in (tmp_path / "e.jsonl").read_text().splitlines()]
    expected: dict[str, int] = defaultdict(int)
    for event in reminders:
        if event["kind"] == "reminder":
            expected[event["unit"]] += 1
    got: dict[str, int] = defaultdict(int)
    for mail in received:
        assert mail.message["X-Planflow-Event"] == "reminder"
        assert "[Nhắc việc]" in str(mail.message["Subject"])
        got[mail.message["To"].addresses[0].addr_spec.split("@")[0]] += 1
    assert got == expected
    assert {"vhxh", "web", "ttvh", "ttphcc"} <= set(got)


def test_no_recipient_is_counted_skipped_and_strict_fails_on_refusals(tmp_path: Path) -> None:
    """Fault 6: on the example (no unit has an address) nothing is "delivered": every
    event is skipped, with its reason; with the server refusing, ``--strict`` exits 3."""
    from planflow.testing import run_cli

    import planflow_email

    folder = REPO / "examples" / "boy_2025"
    if not (folder / "plan.yaml").is_file():
        pytest.skip("examples/boy_2025 is not beside this package")
    settings = ["--set", "email.host=127.0.0.1", "--set", "email.from=ubnd@boy.example.gov.vn"]
    # --lang en: the example plan speaks Vietnamese, the counts are asserted in English
    args = ["simulate", str(folder), "--until", "2025-03-31", "--json", "--notify", "email"]
    args += ["--lang", "en"]
    result = run_cli([*args, *settings, "--strict"], plugins=[planflow_email])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    total = sum(data["events"].values())
    shown = sum(data["events"].get(k, 0) for k in ("reminder", "due", "overdue", "late", "missed"))
    email = data["deliveries"]["email"]
    assert (email["delivered"], email["skipped"], email["failed"]) == (0, total, 0)
    assert email["skipped_reasons"] == {
        "kind not in email.kinds": total - shown,
        "no recipient address": shown,
    }
    assert f"notifier 'email': 0 delivered, {total} skipped" in result.stderr
    # a unit with an address and a server that is not there: failures, and --strict says so
    plan = planflow.load_plan(folder)
    units = [
        attrs.evolve(u, channels={"email": {"to": f"{u.id}@boy.example.gov.vn"}})
        for u in plan.units
    ]
    path = tmp_path / "plan.yaml"
    path.write_text(dump_plan(attrs.evolve(plan, units=units)), encoding="utf-8")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args[1] = str(path)
    down = [*settings, "--set", f"email.port={port}", "--set", "email.kinds=reminder"]
    result = run_cli([*args, *down, "--strict"], plugins=[planflow_email])
    assert result.exit_code == 3, result.stderr
    failed = json.loads(result.stdout)["deliveries"]["email"]["failed"]
    assert failed == json.loads(result.stdout)["events"]["reminder"] > 0
    assert f"--strict: {failed} failed (exit status 3)" in result.stderr
