"""Simulation: the example year, random delays, Monte Carlo, the CLI and scenario files."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

import planflow.cli.simulate  # noqa: F401  (registers the command)
from planflow.cli.main import cli
from planflow.plan.errors import PlanFileError
from planflow.plan.loading import load_plan, loads
from planflow.plan.model import Plan
from planflow.run.events import EventKind, State
from planflow.run.simulation import Scenario, monte_carlo, parse_scenario, run_seed, simulate
from planflow.timeline.occurrences import Timeline
from plans import EXAMPLE_DIR, docs_example, write_docs_example

needs_example = pytest.mark.skipif(
    not (EXAMPLE_DIR / "plan.yaml").exists(), reason="examples/boy_2025 not written yet"
)


@pytest.fixture(scope="module")
def docs_plan() -> Plan:
    """The complete small example of docs/plan-format.md."""
    return loads(docs_example(), file="plan.yaml").plan


def _agenda(path: Path) -> list[dict[str, object]]:
    result = CliRunner().invoke(cli, ["agenda", str(path), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data: list[dict[str, object]] = json.loads(result.output)
    return data


def _example_or_docs(tmp_path: Path) -> Path:
    if (EXAMPLE_DIR / "plan.yaml").exists():
        try:
            load_plan(EXAMPLE_DIR)
            return EXAMPLE_DIR
        except PlanFileError:  # being written right now
            pass
    return write_docs_example(tmp_path)


class TestOnTime:
    """The on-time model over a whole year."""

    def test_counts_match_the_agenda(self, tmp_path: Path) -> None:
        """Event counts per kind are what `planflow agenda --json` implies."""
        path = _example_or_docs(tmp_path)
        plan = load_plan(path)
        agenda = _agenda(path)
        result = simulate(plan)
        counts = Counter(e.kind for e in result.events)
        n = len(agenda)
        for kind in (EventKind.OPENED, EventKind.DUE, EventKind.COMPLETED, EventKind.REMINDER):
            assert counts[kind] == n, kind
        for kind in (EventKind.LATE, EventKind.MISSED, EventKind.OVERDUE):
            assert counts[kind] == 0, kind
        assert counts[EventKind.PERIOD_CLOSED] == (len(plan.reporting_periods) or 5)
        # unblocked: the occurrences opened while a predecessor's due date (plus lag) lay ahead
        timeline = Timeline(plan)
        lags = {(t.id, d.task): d.lag for t in plan.tasks for d in t.after}
        due = {(o["task"], o["index"]): date.fromisoformat(str(o["due"])) for o in agenda}
        expected = 0
        for o in agenda:
            opened = min(date.fromisoformat(str(o["start"])), due[(o["task"], o["index"])])
            ready = []
            for task, index in o["waits_for"]:  # type: ignore[attr-defined]
                lag = lags[(o["plan_task"], timeline.duty(task).task.id)]
                day = due[(task, index)]
                if lag.working:
                    day = timeline.calendar.add_working_days(day, lag.days)
                else:
                    day = date.fromordinal(day.toordinal() + lag.days)
                ready.append(day)
            expected += bool(ready) and max(ready) > opened
        assert counts[EventKind.UNBLOCKED] == expected
        assert result.totals()["on_time"] == n

    @needs_example
    def test_example_year_meets_everything(self) -> None:
        """Bờ Y 2025 on time: every target met and every report on time."""
        try:
            plan = load_plan(EXAMPLE_DIR)
        except PlanFileError:
            pytest.skip("examples/boy_2025 does not load yet")
        result = simulate(plan)
        assert all(t["met"] for t in result.targets()), result.targets()
        assert result.reporting()
        assert all(r["all_on_time"] for r in result.reporting())
        assert result.late_chains() == []


class TestRandom:
    """The random model with a fixed seed."""

    def test_delayed_predecessor_delays_dependents(self, docs_plan: Plan) -> None:
        """A late radio programme makes that month's rebroadcasts late."""
        quiet = {"late": 0.0, "skip": 0.0}
        scenario = Scenario(
            default=Scenario().default.__class__(late=0.0, skip=0.0),
            tasks={"radio-programme": {"late": 1.0, "min": 8, "mode": 8, "max": 8}, "x": quiet},
        )
        result = simulate(docs_plan, model="random", seed=1, scenario=scenario)
        by_key = {o.occurrence.key: o for o in result.outcomes}
        rebroadcasts = [o for o in result.outcomes if o.occurrence.plan_task == "radio-rebroadcast"]
        late = [o for o in rebroadcasts if o.state is State.LATE]
        assert late
        for o in rebroadcasts:
            for key in o.occurrence.waits_for:
                assert o.completed is not None
                pred = by_key[key]
                assert pred.completed is not None
                assert o.completed >= pred.completed
        for o in late:
            assert o.cause is not None
            assert o.cause[0] == "radio-programme"
        chains = result.late_chains()
        assert all(c["root"].startswith("radio-programme#") for c in chains)

    def test_missed_unit_report_holds_up_the_consolidated_report(self, docs_plan: Plan) -> None:
        """A unit that never reports makes the consolidated report late or missed."""
        text = "default: {late: 0, skip: 0}\nunits:\n  radio: {skip: 1}\n"
        scenario = parse_scenario(text, "s.yaml", plan=docs_plan)
        result = simulate(docs_plan, model="random", seed=3, scenario=scenario)
        missed = {e.key: e.time for e in result.events if e.kind is EventKind.MISSED}
        reports = [o for o in result.outcomes if o.occurrence.plan_task == "consolidated-report"]
        assert reports
        timeline = result.timeline
        for o in reports:
            assert o.state in (State.LATE, State.MISSED)
            assert o.cause is not None
            assert o.cause[0] == "unit-report@radio"
            if o.completed is not None:
                released = timeline.calendar.add_working_days(missed[o.cause], 2)
                assert o.completed >= released
        assert {o.state for o in reports} == {State.LATE, State.MISSED}

    def test_same_seed_same_result_other_seed_differs(self, docs_plan: Plan) -> None:
        """Runs are reproducible from the seed."""
        a = simulate(docs_plan, model="random", seed=11)
        b = simulate(docs_plan, model="random", seed=11)
        c = simulate(docs_plan, model="random", seed=12)
        assert a.events == b.events
        assert a.to_dict() == b.to_dict()
        assert [e.time for e in a.events] != [e.time for e in c.events]

    def test_until_leaves_occurrences_pending(self, docs_plan: Plan) -> None:
        """Stopping the clock early leaves later occurrences in a non-final state."""
        result = simulate(docs_plan, until=date(2025, 6, 1))
        assert result.totals()["pending"] > 0
        assert max(e.time for e in result.events) <= date(2025, 6, 1)

    def test_on_event_sees_every_event(self, docs_plan: Plan) -> None:
        """The observer gets the same events, in order."""
        seen: list[object] = []
        result = simulate(docs_plan, model="random", seed=2, on_event=seen.append)
        assert seen == result.events


