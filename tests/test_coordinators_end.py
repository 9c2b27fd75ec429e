"""Coordinating units that end mid-year (issue 10): after its ``until`` a unit no longer
coordinates; its successor does, or nobody. The timeline, the agenda, the feeds, the
reports, the simulated events and ``validate`` all say the same, with dates computed
by hand:

* ``bao-cao-thang`` (vp, coordinated by tp and dtn), due on the 20th, moved to the
  Friday before when it falls on a weekend: 20/01, 20/02, 20/03, 18/04 (20/04 is a
  Sunday), 20/05, 20/06 with tp and dtn; 18/07 (20/07 Sunday), 20/08, 19/09
  (20/09 Saturday), 20/10, 20/11, 19/12 (20/12 Saturday) with tp-moi only (tp hands
  over to it after 30/06; dtn ends with no successor);
* ``so-ket`` (coordinated by dtn alone), due 31/07/2025: nobody coordinates it;
* ``tuyen-truyen`` (coordinated by the group doan-the = dtn, hpn) on 10/03 and 10/09:
  dtn and hpn, then hpn alone.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import recurring_ical_events
from click.testing import CliRunner
from icalendar import Calendar

from coordinators_plan import COORDINATORS
from planflow.cli.main import cli
from planflow.feeds import plan_feed, unit_feed
from planflow.plan.loading import loads
from planflow.reports.data import build_report
from planflow.reports.periods import resolve_period
from planflow.run.single_run import simulate
from planflow.timeline.occurrences import Timeline
from planflow.timeline.validation import plan_warnings

FIRST_HALF = [date(2025, 1, 20), date(2025, 2, 20), date(2025, 3, 20),
              date(2025, 4, 18), date(2025, 5, 20), date(2025, 6, 20)]  # fmt: skip
SECOND_HALF = [date(2025, 7, 18), date(2025, 8, 20), date(2025, 9, 19),
               date(2025, 10, 20), date(2025, 11, 20), date(2025, 12, 19)]  # fmt: skip
BOTH, SUCCESSOR = ("tp", "dtn"), ("tp-moi",)


def _timeline() -> Timeline:
    return Timeline(loads(COORDINATORS).plan)


def _plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(COORDINATORS, encoding="utf-8")
    return path


def test_each_occurrence_lists_who_coordinates_on_its_due_date() -> None:
    timeline = _timeline()
    got = {(o.plan_task, o.due): timeline.coordinators_of(o) for o in timeline}
    assert got == {
        **{("bao-cao-thang", d): BOTH for d in FIRST_HALF},
        **{("bao-cao-thang", d): SUCCESSOR for d in SECOND_HALF},
        ("so-ket", date(2025, 7, 31)): (),
        ("tuyen-truyen", date(2025, 3, 10)): ("dtn", "hpn"),
        ("tuyen-truyen", date(2025, 9, 10)): ("hpn",),
    }


def test_a_duty_lists_only_units_that_coordinate_one_of_its_occurrences() -> None:
    """dtn ended before so-ket's only date: so-ket has no coordinator at all."""
    timeline = _timeline()
    assert timeline.units_of(timeline.duty("so-ket")) == ("vp", ())
    assert timeline.units_of(timeline.duty("bao-cao-thang")) == ("vp", ("tp", "dtn", "tp-moi"))


def _agenda(tmp_path: Path, unit: str) -> list[tuple[str, str, str, list[str]]]:
    out = CliRunner().invoke(cli, ["agenda", str(_plan_file(tmp_path)), "--unit", unit, "--json"])
    assert out.exit_code == 0, out.output
    return [
        (r["plan_task"], r["due"], r["role"], r["coordinators"]) for r in json.loads(out.output)
    ]


def test_agenda_of_an_ended_coordinator_stops_at_its_end(tmp_path: Path) -> None:
    """dtn coordinates the first half's six reports and the March campaign, nothing after."""
    rows = _agenda(tmp_path, "dtn")
    assert sorted(rows) == sorted(
        [("bao-cao-thang", d.isoformat(), "coordinator", ["tp", "dtn"]) for d in FIRST_HALF]
        + [("tuyen-truyen", "2025-03-10", "coordinator", ["dtn", "hpn"])]
    )


def test_agenda_of_the_successor_starts_after_the_hand_over(tmp_path: Path) -> None:
    rows = _agenda(tmp_path, "tp-moi")
    assert sorted(rows) == [
        ("bao-cao-thang", d.isoformat(), "coordinator", ["tp-moi"]) for d in SECOND_HALF
    ]


