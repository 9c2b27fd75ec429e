"""Workspaces: a folder of plans run as one; the oracle is each plan run on its own."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.workspaces import EXAMPLE, WORKSPACE_FILE, commune, write

from planflow.cli.main import cli
from planflow.plan.errors import PlanFileError
from planflow.plan.loading import load
from planflow.workspace import (
    PlanCache,
    Session,
    is_workspace,
    load_member,
    open_workspace,
    run_each,
)

EXAMPLE_OCCURRENCES = 334  # planflow validate examples/boy_2025


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def province(tmp_path: Path) -> Path:
    """Three communes; the third has two tasks fewer."""
    return write(
        tmp_path / "tinh",
        {"c0001": commune(1), "c0002": commune(2), "c0003": commune(3, drop_tasks=2)},
    )


def invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


class TestRecognising:
    def test_a_folder_of_plan_folders_is_a_workspace(self, tmp_path: Path) -> None:
        """No workspace file is needed: */plan.yaml is enough; a plan folder is not one."""
        root = write(tmp_path / "ws", {"a": commune(1, shared=False)}, workspace_file=None)
        assert is_workspace(root)
        assert not is_workspace(root / "a")
        assert not is_workspace(EXAMPLE.parent)
        assert not is_workspace(tmp_path / "nothing")

    def test_plans_globs_of_the_workspace_file(self, tmp_path: Path) -> None:
        """plans: picks the plan files; files outside the globs are not plans."""
        root = tmp_path / "ws"
        (root / "xa").mkdir(parents=True)
        (root / "xa" / "c1.yaml").write_text(commune(1, shared=False), encoding="utf-8")
        (root / "notes.yaml").write_text("not: a plan\n", encoding="utf-8")
        (root / "planflow-workspace.yaml").write_text('plans: ["xa/*.yaml"]\n', encoding="utf-8")
        ws = open_workspace(root)
        assert [m.key for m in ws.members] == ["xa/c1.yaml"]
        assert ws.members[0].folder_name == "c1"

    def test_a_bad_shared_unit_is_located_in_the_workspace_file(self, tmp_path: Path) -> None:
        """A shared unit without a name: FILE:LINE:COL in planflow-workspace.yaml."""
        root = write(tmp_path / "ws", {"a": commune(1)}, "units:\n  - id: sonv\n")
        with pytest.raises(PlanFileError) as caught:
            open_workspace(root)
        text = str(caught.value.problems[0])
        assert text.startswith(f"{root / 'planflow-workspace.yaml'}:2:5:")
        assert "name" in text


class TestSharedUnits:
    def test_a_plan_may_name_a_shared_unit(self, province: Path) -> None:
        """sonv is defined once, in the workspace file; alone, the plan does not load."""
        with pytest.raises(PlanFileError, match="unknown unit 'sonv'"):
            load(province / "c0001")
        session = Session.open(open_workspace(province), use_cache=False)
        plan = load_member(session, session.workspace.members[0]).plan
        assert plan.unit("sonv").name == "Sở Nội vụ tỉnh"
        assert "sonv" in plan.task("report-bcd").coordinators

    def test_a_plan_defining_the_unit_keeps_its_own(self, tmp_path: Path) -> None:
        """A plan that lists a unit with a shared unit's id keeps its own definition."""
        text = commune(1).replace("units:\n", "units:\n- id: sonv\n  name: Sở Nội vụ (riêng)\n", 1)
        root = write(tmp_path / "ws", {"a": text})
        session = Session.open(open_workspace(root), use_cache=False)
        plan = load_member(session, session.workspace.members[0]).plan
        assert [u.name for u in plan.units if u.id == "sonv"] == ["Sở Nội vụ (riêng)"]