class TestMonteCarlo:
    """Many random years."""

    def test_independent_of_workers(self, docs_plan: Plan) -> None:
        """Same seed ⇒ same result, whatever the number of processes."""
        one = monte_carlo(docs_plan, runs=12, seed=5, workers=1, chunk=4)
        two = monte_carlo(docs_plan, runs=12, seed=5, workers=2, chunk=4)
        assert one.to_dict() == two.to_dict()
        assert one.tasks
        assert 0 <= one.tasks[0]["p_on_time"] <= 1

    def test_seeds_are_derived(self) -> None:
        """Run seeds depend on the base seed and run number only."""
        assert run_seed(1, 0) == run_seed(1, 0)
        assert len({run_seed(1, r) for r in range(100)}) == 100
        assert run_seed(1, 0) != run_seed(2, 0)


class TestCli:
    """`planflow simulate`."""

    def test_json_and_events_are_byte_identical(self, tmp_path: Path) -> None:
        """Same plan and seed ⇒ the same bytes."""
        path = write_docs_example(tmp_path)
        outs = []
        for n in range(2):
            events = tmp_path / f"e{n}.jsonl"
            args = [
                "simulate",
                str(path),
                "--model",
                "random",
                "--seed",
                "9",
                "--json",
                "--events",
                str(events),
            ]
            result = CliRunner().invoke(cli, args, catch_exceptions=False)
            assert result.exit_code == 0, result.output
            outs.append((result.output, events.read_bytes()))
        assert outs[0] == outs[1]
        data = json.loads(outs[0][0])
        assert data["kind"] == "simulation"
        lines = outs[0][1].decode().splitlines()
        assert sum(data["events"].values()) == len(lines)
        times = [json.loads(line)["time"] for line in lines]
        assert times == sorted(times)

    def test_human_summary(self, tmp_path: Path) -> None:
        """The default output is a summary with tables."""
        path = write_docs_example(tmp_path)
        result = CliRunner().invoke(cli, ["simulate", str(path)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert "Per unit" in result.output
        assert "All quantity targets met." in result.output

    def test_monte_carlo_json(self, tmp_path: Path) -> None:
        """--runs N prints probabilities."""
        path = write_docs_example(tmp_path)
        args = ["simulate", str(path), "--runs", "8", "--workers", "1", "--json"]
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["runs"] == 8

    @pytest.mark.parametrize(
        ("name", "text", "where"),
        [
            ("s.yaml", "default:\n  late: 2\n", "s.yaml:2:9"),
            ("s.yaml", "default:\n  lat: 0.5\n", "s.yaml:2:3"),
            ("s.yaml", "units:\n  vhhx: {skip: 1}\n", "s.yaml:2:3"),
            ("s.yaml", "default: [1, 2\n", "s.yaml:"),
            ("s.toml", "[default]\nlate = 0.5\ndelay = 'x'\n", "s.toml:3:1"),
            ("s.toml", "[default\n", "s.toml:1:"),
        ],
    )
    def test_bad_scenario_is_located(
        self, tmp_path: Path, name: str, text: str, where: str
    ) -> None:
        """A bad scenario file gives file:line:col messages and exit 1, no traceback."""
        path = write_docs_example(tmp_path)
        scenario = tmp_path / name
        scenario.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(cli, ["simulate", str(path), "--scenario", str(scenario)])
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert str(tmp_path / where) in result.output, result.output


def test_random_draws_are_uniform_and_reproducible() -> None:
    """The per-occurrence draws are in [0, 1), repeatable, and spread evenly."""
    from planflow.run.completion import _uniforms

    draws = [_uniforms(7, f"task@{i % 13}", i) for i in range(6000)]
    assert draws[:5] == [_uniforms(7, f"task@{i % 13}", i) for i in range(5)]
    assert _uniforms(8, "task@0", 0) != draws[0]
    flat = [u for triple in draws for u in triple]
    assert all(0.0 <= u < 1.0 for u in flat)
    deciles = [0] * 10
    for u in flat:
        deciles[int(u * 10)] += 1
    # 18,000 draws: each decile within 10 % of 1,800 (a chi-square far past p = 1e-9 otherwise)
    assert all(1620 <= n <= 1980 for n in deciles), deciles
