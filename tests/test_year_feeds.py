"""Progress in the calendar feeds: ✔ and STATUS:COMPLETED when done, ⚠ when overdue."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import recurring_ical_events
from click.testing import CliRunner
from icalendar import Calendar

from planflow.cli.main import cli
from planflow.feeds import unit_feed
from planflow.feeds.state import FeedState
from planflow.jobs.progress_records import mark_done
from planflow.jobs.reports import feed_progress
from planflow.jobs.year import Year
from year_support import write_plan

AS_OF = date(2025, 3, 20)


def _components(feed: bytes, kind: str) -> dict[str, dict[str, object]]:
    calendar = Calendar.from_ical(feed)
    return {
        str(c["UID"]).removesuffix("@thu-2025.planflow"): {
            "summary": str(c["SUMMARY"]),
            "status": str(c.get("STATUS", "")),
            "completed": c.decoded("COMPLETED").date() if "COMPLETED" in c else None,
            "sequence": int(c["SEQUENCE"]),
        }
        for c in calendar.walk(kind)
    }


def test_done_and_overdue_occurrences_are_marked(tmp_path: Path) -> None:
    path = write_plan(tmp_path / "xa")
    state = FeedState()
    with Year.open(path, now=datetime(2025, 3, 20, 9)) as year:
        mark_done(year, "viec-1#3", day=date(2025, 3, 14))  # on its due date (14/03)
        mark_done(year, "viec-1#2", day=date(2025, 2, 19))  # three working days late
        plan, timeline = year.plan, year.timeline
        before = unit_feed(plan, "vhxh", timeline=timeline, todos=True, state=state,
                           progress=feed_progress(year, as_of=AS_OF))  # fmt: skip
        again = unit_feed(plan, "vhxh", timeline=timeline, todos=True, state=state,
                          progress=feed_progress(year, as_of=AS_OF))  # fmt: skip
        mark_done(year, "viec-3#3", day=date(2025, 3, 20))
        after = unit_feed(plan, "vhxh", timeline=timeline, todos=True, state=state,
                          progress=feed_progress(year, as_of=AS_OF))  # fmt: skip
        expanded = unit_feed(plan, "vhxh", timeline=timeline, expand=True,
                             progress=feed_progress(year, as_of=AS_OF))  # fmt: skip
    assert before == again  # no change of state, no change of feed
    todos = _components(before, "VTODO")
    # vhxh leads viec-1 and coordinates viec-3 (led by vp); UIDs use the rule's date
    assert todos["viec-1/20250315/todo"] == {
        "summary": "✔ Việc số 1: tuyên truyền chuyển đổi số",
        "status": "COMPLETED",
        "completed": date(2025, 3, 14),
        "sequence": 0,
    }
    assert todos["viec-1/20250215/todo"]["status"] == "COMPLETED"
    assert todos["viec-1/20250215/todo"]["completed"] == date(2025, 2, 19)
    assert todos["viec-1/20250115/todo"]["summary"] == "Việc số 1: tuyên truyền chuyển đổi số"
    assert todos["viec-3/20250315/todo"]["summary"].startswith("⚠ Quá hạn: [Phối hợp] Việc số 3")
    marked = [u for u, c in todos.items() if c["summary"][0] in "✔⚠"]
    assert sorted(marked) == [
        "viec-1/20250215/todo",
        "viec-1/20250315/todo",
        "viec-3/20250315/todo",
    ]
    # the state changed for one occurrence: only its VTODO changes, with a new SEQUENCE
    changed = _components(after, "VTODO")
    assert changed["viec-3/20250315/todo"]["summary"].startswith("✔ [Phối hợp] Việc số 3")
    assert changed["viec-3/20250315/todo"]["sequence"] == 1
    assert {u: c for u, c in changed.items() if u != "viec-3/20250315/todo"} == {
        u: c for u, c in todos.items() if u != "viec-3/20250315/todo"
    }
    # expanded feeds mark the VEVENTs too, and stay readable by a client library
    events = _components(expanded, "VEVENT")
    assert events["viec-1/20250315"]["summary"].startswith("✔ ")
    assert events["viec-3/20250315"]["summary"].startswith("✔ [Phối hợp]")
    seen = recurring_ical_events.of(Calendar.from_ical(expanded)).between(
        date(2025, 3, 1), date(2025, 4, 1)
    )
    assert sorted(str(e["SUMMARY"])[:1] for e in seen) == ["✔", "✔"]


def test_export_progress_on_the_command_line(tmp_path: Path) -> None:
    path = write_plan(tmp_path / "xa")
    runner = CliRunner()
    done = runner.invoke(cli, ["done", str(path), "viec-1#3", "--date", "2025-03-14"])
    assert done.exit_code == 0, done.output
    out = tmp_path / "feeds"
    result = runner.invoke(cli, ["export", str(path), "--out", str(out), "--todos", "--progress"])
    assert result.exit_code == 0, result.output
    feed = (out / "units" / "vhxh.ics").read_bytes()
    todos = _components(feed, "VTODO")
    assert todos["viec-1/20250315/todo"]["status"] == "COMPLETED"
    assert sum(1 for c in todos.values() if c["status"] == "COMPLETED") == 1
    plain = runner.invoke(cli, ["export", str(path), "--out", str(tmp_path / "f2"), "--todos"])
    assert (
        plain.exit_code == 0
        and b"STATUS:COMPLETED" not in (tmp_path / "f2" / "units" / "vhxh.ics").read_bytes()
    )
