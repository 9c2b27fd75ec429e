"""Regression tests for the reliability campaign (issue 16, faults 1–5 and 12).

Each test is a case the campaign found: it once gave a traceback, an error without a
place, minutes of work, or a wrong reason. The expected answers are worked out by
hand in each docstring.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hostile import (
    alias_bomb,
    group_cycle,
    many_members,
    many_tasks,
    merge_bomb,
    nested_groups,
    plan_text,
)
from planflow.cli.common import EXIT_INTERNAL
from planflow.cli.main import main
from planflow.plan.errors import PlanFileError
from planflow.plan.limits import LIMITS, OCCURRENCES_FLOOR, OCCURRENCES_PER_ENTRY, LimitError
from planflow.plan.loading import load, loads
from planflow.timeline.occurrences import Timeline

ROOT = Path(__file__).resolve().parent.parent


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run the real ``planflow`` entry point; (exit status, stderr)."""
    with pytest.raises(SystemExit) as info:
        main(argv)
    code = info.value.code
    return (code if isinstance(code, int) else 1), capsys.readouterr().err


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- fault 1: plans that load must not give tracebacks --------------------------


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "FREQ=DAILY;COUNT=9223372036854775808",
            "COUNT=9223372036854775808 is too large — COUNT is at most 1,000,000",
        ),
        ("FREQ=DAILY;INTERVAL=" + "9" * 5000, "INTERVAL=99999999999999999999… is too large"),
        (
            "FREQ=YEARLY;BYMONTH=5;BYDAY=53SU",
            "BYDAY=53SU: position 53 is out of range — use 1 to 5 or -1 (last) to -5",
        ),
    ],
)
def test_rules_that_crashed_dateutil_are_located_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rule: str, message: str
) -> None:
    """islice() overflowed past sys.maxsize and dateutil indexed past a month's fifth
    Sunday; both are now refused where the rule is written (line 15, column 17)."""
    path = write(tmp_path, plan_text(rule=rule))
    for command in ("validate", "simulate", "export"):
        extra = ["--out", str(tmp_path / "out")] if command == "export" else []
        code, err = run([command, str(path), *extra], capsys)
        assert code == 1
        assert f"{path}:15:17: tasks[0].recurrence: {message}" in err
        assert "Traceback" not in err


def test_yearly_position_without_bymonth_still_allowed() -> None:
    """Without BYMONTH, BYDAY=20MO counts Mondays in the year (RFC 5545): the 20th
    Monday of 2025 is 19 May (6 January is the first; 6 + 19 weeks)."""
    loaded = loads(plan_text(rule="FREQ=YEARLY;BYDAY=20MO"))
    (occ,) = Timeline(loaded.plan).occurrences("t")
    assert str(occ.due) == "2025-05-19"


def test_year_9999_is_refused_where_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The timeline needs the year after the plan (quarters, shifts): 9999 + 1 has no
    date, so the last plan year is 9998; 9999 is a located error, not a traceback."""
    code, err = run(["validate", str(write(tmp_path, plan_text(year=9999)))], capsys)
    assert code == 1
    assert ":6:9: plan.year: expected a year such as 2025, got 9999 — plan years run from " in err


def test_year_9998_runs_everywhere(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The last allowed year validates, simulates and exports: a daily task in 9998
    has 365 occurrences (9998 is not a leap year: 9998 % 4 == 2)."""
    path = write(tmp_path, plan_text(year=9998, rule="FREQ=DAILY"))
    for argv in (
        ["validate", str(path)],
        ["simulate", str(path)],
        ["export", str(path), "--out", str(tmp_path / "out")],
    ):
        code, err = run(argv, capsys)
        assert code == 0, err
    assert len(Timeline(load(path).plan).occurrences("t")) == 365
    feed = (tmp_path / "out" / "units" / "a.ics").read_text(encoding="utf-8")
    assert "DTSTART;VALUE=DATE:99980101" in feed