def _read_back(feed: bytes) -> dict[str, list[date]]:
    """Each VEVENT's UID → its dates, as recurring-ical-events expands the feed."""
    found: dict[str, list[date]] = {}
    events = recurring_ical_events.of(Calendar.from_ical(feed)).between(
        date(2025, 1, 1), date(2026, 1, 1)
    )
    for event in events:
        found.setdefault(str(event["UID"]).split("@", 1)[0], []).append(event.decoded("DTSTART"))
    return {uid: sorted(days) for uid, days in found.items()}


def _attendees(feed: bytes) -> dict[str, list[str]]:
    """Each VEVENT's UID → the e-mail of each ATTENDEE."""
    out = {}
    for event in Calendar.from_ical(feed).walk("VEVENT"):
        listed = event.get("ATTENDEE", [])
        listed = listed if isinstance(listed, list) else [listed]
        out[str(event["UID"]).split("@", 1)[0]] = [str(a).removeprefix("mailto:") for a in listed]
    return out


def test_plan_feed_splits_the_series_where_the_coordinators_change() -> None:
    """One VEVENT per stretch: the first keeps the duty's UID and names tp and dtn, the
    second (from 01/07) names tp-moi only, in ATTENDEE and in the description."""
    plan = loads(COORDINATORS).plan
    for expand in (False, True):
        feed = plan_feed(plan, expand=expand)
        dates = _read_back(feed)
        people = _attendees(feed)
        if expand:
            uids = {uid: day for uid, days in dates.items() for day in days}
            assert people["bao-cao-thang/20250620"] == ["tp@phulam.gov.vn", "dtn@phulam.gov.vn"]
            assert people["bao-cao-thang/20250720"] == ["tpmoi@phulam.gov.vn"]
            assert people["so-ket/20250731"] == []
            assert uids["bao-cao-thang/20250720"] == date(2025, 7, 18)
            continue
        assert dates["bao-cao-thang"] == FIRST_HALF
        assert dates["bao-cao-thang/phoi-hop-20250701"] == SECOND_HALF
        assert people["bao-cao-thang"] == ["tp@phulam.gov.vn", "dtn@phulam.gov.vn"]
        assert people["bao-cao-thang/phoi-hop-20250701"] == ["tpmoi@phulam.gov.vn"]
        assert people["so-ket"] == []
        assert people["tuyen-truyen"] == ["dtn@phulam.gov.vn", "hpn@phulam.gov.vn"]
        assert people["tuyen-truyen/phoi-hop-20250701"] == ["hpn@phulam.gov.vn"]
        events = {str(e["UID"]).split("@")[0]: e for e in Calendar.from_ical(feed).walk("VEVENT")}
        later = str(events["bao-cao-thang/phoi-hop-20250701"]["DESCRIPTION"])
        assert "Phối hợp: Phòng Tư pháp xã Phú Lâm (mới)\n" in later
        assert "Đoàn Thanh niên" not in later
        assert later.endswith("áp dụng cho các lần đến hạn từ ngày 01/07/2025.")
        first = str(events["bao-cao-thang"]["DESCRIPTION"])
        assert "Phối hợp: Công chức Tư pháp - Hộ tịch; Đoàn Thanh niên xã\n" in first
        assert first.endswith("áp dụng cho các lần đến hạn đến hết ngày 30/06/2025.")
        assert "phối hợp" not in str(events["so-ket"]["DESCRIPTION"]).lower()


def test_unit_feeds_show_only_the_stretches_a_unit_coordinates() -> None:
    plan = loads(COORDINATORS).plan
    assert _read_back(unit_feed(plan, "dtn")) == {
        "bao-cao-thang": FIRST_HALF,
        "tuyen-truyen": [date(2025, 3, 10)],
    }
    assert _read_back(unit_feed(plan, "tp-moi")) == {"bao-cao-thang/phoi-hop-20250701": SECOND_HALF}
    assert _read_back(unit_feed(plan, "hpn")) == {
        "tuyen-truyen": [date(2025, 3, 10)],
        "tuyen-truyen/phoi-hop-20250701": [date(2025, 9, 10)],
    }
    # the lead sees every stretch
    assert _read_back(unit_feed(plan, "vp"))["bao-cao-thang/phoi-hop-20250701"] == SECOND_HALF


