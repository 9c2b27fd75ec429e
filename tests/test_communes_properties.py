"""Properties of the plan's start, units that end, and reporting periods (issue 10)."""

from __future__ import annotations

from datetime import date, timedelta

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from communes import PERIODS
from planflow.hooks.specs import ReportContext
from planflow.plan.loading import loads
from planflow.plan.model import Plan, ReportingPeriod
from planflow.reports.context import report_data
from planflow.run.single_run import simulate
from planflow.timeline.occurrences import Timeline
from strategies import plans

BOUNDED = settings(max_examples=40, deadline=None)
# (the generated plans' day swaps have empty reasons, which the working-day calendar
# refuses; these properties do not depend on them, so they are dropped)


@BOUNDED
@given(plans(), st.integers(0, 400))
def test_nothing_falls_due_before_the_plan_starts(plan: Plan, offset: int) -> None:
    """With any issue date, no occurrence of any task is due before it."""
    issued = date(plan.year - 1, 12, 1) + timedelta(days=offset)
    plan = attrs.evolve(plan, issued=issued, days_off=(), working_days=())
    assert all(occ.due >= issued for occ in Timeline(plan))


@BOUNDED
@given(plans(), st.data())
def test_no_duty_is_owned_by_an_ended_unit(plan: Plan, data: st.DataObject) -> None:
    """With any unit end date (and any successor or none), every occurrence's unit
    and every unit listed as coordinating it exist on its due date."""
    index = data.draw(st.integers(0, len(plan.units) - 1))
    until = data.draw(st.dates(date(plan.year, 1, 1), date(plan.year, 12, 31)))
    others = [u.id for u in plan.units if u.id != plan.units[index].id]
    successor = data.draw(st.none() | st.sampled_from(others)) if others else None
    units = list(plan.units)
    units[index] = attrs.evolve(units[index], until=until, successor=successor)
    if successor is not None:
        at = next(i for i, u in enumerate(units) if u.id == successor)
        begins = data.draw(st.none() | st.just(until + timedelta(days=1)))
        units[at] = attrs.evolve(units[at], since=begins, until=None, successor=None)
    plan = attrs.evolve(plan, units=units, days_off=(), working_days=())
    timeline = Timeline(plan)
    for occ in timeline:
        assert plan.unit(occ.unit).active_on(occ.due), occ
        # nor is it coordinated by one: its successor coordinates instead, or nobody
        for unit_id in timeline.coordinators_of(occ):
            assert plan.unit(unit_id).active_on(occ.due), (occ, unit_id)
    for orphan in timeline.orphans():
        assert not plan.unit(orphan.unit).active_on(orphan.due)


@st.composite
def period_sets(draw: st.DrawFn) -> list[ReportingPeriod]:
    """Reporting periods of any shape: cut-offs on any day, cumulative or not,
    starting in the previous year, some with a fixed report day."""
    out = []
    for n in range(draw(st.integers(1, 5))):
        start = draw(st.dates(date(2024, 12, 1), date(2025, 12, 31)))
        end = draw(st.dates(max(start, date(2025, 1, 1)), date(2025, 12, 31)))
        due = draw(st.none() | st.dates(end, end + timedelta(days=20)))
        if due is not None and due.year > 2025:
            due = None
        out.append(ReportingPeriod(f"p{n}", f"Kỳ {n}", start, end, due=due))
    return out


@settings(max_examples=25, deadline=None)
@given(period_sets())
def test_on_time_year_never_reports_a_missed_target(periods: list[ReportingPeriod]) -> None:
    """Whatever the reporting periods, a year where everything is done on time has
    no missed target, no missed item and nothing late in any period report."""
    plan = attrs.evolve(loads(PERIODS).plan, reporting_periods=periods)
    reports = []
    simulate(
        plan,
        keep_events=False,
        on_period_closed=lambda e, r: reports.append(
            report_data(ReportContext(plan, e, r)).to_dict()
        ),
    )
    assert len(reports) == len(periods)
    for report in reports:
        assert all(t["met"] for t in report["targets"]), report["targets"]
        assert report["late"] == []
        assert report["totals"]["missed"] == 0
        assert all(i["state"] == "met" for i in report["indicators"]), report["indicators"]