class TestCache:
    def test_an_unchanged_plan_is_read_from_the_cache(self, province: Path) -> None:
        """The second load is a hit and gives an equal plan; an edit is a miss."""
        ws = open_workspace(province)
        member = ws.members[0]
        first = Session.open(ws)
        plan = load_member(first, member).plan
        assert (first.cache.hits, first.cache.misses) == (0, 1)
        second = Session.open(ws)
        assert load_member(second, member).plan == plan
        assert (second.cache.hits, second.cache.misses) == (1, 0)
        member.path.write_text(
            commune(1).replace("Kế hoạch xã số 1", "Kế hoạch sửa"), encoding="utf-8"
        )
        third = Session.open(ws)
        assert load_member(third, member).plan.title == "Kế hoạch sửa"
        assert third.cache.misses == 1

    def test_a_damaged_entry_is_ignored_and_rebuilt(self, province: Path) -> None:
        """Truncated or garbage entries: a miss, then a good entry again."""
        ws = open_workspace(province)
        member = ws.members[0]
        load_member(Session.open(ws), member)
        (entry,) = (province / ".planflow" / "cache").glob("*.pickle")
        for damage in (entry.read_bytes()[:100], b"not a pickle"):
            entry.write_bytes(damage)
            session = Session.open(ws)
            assert load_member(session, member).plan.id == "c0001-2025"
            assert session.cache.misses == 1
            assert Session.open(ws).cache.get(member.key) is not None

    def test_a_changed_workspace_file_invalidates_every_plan(self, province: Path) -> None:
        """The shared units are part of every plan: renaming one reloads them all."""
        ws = open_workspace(province)
        list(run_each(Session.open(ws), _title, jobs=1))
        (province / "planflow-workspace.yaml").write_text(
            WORKSPACE_FILE.replace("Sở Nội vụ tỉnh", "Sở Nội vụ tỉnh X"), encoding="utf-8"
        )
        session = Session.open(open_workspace(province))
        names = {load_member(session, m).plan.unit("sonv").name for m in ws.members}
        assert names == {"Sở Nội vụ tỉnh X"}
        assert (session.cache.hits, session.cache.misses) == (0, 3)

    def test_a_changed_template_invalidates_the_plans_extending_it(self, tmp_path: Path) -> None:
        """An entry records every source file: editing one of them is a miss."""
        plan_file = write(tmp_path / "ws", {"a": commune(1, shared=False)}, None) / "a/plan.yaml"
        template = tmp_path / "province.yaml"
        template.write_text("tasks: []\n", encoding="utf-8")
        cache = PlanCache(tmp_path / "cache")
        loaded = load(plan_file)
        cache.put("a", loaded, [plan_file, template])
        assert cache.get("a") == loaded
        template.write_text("tasks: [x]\n", encoding="utf-8")
        assert cache.get("a") is None
        assert (cache.hits, cache.misses) == (1, 1)


def _title(session: Session, member: object) -> str:
    return load_member(session, member).plan.title  # type: ignore[arg-type]


def test_processes_give_what_one_process_gives(province: Path) -> None:
    """run_each in 2 processes: the same results, in the workspace's order."""
    session = Session.open(open_workspace(province), use_cache=False)
    one = list(run_each(session, _title, jobs=1))
    assert one == ["Kế hoạch xã số 1", "Kế hoạch xã số 2", "Kế hoạch xã số 3"]
    many = write(province.parent / "many", {f"c{i:04d}": commune(i) for i in range(1, 9)})
    session = Session.open(open_workspace(many), use_cache=False)
    assert list(run_each(session, _title, jobs=2)) == [f"Kế hoạch xã số {i}" for i in range(1, 9)]


