"""Issue 16's bounds on issue 10's hand-over paths: successor circles are errors found
in linear time, hand-over duties count towards the limits, indicator owners that are
groups are resolved once per unit."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from communes import UNITS
from hostile import plan_text
from planflow.plan.errors import PlanFileError
from planflow.plan.limits import LimitError
from planflow.plan.loading import loads
from planflow.run.indicators import owners_of
from planflow.timeline.occurrences import Timeline

MONTHLY = "FREQ=MONTHLY;BYMONTHDAY=15"


def unit(uid: str, until: str | None = None, successor: str | None = None) -> str:
    """One unit entry, with its end and successor when given."""
    text = f'  - id: {uid}\n    name: "Đơn vị {uid}"\n'
    if until:
        text += f"    until: {until}\n"
    if successor:
        text += f"    successor: {successor}\n"
    return text


def chain(count: int) -> str:
    """u0 … u{count-1}, each ending one day after the one before and handing over to the
    next (the last keeps the task to the year's end)."""
    first = date(2025, 1, 1)
    return "".join(
        unit(f"u{i}", (first + timedelta(days=i)).isoformat(), f"u{i + 1}")
        if i < count - 1
        else unit(f"u{i}")
        for i in range(count)
    )


def test_successor_circle_is_one_located_error() -> None:
    """a → b → c → a, and d leading into the circle: one error, at the circle's first
    unit's successor (units[0]: 'successor: b' on line 11, column 16), written from it."""
    units = (
        unit("a", "2025-03-31", "b")
        + unit("b", "2025-06-30", "c")
        + unit("c", "2025-09-30", "a")
        + unit("d", "2025-02-28", "a")
    )
    with pytest.raises(PlanFileError) as info:
        loads(plan_text(units=units, rule=MONTHLY).replace("lead: a", "lead: d"), file="p.yaml")
    assert [str(p) for p in info.value.errors] == [
        "p.yaml:11:16: units[0].successor: successors go round in a circle: a → b → c → a"
        " — the last unit of a hand-over chain has no successor"
    ]


def test_long_successor_chain_is_linear() -> None:
    """3,000 units handing over one to the next (once 37 s for 1,500): loads in
    seconds. A monthly task led by u0 has u0's duty and one hand-over duty for each of
    the 2,999 successors; the size check counts each duty's own dates: u{i} ends on
    1 January + i days and holds only that day, so each monthly date has exactly one
    owner (15/01 is u14's): 12 in all, not 3,000 duties × 12."""
    start = time.perf_counter()
    loaded = loads(plan_text(units=chain(3000), rule=MONTHLY).replace("lead: a", "lead: u0"))
    assert time.perf_counter() - start < 5
    timeline = Timeline(loaded.plan)
    assert len(timeline.duties) == 3000
    assert timeline.check_size() == 12
    assert len(list(timeline)) == 12


def test_size_check_counts_a_hand_over_once() -> None:
    """The communes fixture: vp-tk's monthly report (20th) is six dates its own and six
    vp's after 30/06; the quarterly update (25/03, 25/06, 25/09, 25/12) of group don-vi
    member by member is vp-tk's 2 (then vp's own duty carries on), dtn's 2 (the last 2
    orphaned: it ends with no successor) and vp's 2 from 01/07. 12 + 6 = 18 occurrences,
    where task × duties once counted 12 × 2 + 4 × 3 = 36."""
    timeline = Timeline(loads(UNITS).plan)
    assert timeline.check_size() == 18
    assert len(list(timeline)) == 18


def test_size_limit_counts_a_hand_over_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """With at most 12 occurrences per task, the hand-over task (6 + 6) passes; it once
    counted 24 and was refused."""
    monkeypatch.setenv("PLANFLOW_MAX_TASK_OCCURRENCES", "12")
    assert Timeline(loads(UNITS).plan).check_size() == 18
    monkeypatch.setenv("PLANFLOW_MAX_TASK_OCCURRENCES", "11")
    with pytest.raises(LimitError, match="bao-cao-thang"):
        Timeline(loads(UNITS).plan).check_size()


def test_hand_over_duties_count_towards_the_duty_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three units in a chain give a task three duties: refused under a limit of 2."""
    monkeypatch.setenv("PLANFLOW_MAX_DUTIES", "2")
    loaded = loads(plan_text(units=chain(3), rule=MONTHLY).replace("lead: a", "lead: u0"))
    with pytest.raises(LimitError, match="PLANFLOW_MAX_DUTIES"):
        Timeline(loaded.plan).duties  # noqa: B018 - the property does the counting


def test_indicator_owner_group_follows_successors() -> None:
    """Group g = [u0, x, u2] over the chain u0 → u1 → u2 (ending 01/01 and 02/01): on
    15/06 u0's share is held by u2, which is also a member, so the owners are u2 and x,
    each once, in member order; on 01/01 u0 itself still holds it."""
    units = chain(3) + unit("x")
    groups = '  - id: g\n    name: "Nhóm"\n    members: [u0, x, u2]\n'
    indicators = (
        '  - id: k\n    text: "100% hồ sơ"\n    target: "100%"\n    owner: g\n'
        "    checkpoints: [2025-06-15]\n"
    )
    text = plan_text(units=units, rule=MONTHLY).replace("lead: a", "lead: u0")
    text = text.replace("tasks:\n", "groups:\n" + groups + "tasks:\n")
    loaded = loads(text + "indicators:\n" + indicators)
    indicator = loaded.plan.indicators[0]
    assert owners_of(loaded.plan, indicator, date(2025, 6, 15)) == ("u2", "x")
    assert owners_of(loaded.plan, indicator, date(2025, 1, 1)) == ("u0", "x", "u2")


def test_indicator_owner_group_of_a_long_chain_is_quick() -> None:
    """A group of all 3,000 units of a chain owns an indicator. u{i} ends on 1 January
    + i days, so on 15/12 (1 January + 348 days) u0 … u347 have ended and handed over to
    u348, and u348 … u2999 are still active: those 2,652 owners, each once, found in well
    under a second (each chain walked once)."""
    members = ", ".join(f"u{i}" for i in range(3000))
    groups = f'  - id: g\n    name: "Nhóm"\n    members: [{members}]\n'
    indicators = (
        '  - id: k\n    text: "100% hồ sơ"\n    target: "100%"\n    owner: g\n'
        "    checkpoints: [2025-12-15]\n"
    )
    text = plan_text(units=chain(3000), rule=MONTHLY).replace("lead: a", "lead: u0")
    text = text.replace("tasks:\n", "groups:\n" + groups + "tasks:\n")
    loaded = loads(text + "indicators:\n" + indicators)
    start = time.perf_counter()
    owners = owners_of(loaded.plan, loaded.plan.indicators[0], date(2025, 12, 15))
    assert time.perf_counter() - start < 1
    assert owners == tuple(f"u{i}" for i in range(348, 3000))
