"""Structure-aware fuzzing of the whole path: YAML → plan → timeline → feed.

Hypothesis builds plan files from their parts (issue 16): recurrence rules from
RRULE parts (huge COUNT and INTERVAL, BYDAY positions in and out of range, BYSETPOS,
UNTIL), windows and explicit dates, years at and past the edges, groups that nest,
share members or contain each other, and YAML constructs (anchors, aliases, merge
keys). Whatever it builds, planflow must either:

* refuse the plan with a :class:`PlanFileError` whose every problem is located, or
* load it, then count its occurrences (or refuse them with a :class:`LimitError`),
  expand every duty and render the plan feed, raising nothing else,

and each file must be dealt with in bounded time. Profiles (tests/conftest.py):
``ci`` (100 examples, the CI run), ``dev`` (hypothesis' defaults), ``long`` (5,000
examples: ``HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz_hardening.py``,
about half an hour, before a release). A failure found by a run is kept as a plan
file in ``tests/data/fuzz/`` (with a comment saying what it found), and
:func:`test_kept_finds` runs every file there on each CI run.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planflow.feeds import plan_feed
from planflow.plan.errors import PlanFileError
from planflow.plan.limits import LimitError
from planflow.plan.loading import loads
from planflow.timeline.occurrences import Timeline

FINDS = Path(__file__).parent / "data" / "fuzz"
_LOCATED = re.compile(r"^.+:\d+:\d+: ")
_WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

# --- rules -----------------------------------------------------------------------

_numbers = st.one_of(
    st.integers(-3, 60),
    st.sampled_from([0, 53, 54, 366, 999_999, 1_000_000, 1_000_001, 2**31, 2**63, 10**30]),
)


@st.composite
def rules(draw: st.DrawFn) -> str:
    parts = [f"FREQ={draw(st.sampled_from(['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY', 'HOURLY']))}"]
    optional = {
        "INTERVAL": _numbers.map(str),
        "COUNT": _numbers.map(str),
        "UNTIL": st.sampled_from(["20251231", "20250101T000000Z", "99991231", "20250230"]),
        "BYMONTH": st.lists(st.integers(-1, 13), min_size=1, max_size=3).map(
            lambda xs: ",".join(map(str, xs))
        ),
        "BYMONTHDAY": st.lists(st.integers(-32, 32), min_size=1, max_size=3).map(
            lambda xs: ",".join(map(str, xs))
        ),
        "BYDAY": st.lists(
            st.tuples(
                st.sampled_from(["", "1", "-1", "5", "6", "20", "53", "-53", "54"]),
                st.sampled_from(_WEEKDAYS),
            ).map("".join),
            min_size=1,
            max_size=3,
        ).map(",".join),
        "BYSETPOS": st.lists(st.integers(-367, 367), min_size=1, max_size=2).map(
            lambda xs: ",".join(map(str, xs))
        ),
        "BYWEEKNO": st.integers(-54, 54).map(str),
        "BYYEARDAY": st.integers(-367, 367).map(str),
    }
    for key in draw(st.lists(st.sampled_from(sorted(optional)), unique=True, max_size=4)):
        parts.append(f"{key}={draw(optional[key])}")
    return ";".join(parts)


_valid_rules = st.sampled_from(
    [
        "FREQ=MONTHLY;BYMONTHDAY=15",
        "FREQ=WEEKLY;BYDAY=MO",
        "FREQ=YEARLY;BYMONTH=3,6;BYMONTHDAY=20",
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1",
        "FREQ=DAILY;INTERVAL=7;BYDAY=TU",
        "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3",
        "FREQ=YEARLY;BYDAY=20MO",
    ]
)
_shorthands = st.sampled_from(
    ["monthly", "quarterly", "every 2 weeks", "twice a month", "hằng quý", "weekly", "daily"]
)

# --- plans -----------------------------------------------------------------------


@st.composite
def plan_files(draw: st.DrawFn) -> str:
    """A plan file from parts: some valid, many at or past an edge."""
    year = draw(st.sampled_from([2025] * 6 + [1899, 1900, 2024, 9998, 9999, 10000]))
    n_units = draw(st.integers(1, 5))
    units = [f"u{i}" for i in range(n_units)]
    lines = ["planflow: 1", "plan:", "  id: fuzz", '  title: "Kế hoạch thử"',
             '  issuer: "UBND xã"', f"  year: {year}"]  # fmt: skip
    if draw(st.booleans()):
        country = draw(st.sampled_from(["VN", "VN", "vn", "XX", "DE", ""]))
        lines += ["calendar:", f"  country: {country}"]
        lines += [f"  shift: {draw(st.sampled_from(['previous', 'next', 'keep']))}"]
        if draw(st.booleans()):
            day = draw(st.dates(min_value=_day(year, 1), max_value=_day(year, 365)))
            reason = draw(st.sampled_from(['"Nghỉ bù"', '""', None]))
            entry = f"{{date: {day.isoformat()}" + (f", reason: {reason}}}" if reason else "}")
            lines += ["  days_off:", f"    - {entry}"]
    # YAML constructs: the first task is anchored, later ones merge it (<<: *d)
    merges = draw(st.booleans())
    lines += ["units:"]
    for unit in units:
        lines += [f"  - id: {unit}", f'    name: "Đơn vị {unit}"']
    groups = draw(st.lists(st.lists(st.integers(0, 3 + n_units), max_size=4), max_size=4))
    if groups:
        lines += ["groups:"]
        for g, members in enumerate(groups):
            names = [units[m] if m < n_units else f"g{m - n_units}" for m in members]
            lines += [
                f"  - id: g{g}",
                f'    name: "Nhóm {g}"',
                f"    members: [{', '.join(names)}]",
            ]
    lines += ["tasks:"]
    leads = units + [f"g{g}" for g in range(len(groups))]
    for t in range(draw(st.integers(1, 4))):
        rule = draw(st.one_of(rules(), _valid_rules, _shorthands, st.none()))
        lead = draw(st.sampled_from(leads))
        if merges and t == 0:
            lines += ["  - &d", "    id: t0", '    title: "Việc 0"', f"    lead: {lead}"]
            lines += [f"    window: {year}"]
        elif merges and draw(st.booleans()):
            lines += ["  - <<: *d", f"    id: t{t}", f'    title: "Việc {t}"']
        else:
            lines += [f"  - id: t{t}", f'    title: "Việc {t}"', f"    lead: {lead}"]
            lines += [f"    window: {year}"]
        if draw(st.booleans()):
            lines += ["    lead_mode: each"]
        if rule is not None:
            lines += [f'    recurrence: "{rule}"']
        elif draw(st.booleans()):
            day = draw(st.dates(min_value=_day(year, 1), max_value=_day(year, 365)))
            lines += [f"    dates: [{day.isoformat()}]"]
        if t and draw(st.booleans()):
            # an earlier task, or (now and then) itself: refused unless mode: previous
            lines += [f"    after: [t{draw(st.sampled_from([*range(t)] * 3 + [t]))}]"]
    return "\n".join(lines) + "\n"


def _day(year: int, day: int):  # type: ignore[no-untyped-def]
    from datetime import date, timedelta

    year = min(max(year, 1900), 9999)
    return date(year, 1, 1) + timedelta(days=day - 1 if year != 9999 or day < 365 else 363)


# --- the property ------------------------------------------------------------------


def check_plan(text: str) -> str:
    """Run one plan file through loading, the timeline and the plan feed.

    Returns what happened: ``"refused"``, ``"limit"`` or ``"ok"``; raises anything else.
    """
    start = time.perf_counter()
    try:
        loaded = loads(text, file="plan.yaml")
    except PlanFileError as exc:
        assert exc.problems, "a refusal names at least one problem"
        for problem in exc.problems:
            assert _LOCATED.match(str(problem)), str(problem)
        return "refused"
    timeline = Timeline(loaded.plan)
    try:
        timeline.check_size()
    except LimitError:
        return "limit"
    for duty in timeline.duties:
        timeline.occurrences(duty.id)
    feed = plan_feed(loaded.plan, timeline=timeline)
    assert feed.startswith(b"BEGIN:VCALENDAR") and feed.endswith(b"END:VCALENDAR\r\n")
    assert time.perf_counter() - start < 20, "a small plan took too long"
    return "ok"


@settings(deadline=None)  # the bound is checked inside, generously: CI machines are shared
@given(plan_files())
def test_generated_plans_never_crash(text: str) -> None:
    check_plan(text)


def test_the_generator_reaches_every_outcome() -> None:
    """The harness is not only refusals: a fixed sample loads, refuses and renders."""
    from hypothesis import find

    for outcome in ("ok", "refused"):
        find(plan_files(), lambda text, want=outcome: check_plan(text) == want)


@pytest.mark.parametrize("path", sorted(FINDS.glob("*.yaml")), ids=lambda p: p.stem)
def test_kept_finds(path: Path) -> None:
    """Every plan a fuzzing run (or the campaign) broke planflow with, kept as a file;
    the first line says what it broke and what it must give now."""
    text = path.read_text(encoding="utf-8")
    expected = re.search(r"^# expect: (\w+)", text, re.MULTILINE)
    assert expected is not None, "each find says what it must give"
    assert check_plan(text) == expected.group(1)