class TestValidate:
    def test_counts_are_the_sum_of_the_plans(self, runner: CliRunner, province: Path) -> None:
        """3 plans; occurrences = the single plans' counts added up."""
        code, out, _ = invoke(runner, "validate", str(province))
        assert code == 0
        counts = []
        for folder in ("c0001", "c0002", "c0003"):
            _, single, _ = invoke(runner, "validate", str(province), "--plan", folder)
            counts.append(int(single.split(" occurrences")[0].rsplit(" ", 1)[1]))
        assert counts[0] == EXAMPLE_OCCURRENCES
        assert f"{sum(counts):,} occurrences" in out
        assert "3 plans, 3 OK, 0 with errors" in out

    def test_in_vietnamese(self, runner: CliRunner, tmp_path: Path) -> None:
        """--lang vi: the summary as an official reads it, numbers written 1.336."""
        root = write(tmp_path / "ws", {f"c{i:04d}": commune(i) for i in range(1, 5)})
        code, out, _ = invoke(runner, "validate", str(root), "--lang", "vi")
        assert code == 0
        total = 4 * EXAMPLE_OCCURRENCES  # four copies of the example plan
        assert "4 kế hoạch, 4 đạt, 0 có lỗi" in out
        assert f"{total:,} lượt việc".replace(",", ".") in out

    def test_a_broken_plan_is_located_and_fails_the_run(
        self, runner: CliRunner, province: Path
    ) -> None:
        """Errors of one plan: FILE:LINE:COL on stderr, exit 1, the others still checked."""
        bad = province / "c0002" / "plan.yaml"
        bad.write_text(bad.read_text(encoding="utf-8").replace("lead: vhxh", "lead: vhhx", 1))
        code, out, err = invoke(runner, "validate", str(province))
        assert code == 1
        assert f"{bad}:" in err and "unknown unit 'vhhx'" in err
        assert "3 plans, 2 OK, 1 with errors" in out

    def test_two_plans_with_one_id(self, runner: CliRunner, tmp_path: Path) -> None:
        """Plan ids namespace the workspace: a repeated id is an error naming both files."""
        root = write(tmp_path / "ws", {"a": commune(1), "b": commune(1)})
        code, _, err = invoke(runner, "validate", str(root))
        assert code == 1
        assert "plan id 'c0001-2025' is also the id of b/plan.yaml" in err


class TestSimulate:
    def test_plans_worst_first_with_the_single_plan_figures(
        self, runner: CliRunner, province: Path
    ) -> None:
        """Each plan's row equals `simulate --plan ID --json`; rows are ordered worst first."""
        args = ("--model", "random", "--seed", "5", "--json")
        code, out, _ = invoke(runner, "simulate", str(province), *args)
        assert code == 0
        summary = json.loads(out)
        singles = {}
        for folder in ("c0001", "c0002", "c0003"):
            _, single, _ = invoke(runner, "simulate", str(province), "--plan", folder, *args)
            data = json.loads(single)
            singles[data["plan"]] = data["totals"]
        rows = {r["plan"]: {k: r[k] for k in singles[r["plan"]]} for r in summary["plans"]}
        assert rows == singles
        expected = sorted(singles, key=lambda p: (-singles[p]["missed"], -singles[p]["late"], p))
        assert [r["plan"] for r in summary["plans"]][:1] == expected[:1]
        assert summary["totals"]["planned"] == sum(t["planned"] for t in singles.values())
        assert singles["c0003-2025"]["planned"] < singles["c0001-2025"]["planned"]

    def test_a_shared_unit_counts_its_part_in_every_plan(
        self, runner: CliRunner, province: Path
    ) -> None:
        """sonv coordinates report-bcd (4 a year) in each of the 3 plans: 12 occurrences."""
        code, out, _ = invoke(runner, "simulate", str(province), "--json")
        assert code == 0
        (sonv,) = json.loads(out)["shared_units"]
        _, agenda, _ = invoke(runner, "agenda", str(province), "--plan", "c0001", "--unit",
                              "sonv", "--json")  # fmt: skip
        per_plan = len(json.loads(agenda))
        assert per_plan == 4
        assert (sonv["unit"], sonv["plans"], sonv["planned"]) == ("sonv", 3, 3 * per_plan)

    def test_units_are_namespaced_and_listed_only_when_asked(
        self, runner: CliRunner, province: Path
    ) -> None:
        """No per-unit rows without --all; with it, PLAN-ID/unit, and sonv among shared."""
        _, out, _ = invoke(runner, "simulate", str(province), "--json")
        assert "units" not in json.loads(out)
        _, out, _ = invoke(runner, "simulate", str(province), "--json", "--all")
        units = [r["unit"] for r in json.loads(out)["units"]]
        assert "c0001-2025/vhxh" in units and "c0003-2025/vhxh" in units
        assert not any(u.endswith("/sonv") for u in units)

    def test_the_table_lists_the_worst_plans_only(self, runner: CliRunner, tmp_path: Path) -> None:
        """25 plans: 20 rows and a line saying 5 more."""
        root = write(tmp_path / "ws", {f"c{i:04d}": commune(i) for i in range(1, 26)})
        code, out, _ = invoke(runner, "simulate", str(root))
        assert code == 0
        assert out.count("-2025 ") + out.count("-2025 │") >= 20
        assert "c0025-2025" not in out
        assert "… and 5 more plans (--all lists them" in out

    def test_single_plan_options_need_plan(self, runner: CliRunner, province: Path) -> None:
        """--notify with a workspace and no --plan: a usage error, not a traceback."""
        result = runner.invoke(cli, ["simulate", str(province), "--notify", "console"])
        assert result.exit_code == 2
        assert "--notify needs --plan ID" in result.output