def test_internal_error_is_located_with_its_own_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any exception planflow did not expect becomes one located line and exit 70."""

    def broken(*args: object, **kwargs: object) -> None:
        raise IndexError("list index out of range")

    monkeypatch.setattr("planflow.timeline.validation.plan_warnings", broken)
    path = write(tmp_path, plan_text())
    code, err = run(["validate", str(path)], capsys)
    assert code == EXIT_INTERNAL == 70
    assert err.startswith(
        f"{path}:1:1: internal error in planflow.cli.plan_commands.validate "
        "(IndexError: list index out of range), please report"
    )
    assert "Traceback" not in err


# --- fault 2: every plan error names FILE:LINE:COL -------------------------------


def test_limit_errors_point_at_the_task(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A limit found by the timeline points at the task that crossed it: task t's
    ``id`` is on line 11, column 9 (``  - id: t``)."""
    monkeypatch.setenv("PLANFLOW_MAX_TASK_OCCURRENCES", "100")
    path = write(tmp_path, plan_text(rule="FREQ=DAILY"))
    code, err = run(["validate", str(path)], capsys)
    assert code == 1
    assert err.startswith(
        f"{path}:11:9: the plan has more than 100 occurrences of one task (its dates times the "
        "units that each do it) (task 't'): at least 365"
    )


# --- fault 3: small files that took minutes --------------------------------------


def refused_in(fn: Callable[[], object], error: type[Exception] = PlanFileError) -> float:
    """Seconds until ``fn`` raises ``error`` (it must)."""
    start = time.perf_counter()
    with pytest.raises(error):
        fn()
    return time.perf_counter() - start


def test_merge_key_bomb_is_linear() -> None:
    """``<<: [*m, *m, …]`` eight levels deep (once 123 s): each mapping's merges are
    resolved once. The merged document keeps every key once: m8 holds k0 … k9."""
    text = merge_bomb(levels=8, width=10)
    seconds = refused_in(lambda: loads(text))
    assert seconds < 5
    from planflow.plan.yamldoc import parse_yaml

    data = parse_yaml(text, "x").data
    assert sorted(data["m8"]) == sorted(f"k{i}" for i in range(10))


def test_merge_keys_count_as_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Merged pairs count towards the alias limit: 10 merges of a 2-key mapping copy
    20 pairs, more than a limit of 15."""
    monkeypatch.setenv("PLANFLOW_MAX_ALIAS_VALUES", "15")
    refs = ", ".join(["*m"] * 10)
    with pytest.raises(PlanFileError, match=r"merge keys \(<<\) copy more than 15 values"):
        loads(f"m: &m {{a: 1, b: 2}}\nx: {{<<: [{refs}]}}\n" + plan_text())


def test_alias_bomb_says_aliases() -> None:
    """The billion laughs is refused in well under a second, naming aliases."""
    seconds = refused_in(lambda: loads(alias_bomb()))
    assert seconds < 5  # (once unbounded; about 0.3 s on an idle machine)
    with pytest.raises(PlanFileError, match="aliases"):
        loads(alias_bomb())


def test_nested_groups_are_expanded_once() -> None:
    """40 levels of groups that each list the two below (2**40 paths; once it did not
    finish): members of the top group are just a and b, in first-seen order, so the
    task has 2 duties × 12 monthly dates = 24 occurrences."""
    start = time.perf_counter()
    loaded = loads(nested_groups(40))
    assert time.perf_counter() - start < 5
    assert loaded.plan.members("g40") == ("a", "b")
    assert loaded.plan.members("h0") == ("b", "a")
    assert Timeline(loaded.plan).check_size() == 24


def test_indirect_group_cycle_is_refused() -> None:
    """ga lists gb and gb lists ga: an error at ga's members (line 13, column 14)."""
    with pytest.raises(PlanFileError) as info:
        loads(group_cycle(), file="plan.yaml")
    assert [str(p) for p in info.value.errors] == [
        "plan.yaml:13:14: groups[0].members: groups contain each other: ga → gb → ga — a "
        "group may list groups below it, never one that lists it back"
    ]


# --- faults 4 and 5: limits that say what they measure ---------------------------


