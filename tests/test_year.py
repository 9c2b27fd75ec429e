"""The real year through the library and the command line (SQLite; PostgreSQL in test_year_pg).

Oracles: the simulation (``planflow simulate``'s engine path, already tested against
hand-computed years) for what a year replayed from records must give, and hand-made
plan edits for reconciliation.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from planflow.cli.main import cli
from planflow.hooks.manager import get_plugin_manager
from planflow.i18n import use_language
from planflow.jobs.kpi_records import record_value
from planflow.jobs.progress_records import history, mark_done, undo
from planflow.jobs.status import status
from planflow.jobs.year import Year, advance
from planflow.plan.errors import PlanError
from planflow.plan.loading import load
from planflow.run.events import EventKind
from planflow.run.simulation import simulate
from planflow.timeline.occurrences import Occurrence
from year_support import REPO, plan_text, write_plan


class Never:
    """A completion model under which nothing is ever done (what a year without records is)."""

    def completion(self, occurrence: Occurrence, ready: date) -> date | None:
        return None


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _lines(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def pm():  # type: ignore[no-untyped-def]
    return get_plugin_manager(load_entrypoints=False)


def test_running_twice_sends_nothing_new_and_daily_runs_send_each_event_once(
    tmp_path: Path, pm: object, db_url: str
) -> None:
    path = write_plan(tmp_path / "xa")
    out = tmp_path / "events.jsonl"
    with Year.open(path, db_url) as year:
        for day in _days(date(2025, 1, 1), date(2025, 1, 31)):
            for _ in range(2):  # cron fired twice: the second run sends nothing
                advance(
                    year,
                    now=datetime(2025, day.month, day.day, 7),
                    pm=pm,  # type: ignore[arg-type]
                    notify=["jsonl"],
                    settings={"jsonl": {"path": str(out)}},
                )
    sent = _lines(out)
    expected = [
        e.to_dict()
        for e in simulate(load(path).plan, model=Never(), until=date(2025, 1, 31)).events
    ]
    assert len(sent) == len(expected) == 12  # 3 duties: opened, reminder, due, overdue
    assert Counter(e["id"] for e in sent) == Counter(e["id"] for e in expected)
    # the same events, with the same content (the jsonl notifier adds the units concerned)
    assert {e["id"]: {k: e[k] for k in expected[0]} for e in sent} == {e["id"]: e for e in expected}


def test_catching_up_after_30_days_sends_one_digest_per_unit(
    tmp_path: Path, pm: object, db_url: str
) -> None:
    path = write_plan(tmp_path / "xa")
    out = tmp_path / "events.jsonl"
    settings = {"jsonl": {"path": str(out)}}
    with Year.open(path, db_url) as year:
        for day in _days(date(2025, 1, 1), date(2025, 1, 31)):
            advance(year, now=datetime(2025, 1, day.day, 7), pm=pm, notify=["jsonl"],
                    settings=settings)  # type: ignore[arg-type]  # fmt: skip
        before = len(_lines(out))
        report = advance(year, now=datetime(2025, 3, 3, 7), pm=pm, notify=["jsonl"],
                         settings=settings)  # type: ignore[arg-type]  # fmt: skip
    sent = _lines(out)[before:]
    # the oracle: what a year with no records emits, by the simulation
    events = simulate(load(path).plan, model=Never(), until=date(2025, 3, 3)).events
    gap = [e for e in events if date(2025, 2, 1) <= e.time <= date(2025, 3, 2)]
    today = [e for e in events if e.time == date(2025, 3, 3)]
    expected: dict[str, Counter[str]] = {}
    for e in gap:
        for unit in e.units:
            expected.setdefault(unit, Counter())[e.kind.value] += 1
    digests = [e for e in sent if e["kind"] == "digest"]
    assert {d["unit"]: Counter(d["counts"]) for d in digests} == expected
    assert len(digests) == 3  # one per unit, not one per event
    assert sum(sum(c.values()) for c in expected.values()) > 3 * len(gap) // 2 > 20
    assert sorted(e["id"] for e in sent if e["kind"] != "digest") == sorted(e.id for e in today)
    assert report.gathered == len(gap)
    for d in digests:
        assert (d["start"], d["due"]) == (
            min(e.time for e in gap if d["unit"] in e.units).isoformat(),
            max(e.time for e in gap if d["unit"] in e.units).isoformat(),
        )


def test_a_year_replayed_day_by_day_gives_the_simulations_figures(
    tmp_path: Path, pm: object
) -> None:
    """Completions taken from a random simulation, recorded on their day, one run a day."""
    path = write_plan(tmp_path / "boy", (REPO / "examples/boy_2025/plan.yaml").read_text("utf-8"))
    plan = load(path).plan
    sim = simulate(plan, model="random", seed=11)
    by_day: dict[date, list[Occurrence]] = {}
    for o in sim.outcomes:
        if o.completed is not None:
            by_day.setdefault(o.completed, []).append(o.occurrence)
    assert sum(map(len, by_day.values())) > 300
    with Year.open(path) as year:
        for day in _days(date(2025, 1, 1), date(2025, 12, 31)):
            year.fixed_now = datetime(2025, day.month, day.day, 7, tzinfo=year.zone())
            for occ in by_day.get(day, []):
                mark_done(year, f"{occ.task}#{occ.index}", day=day, by=occ.unit)
            advance(year, pm=pm)  # type: ignore[arg-type]
        recorded = year.replay(date(2025, 12, 31)).result
        emitted = year.store.events(plan.id)
    assert recorded.by_unit() == sim.by_unit()
    assert recorded.by_quarter() == sim.by_quarter()
    assert recorded.totals() == sim.totals()
    # every event of the simulated year was recorded once, on its day, by the daily runs
    assert sorted((e["id"], e["time"]) for e in emitted) == sorted(
        (e.id, e.time.isoformat()) for e in sim.events
    )
    # and the command line reads the same figures from the store
    result = CliRunner().invoke(
        cli, ["status", str(path), "--now", "2025-12-31", "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    units = {u["unit"]: u for u in json.loads(result.stdout)["units"]}
    for row in sim.by_unit():
        assert units[row["unit"]]["done"] == row["done"]
        assert units[row["unit"]]["missed"] == row["missed"]


def test_plan_edits_are_reconciled_and_nothing_is_deleted(tmp_path: Path) -> None:
    folder = tmp_path / "xa"
    path = write_plan(folder, plan_text(3))
    runner = CliRunner()

    def invoke(*args: str) -> str:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    invoke("done", str(path), "viec-1#1", "--date", "2025-01-15", "--now", "2025-02-20")
    invoke("done", str(path), "viec-2#2", "--date", "2025-02-14", "--now", "2025-02-20")
    invoke("done", str(path), "viec-3#1", "--date", "2025-01-16", "--now", "2025-02-20")
    invoke("run", str(path), "--now", "2025-02-20T07:00")
    # the commune edits its plan: viec-3 is dropped, viec-2 moves to the 20th, viec-4 is added
    text = plan_text(4).replace(
        'BYMONTHDAY=15"\n  - id: viec-3', 'BYMONTHDAY=20"\n  - id: viec-3', 1
    )
    head, _, rest = text.partition("  - id: viec-3")
    _, _, after = rest.partition("  - id: viec-4")
    path.write_text(head + "  - id: viec-4" + after, encoding="utf-8")
    output = invoke("run", str(path), "--now", "2025-02-21T07:00", "--json")
    changes = json.loads(output)["changes"]
    assert changes["added"] == sorted(f"viec-4#{n}" for n in range(1, 13))
    assert changes["removed"] == sorted(f"viec-3#{n}" for n in range(1, 13))
    assert changes["moved"] == sorted(f"viec-2#{n}" for n in range(1, 13))
    assert changes["archived"] == ["viec-3#1"]
    assert changes["from"] != changes["to"]
    # kept: viec-1#1 and viec-2#2 are still done; viec-3#1 is archived, not deleted
    with Year.open(path, now=datetime(2025, 2, 21)) as year:
        assert set(year.completions()) == {("viec-1", 1), ("viec-2", 2)}
        rows = history(year)
    actions = [(r["what"], r.get("occurrence")) for r in rows]
    assert actions.count(("done", "viec-3#1")) == 1
    assert ("archive", "viec-3#1") in actions
    assert any(r["what"] == "run" and r["changes"]["archived"] == ["viec-3#1"] for r in rows)
    # a third run on the same plan changes nothing more
    third = json.loads(invoke("run", str(path), "--now", "2025-02-22T07:00", "--json"))
    assert third["changes"] == {}
    text = invoke("history", str(path))
    assert "archived  viec-3#1" in text
    assert "không còn trong kế hoạch" in text


def test_done_undo_record_status_history_on_the_command_line(tmp_path: Path) -> None:
    path = write_plan(tmp_path / "xa")
    runner = CliRunner()
    base = [str(path), "--now", "2025-03-20T08:00", "--lang", "vi"]

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli, [args[0], *base, *args[1:]])
        assert result.exit_code == code, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        return result.output

    assert "Đã chạy đến ngày 20/03/2025" in invoke("run")
    first = json.loads(invoke("status", "--json"))
    assert first["as_of"] == "2025-03-20"
    overdue = [i["occurrence"] for i in first["attention"] if i["category"] == "overdue"]
    assert overdue == ["viec-1#3", "viec-2#3", "viec-3#3"]  # due 14/03 (the 15th is a Saturday)
    english = runner.invoke(cli, ["status", str(path), "--now", "2025-03-20T08:00"]).output
    assert "Needs attention: 3 overdue" in english and "By unit" in english  # PLANFLOW_LANG=en
    screen = invoke("status")
    assert (
        screen.index("Cần chú ý: 3 quá hạn")
        < screen.index("viec-1#3")
        < screen.index("Theo đơn vị")
    )
    out = invoke("done", "viec-1@2025-03-10", "--note", "Đã phát sóng", "--evidence",
                 "https://boy.example.gov.vn/tin/12")  # fmt: skip
    assert "viec-1#3 hoàn thành ngày 20/03/2025 (vhxh)" in out
    after = json.loads(invoke("status", "--json"))
    assert [i["occurrence"] for i in after["attention"] if i["category"] == "overdue"] == [
        "viec-2#3",
        "viec-3#3",
    ]
    done = [i for i in after["items"] if i["occurrence"] == "viec-1#3"]
    assert done[0]["state"] == "late" and done[0]["note"] == "Đã phát sóng"
    assert "đã được ghi nhận hoàn thành ngày 20/03/2025" in invoke("done", "viec-1#3", code=1)
    assert "--reason" in invoke("undo", "viec-1#3", code=2)
    assert "lý do: nhầm việc" in invoke("undo", "viec-1#3", "--reason", "nhầm việc")
    assert "chưa được ghi nhận hoàn thành" in invoke("undo", "viec-1#3", "--reason", "x", code=1)
    unknown = invoke("done", "viec-9#3", code=1)
    assert "không có nhiệm vụ 'viec-9'" in unknown and "'viec-3'?" in unknown
    assert "không có lần thứ 13" in invoke("done", "viec-1#13", code=1)
    assert "chưa tới" in invoke("done", "viec-1#4", "--date", "2025-04-01", code=1)
    assert "không có chỉ tiêu đo lường" in invoke("record", "viec-1", "3", code=1)
    lines = invoke("history").splitlines()
    assert [line.split("  ")[2] for line in lines] == ["hoàn thành", "hủy hoàn thành"]
    assert lines[0].split("  ")[1] == lines[1].split("  ")[1] != ""  # who recorded it
    assert "evidence: https://boy.example.gov.vn/tin/12" in lines[0]


def test_record_keeps_measured_values(tmp_path: Path) -> None:
    extra = (
        "indicators:\n"
        "  - id: tin-bai\n"
        '    text: "Đăng ít nhất 1.000 tin bài về chuyển đổi số"\n'
        '    target: "≥ 1000"\n'
        "    metric: count\n"
        "    owner: vhxh\n"
    )
    path = write_plan(tmp_path / "xa", plan_text(1, extra=extra))
    result = CliRunner().invoke(
        cli,
        ["record", str(path), "tin-bai", "1.234,5", "--date", "2025-03-31", "--by", "vhxh",
         "--lang", "vi", "--now", "2025-04-01"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "tin-bai: 1.234,5 đo ngày 31/03/2025 (vhxh)" in result.output
    with Year.open(path, now=datetime(2025, 4, 1)) as year:
        (m,) = year.store.measurements(year.plan.id)
        assert (m.value, m.day, m.by_unit) == (1234.5, date(2025, 3, 31), "vhxh")
        with use_language("vi"), pytest.raises(PlanError, match="không có đơn vị 'vhhx'"):
            record_value(year, "tin-bai", 2, by="vhhx")


def test_library_undo_needs_a_reason(tmp_path: Path) -> None:
    path = write_plan(tmp_path / "xa")
    with Year.open(path, now=datetime(2025, 3, 20)) as year:
        mark_done(year, "viec-1#3")
        with use_language("vi"), pytest.raises(PlanError, match="lý do"):
            undo(year, "viec-1#3", reason="  ")
        assert status(year).units[0]["done"] == 1
        assert EventKind.DIGEST.value == "digest"


def test_reports_from_the_recorded_state(tmp_path: Path) -> None:
    """``simulate --from-state``: the recorded figures, and a report per closed period."""
    path = write_plan(tmp_path / "xa")
    runner = CliRunner()
    for n in (1, 2, 3):  # viec-1 done on each due date of the first quarter
        result = runner.invoke(
            cli,
            ["done", str(path), f"viec-1#{n}", "--date", f"2025-0{n}-14", "--now", "2025-04-01"],
        )
        assert result.exit_code == 0, result.output
    reports = tmp_path / "reports"
    result = runner.invoke(
        cli,
        [
            *("simulate", str(path), "--from-state", "--until", "2025-03-31", "--json"),
            *("--report", "json", "--report-dir", str(reports)),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["model"] == "recorded"
    # by hand: 3 duties × 12 months; viec-1 done 3 times on time; viec-2 and viec-3 miss
    # January and February (each window closes at the next month's due date), March is open
    assert data["totals"] == {"planned": 36, "done": 3, "on_time": 3, "late": 0, "missed": 4,
                              "pending": 29, "max_days_late": 0}  # fmt: skip
    assert data["reports"]["json"]["failed"] == 0
    (q1,) = [p for p in reports.iterdir() if "q1" in p.name]
    q1_data = json.loads(q1.read_text(encoding="utf-8"))
    # the quarter's report counts the occurrences due in it, as recorded on 31/03
    assert q1_data["totals"] == {"planned": 9, "done": 3, "on_time": 3, "late": 0, "missed": 4,
                                 "pending": 2}  # fmt: skip


def test_report_command_from_the_recorded_state(tmp_path: Path) -> None:
    """``planflow report --from-state``: the reports layer reads the recorded year."""
    path = write_plan(tmp_path / "xa")
    runner = CliRunner()
    for n in (1, 2):  # viec-1 done in January (on time) and in February (late, on 20/02)
        day = "2025-01-14" if n == 1 else "2025-02-20"
        result = runner.invoke(
            cli, ["done", str(path), f"viec-1#{n}", "--date", day, "--now", "2025-04-01"]
        )
        assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    result = runner.invoke(
        cli,
        ["report", str(path), "--period", "2025-Q1", "--format", "json", "--out", str(out),
         "--from-state"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (written,) = out.iterdir()
    data = json.loads(written.read_text(encoding="utf-8"))
    # by hand: 3 duties × 3 months due in Q1; viec-1 done twice (once late), the two
    # others miss January and February; the three March ones are still open on 31/03
    assert {k: data["totals"][k] for k in ("planned", "done", "on_time", "late", "missed")} == {
        "planned": 9, "done": 2, "on_time": 1, "late": 1, "missed": 4,
    }  # fmt: skip
    simulated = runner.invoke(
        cli, ["report", str(path), "--period", "2025-Q1", "--format", "json", "--out", str(out)]
    )
    assert simulated.exit_code == 0, simulated.output
    assert json.loads(written.read_text(encoding="utf-8"))["totals"]["done"] == 9  # on-time model


def test_run_strict_and_failed_deliveries_sent_by_the_next_run(tmp_path: Path) -> None:
    """A notifier that is down: ``run --strict`` exits 3 and keeps every notice in the
    outbox; the next run, with the notifier back, delivers exactly those, once."""
    from planflow.testing import RecordingNotifier, run_cli

    path = str(write_plan(tmp_path / "xa"))
    kinds = ["opened", "reminder", "unblocked", "due", "late", "overdue", "missed", "digest"]
    down = RecordingNotifier("chan", fail_on=kinds)
    args = ["run", path, "--now", "2025-03-14T07:00", "--notify", "chan"]
    first = run_cli([*args, "--strict", "--json"], plugins=[down.plugin()])
    assert first.exit_code == 3, first.stderr
    report = json.loads(first.stdout)
    failed = report["deliveries"]["chan"]["failed"]
    assert failed == report["failed"] == report["emitted"] + report["digests"] > 0
    assert report["delivered"] == 0
    up = RecordingNotifier("chan")
    second = run_cli([*args, "--strict", "--json"], plugins=[up.plugin()])
    assert second.exit_code == 0, second.stderr
    assert json.loads(second.stdout)["delivered"] == failed
    refused = sorted(error["event"] for error in report["errors"])
    assert sorted(e.id for e in up.events) == refused and len(set(refused)) == failed  # once
    third = run_cli([*args, "--json"], plugins=[up.plugin()])
    assert json.loads(third.stdout)["delivered"] == 0 and len(up.events) == failed