class TestExport:
    def test_every_plan_in_its_folder_as_exported_alone(
        self, runner: CliRunner, province: Path, tmp_path: Path
    ) -> None:
        """OUT/PLAN-ID/ holds the same bytes as exporting that plan with --plan."""
        out = tmp_path / "out"
        code, _, err = invoke(runner, "export", str(province), "--out", str(out))
        assert code == 0, err
        folders = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
        assert folders == ["c0001-2025", "c0002-2025", "c0003-2025"]
        alone = tmp_path / "alone"
        invoke(runner, "export", str(province), "--plan", "c0002", "--out", str(alone))
        for name in ("plan.ics", "units/sonv.ics", "units/vhxh.ics"):
            assert (out / "c0002-2025" / name).read_bytes() == (
                alone / "c0002-2025" / name
            ).read_bytes()
        assert (
            b"S\xe1\xbb\x9f N\xe1\xbb\x99i v\xe1\xbb\xa5"
            in (out / "c0002-2025" / "units" / "sonv.ics").read_bytes()
        )  # "Sở Nội vụ" in the shared unit's feed
        assert not [p for p in out.iterdir() if p.name.startswith(".planflow-claims")]

    def test_a_repeated_plan_id_writes_one_folder(self, runner: CliRunner, tmp_path: Path) -> None:
        """Two plans with one id: one is exported, the other refused; exit 1."""
        root = write(tmp_path / "ws", {"a": commune(1), "b": commune(1)})
        code, _, err = invoke(runner, "export", str(root), "--out", str(tmp_path / "o"))
        assert code == 1
        assert "plan id 'c0001-2025'" in err
        assert [p.name for p in (tmp_path / "o").iterdir() if p.name[0] != "."] == ["c0001-2025"]


def test_agenda_of_a_shared_unit_counts_plans(runner: CliRunner, province: Path) -> None:
    """--unit sonv: one row per date and task, with the number of plans."""
    code, out, _ = invoke(runner, "agenda", str(province), "--unit", "sonv",
                          "--from", "2025-06-01", "--to", "2025-06-30")  # fmt: skip
    assert code == 0
    assert "2025-06-20" in out and "3 (c0001-2025, c0002-2025 +1)" in out
    result = runner.invoke(cli, ["agenda", str(province), "--unit", "vhxh"])
    assert result.exit_code == 2 and "not a shared unit" in result.output


def test_no_cache_is_written_when_asked(runner: CliRunner, province: Path) -> None:
    """--no-cache leaves no .planflow folder behind."""
    invoke(runner, "validate", str(province), "--no-cache")
    assert not (province / ".planflow").exists()
    invoke(runner, "validate", str(province))
    assert len(os.listdir(province / ".planflow" / "cache")) == 6  # 3 plans, 3 results


def test_a_warm_run_reuses_results_until_a_plan_changes(runner: CliRunner, province: Path) -> None:
    """The second simulate reads each plan's result; an edited plan is simulated again,
    and its new figures are those of the edited plan run alone."""
    args = ("simulate", str(province), "--model", "random", "--seed", "2", "--json")
    first = json.loads(invoke(runner, *args)[1])
    results = list((province / ".planflow" / "cache").glob("*.pickle"))
    assert len(results) == 6  # 3 plans + 3 results
    assert json.loads(invoke(runner, *args)[1]) == first
    plan = province / "c0001" / "plan.yaml"
    plan.write_text(commune(1, drop_tasks=3), encoding="utf-8")
    again = json.loads(invoke(runner, *args)[1])
    alone = json.loads(invoke(runner, *args, "--plan", "c0001")[1])
    (row,) = [r for r in again["plans"] if r["plan"] == "c0001-2025"]
    assert row["planned"] == alone["totals"]["planned"] < EXAMPLE_OCCURRENCES
    other = [r for r in again["plans"] if r["plan"] == "c0002-2025"]
    assert other == [r for r in first["plans"] if r["plan"] == "c0002-2025"]
    seeded = json.loads(invoke(runner, *args[:-2], "7", "--json")[1])
    assert seeded["seed"] == 7 and seeded["totals"] != again["totals"]