def test_values_limit_names_values_not_aliases(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plan with many values and no alias is refused for its values (not "aliases"),
    and loads once the documented variable raises the limit."""
    text = many_members(150, rule="FREQ=MONTHLY;BYMONTHDAY=1")
    monkeypatch.setenv("PLANFLOW_MAX_VALUES", "300")
    with pytest.raises(PlanFileError) as info:
        loads(text, file="plan.yaml")
    message = str(info.value)
    assert message.startswith("plan.yaml:1:1: the document has more than 300 values")
    assert "alias" not in message and "PLANFLOW_MAX_VALUES" in message
    monkeypatch.setenv("PLANFLOW_MAX_VALUES", "5000")
    assert len(loads(text).plan.units) == 151


def test_many_members_refused_before_any_work() -> None:
    """One group of 3,000 units leading a daily task each (once 50 s and 1.76 GB):
    3,000 × 365 = 1,095,000 occurrences, refused after one schedule is computed."""
    loaded = loads(many_members(3000))
    seconds = refused_in(Timeline(loaded.plan).check_size, LimitError)
    assert seconds < 5
    with pytest.raises(LimitError, match="at least 1,095,000"):
        Timeline(loaded.plan).check_size()


def test_occurrences_follow_the_plan_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """400 daily tasks of one unit: 401 entries allow 200 × 401 = 80,200 occurrences;
    the 220th task crosses it (220 × 365 = 80,300). 100 tasks (36,500) are under the
    floor of 50,000; PLANFLOW_MAX_OCCURRENCES lifts the limit to the number given."""
    assert (OCCURRENCES_FLOOR, OCCURRENCES_PER_ENTRY) == (50_000, 200)
    timeline = Timeline(loads(many_tasks(400)).plan)
    with pytest.raises(LimitError, match=r"more than 80,200 occurrences .*'t219'.*at least 80,300"):
        timeline.check_size()
    assert Timeline(loads(many_tasks(100)).plan).check_size() == 36_500
    monkeypatch.setenv("PLANFLOW_MAX_OCCURRENCES", "200000")
    assert Timeline(loads(many_tasks(400)).plan).check_size() == 146_000


def test_every_limit_is_documented_as_it_is() -> None:
    """docs/limits.md gives each limit's variable with its real default."""
    text = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    for limit in LIMITS:
        row = next(line for line in text.splitlines() if f"`{limit.env}`" in line)
        numbers = {int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", row)}
        assert limit.default in numbers, (limit.env, row)


# --- fault 12: minor -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("char", "name"), [("\u200b", "ZERO WIDTH SPACE"), ("\u202e", "RIGHT-TO-LEFT OVERRIDE")]
)
def test_invisible_characters_are_warned(char: str, name: str) -> None:
    """A zero-width or bidi-override character in a title is accepted with a warning
    at the title (line 12, column 12)."""
    text = plan_text().replace('title: "Việc"', f'title: "Vi{char}ệc"')
    loaded = loads(text, file="plan.yaml")
    assert [str(w) for w in loaded.warnings] == [
        f"plan.yaml:12:12: warning: tasks[0].title: the text contains an invisible character "
        f"U+{ord(char):04X} ({name}) — delete it: it hides or reorders letters, so the text "
        "does not read as it shows"
    ]


def test_unit_name_without_diacritics_gets_a_suggestion() -> None:
    """``lead: Don vi A`` (for "Đơn vị A") names no unit; the hint names unit a."""
    text = plan_text().replace("lead: a", "lead: Don vi A")
    with pytest.raises(PlanFileError) as info:
        loads(text, file="plan.yaml")
    assert str(info.value) == (
        "plan.yaml:13:11: tasks[0].lead: unknown unit 'Don vi A' — did you mean unit 'a'? "
        "names must be written with their diacritics"
    )


def test_limits_doc_sample_runs() -> None:
    """The shell sample of docs/limits.md runs as written (from the repository root)."""
    import os
    import shlex
    import subprocess
    import sys

    text = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    (sample,) = re.findall(r"```sh\n(.*?)\n```", text, re.DOTALL)
    assignment, command = sample.split(" ", 1)
    name, value = assignment.split("=")
    argv = shlex.split(command)
    assert argv[0] == "planflow"
    code = "from planflow.cli.main import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, *argv[1:]],
        cwd=ROOT,
        env={**os.environ, name: value},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "334 occurrences" in done.stdout


def test_export_refuses_to_replace_the_current_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each export replaces its whole folder, so ``--out .`` (or a parent) is refused."""
    path = write(tmp_path, plan_text())
    monkeypatch.chdir(tmp_path)
    code, err = run(["export", str(path), "--out", "."], capsys)
    assert code == 1
    assert "the feeds folder would hold the current folder" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml"]


def test_export_keeps_foreign_files_and_links(tmp_path: Path) -> None:
    """Files planflow did not write, and symbolic links, survive the folder switch."""
    from planflow.feeds import export_feeds

    plan = loads(plan_text()).plan
    out = tmp_path / "feeds"
    export_feeds(plan, out)
    (out / "index.html").write_text("<p>lịch</p>", encoding="utf-8")
    (tmp_path / "shared").mkdir()
    (out / "shared").symlink_to(tmp_path / "shared")
    export_feeds(plan, out)
    assert (out / "index.html").read_text(encoding="utf-8") == "<p>lịch</p>"
    assert (out / "shared").is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".feeds.lock", "feeds", "shared"]