def test_reports_count_a_coordinator_only_while_it_exists() -> None:
    """Quarter III (01/07–30/09): tp-moi coordinates 3 reports (18/07, 20/08, 19/09) and
    hpn the campaign of 10/09; tp and dtn nothing. Quarter I: tp 3 (20/01, 20/02,
    20/03), dtn those 3 and the campaign of 10/03, hpn that campaign."""
    plan = loads(COORDINATORS).plan
    result = simulate(plan, model="on-time")
    q3 = build_report(result, resolve_period(plan, "2025-Q3"))
    assert {u.unit: u.coordinated for u in q3.units if u.coordinated} == {"tp-moi": 3, "hpn": 1}
    tasks = {t.task: t.coordinators for t in q3.tasks}
    # as the plan names them: the group still exists; dtn, ended, is not named
    assert tasks == {"bao-cao-thang": ("tp-moi",), "so-ket": (), "tuyen-truyen": ("doan-the",)}
    assert all("dtn" not in i.coordinators for i in q3.items if i.in_period)
    h1 = build_report(result, resolve_period(plan, "2025-Q1"))
    assert {u.unit: u.coordinated for u in h1.units if u.coordinated} == {
        "tp": 3, "dtn": 4, "hpn": 1,
    }  # fmt: skip
    only_dtn = build_report(result, resolve_period(plan, "2025-Q3"), unit="dtn")
    assert [i.key for i in only_dtn.items if i.in_period] == []


def test_simulated_events_name_the_coordinators_of_their_date() -> None:
    result = simulate(loads(COORDINATORS).plan, model="on-time")
    due = {e.due: e.coordinators for e in result.events if e.plan_task == "bao-cao-thang"}
    assert due == {**dict.fromkeys(FIRST_HALF, BOTH), **dict.fromkeys(SECOND_HALF, SUCCESSOR)}
    assert {e.coordinators for e in result.events if e.plan_task == "so-ket"} == {()}


def test_validate_warns_at_the_coordinator_that_ends_with_no_successor(tmp_path: Path) -> None:
    """dtn (line 35 col 24 in bao-cao-thang, line 41 and 46 col 20) misses what falls due
    after 30/06; tp hands over to tp-moi, so it is not warned about."""
    loaded = loads(COORDINATORS, file="plan.yaml")
    found = [str(w) for w in plan_warnings(loaded) if "coordinat" in w.message]
    assert found == [
        "plan.yaml:35:24: warning: tasks[0].coordinators[1]: coordinating unit 'dtn' ends on "
        "2025-06-30 and no successor takes its part: it does not coordinate 6 occurrences "
        "due 18/07/2025, 20/08/2025, 19/09/2025 and 3 more — give unit 'dtn' a successor, "
        "or name who coordinates after it",
        "plan.yaml:41:20: warning: tasks[1].coordinators[0]: coordinating unit 'dtn' ends on "
        "2025-06-30 and no successor takes its part: it does not coordinate 1 occurrence "
        "due 31/07/2025 — give unit 'dtn' a successor, or name who coordinates after it",
        "plan.yaml:46:20: warning: tasks[2].coordinators[0]: coordinating unit 'dtn' ends on "
        "2025-06-30 and no successor takes its part: it does not coordinate 1 occurrence "
        "due 10/09/2025 — give unit 'dtn' a successor, or name who coordinates after it",
    ]
    out = CliRunner().invoke(cli, ["validate", str(_plan_file(tmp_path)), "--lang", "en"])
    assert out.exit_code == 0, out.output
    assert "coordinating unit 'dtn' ends on 2025-06-30" in out.output


def test_a_coordinator_that_begins_mid_year_is_warned_about() -> None:
    """hpn begins on 01/07: it misses the campaign of 10/03, and only that."""
    text = COORDINATORS.replace(
        '    name: "Hội Phụ nữ xã"\n', '    name: "Hội Phụ nữ xã"\n    from: 01/07/2025\n'
    )
    loaded = loads(text)
    timeline = Timeline(loaded.plan)
    assert {o.due: timeline.coordinators_of(o) for o in timeline.of_task("tuyen-truyen")} == {
        date(2025, 3, 10): ("dtn",),
        date(2025, 9, 10): ("hpn",),
    }
    (warning,) = [w for w in plan_warnings(loaded) if "'hpn'" in w.message]
    assert warning.message == (
        "coordinating unit 'hpn' begins on 2025-07-01: it does not coordinate "
        "1 occurrence due 10/03/2025"
    )