def test_an_unchanged_plan_is_not_exported_again(
    runner: CliRunner, province: Path, tmp_path: Path
) -> None:
    """Export twice: the second skips every plan; an edited plan, or a removed feed,
    is exported again, with the bytes a fresh export writes."""
    out = tmp_path / "out"
    invoke(runner, "export", str(province), "--out", str(out))
    feed = out / "c0001-2025" / "units" / "vhxh.ics"
    mtime = feed.stat().st_mtime_ns
    _, _, err = invoke(runner, "export", str(province), "--out", str(out))
    assert "(3 plans unchanged since the last export)" in err
    plan = province / "c0002" / "plan.yaml"
    plan.write_text(commune(2).replace("Kế hoạch xã số 2", "Kế hoạch mới"), encoding="utf-8")
    (out / "c0003-2025" / "plan.ics").unlink()
    _, _, err = invoke(runner, "export", str(province), "--out", str(out))
    assert "(1 plan unchanged since the last export)" in err
    assert "Kế hoạch mới".encode() in (out / "c0002-2025" / "plan.ics").read_bytes()
    fresh = tmp_path / "fresh"
    invoke(runner, "export", str(province), "--out", str(fresh))
    for name in ("c0003-2025/plan.ics", "c0001-2025/units/vhxh.ics"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes()
    # the edited plan's events were re-issued: SEQUENCE went up where a fresh export has 0
    assert b"SEQUENCE:1" in (out / "c0002-2025" / "plan.ics").read_bytes()
    assert feed.stat().st_mtime_ns == mtime  # the unchanged plan was not written again


def test_a_plan_of_the_workspace_named_by_its_path(runner: CliRunner, province: Path) -> None:
    """`planflow validate tinh/c0001` loads the plan with the workspace's shared units,
    as --plan does; a plan file outside any workspace file is loaded alone."""
    code, out, _ = invoke(runner, "validate", str(province / "c0001"))
    assert code == 0 and f"{EXAMPLE_OCCURRENCES} occurrences" in out
    (province / "planflow-workspace.yaml").unlink()
    result = runner.invoke(cli, ["validate", str(province / "c0001")])
    assert result.exit_code == 1 and "unknown unit 'sonv'" in result.output


def test_status_of_a_workspace_adds_up_its_plans(runner: CliRunner, tmp_path: Path) -> None:
    """status WORKSPACE: each plan's counts are those of `status PLAN` run on its own file,
    and the totals are their sum (one SQLite database shared by every plan)."""
    import json

    root = write(tmp_path / "ws", {"c0001": commune(1), "c0002": commune(2, drop_tasks=2)})
    db = f"sqlite:///{tmp_path / 'state.db'}"
    now = "2025-10-06"
    code, out, _ = invoke(runner, "status", str(root), "--db", db, "--now", now, "--json")
    assert code == 0
    summary = json.loads(out)
    totals = dict.fromkeys(summary["totals"], 0)
    for folder in ("c0001", "c0002"):
        code, single, _ = invoke(runner, "status", str(root / folder), "--db", db, "--now", now,
                                 "--json")  # fmt: skip
        assert code == 0
        units = json.loads(single)["units"]
        row = next(r for r in summary["plans"] if r["file"] == f"{folder}/plan.yaml")
        for category in totals:
            expected = sum(u[category] for u in units)
            assert row[category] == expected
            totals[category] += expected
    assert summary["totals"] == totals
    assert totals["overdue"] > 0  # nothing recorded done by October: work is overdue
    first, second = summary["plans"]
    assert first["overdue"] >= second["overdue"]
