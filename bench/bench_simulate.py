"""Benchmark ``simulate``: one year of the example and of a synthetic national plan.

The national plan repeats the example's units and tasks for N communes (3,300 by
default), every id prefixed with ``cNNNN-``. Prints occurrences/s, events/s and
peak memory (tracemalloc) for the on-time and random models.

    python bench/bench_simulate.py [--communes 3300] [--plan examples/boy_2025]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import attrs

from planflow.loading import load_plan
from planflow.model import Group, Plan, unchecked
from planflow.simulation import simulate
from planflow.timeline import Timeline


def _fast_lookups() -> None:
    """Plan.unit() rebuilds its id table on each call (quadratic at national scale).

    Until model.py caches it, memoise per plan object for the benchmark.
    """
    cache: dict[int, tuple[Plan, dict[str, Any], dict[str, Any]]] = {}

    def tables(plan: Plan) -> tuple[Plan, dict[str, Any], dict[str, Any]]:
        found = cache.get(id(plan))
        if found is None or found[0] is not plan:
            found = (plan, {u.id: u for u in plan.units}, {t.id: t for t in plan.tasks})
            cache[id(plan)] = found
        return found

    Plan._units_by_id = property(lambda self: tables(self)[1])  # type: ignore[assignment,method-assign]
    Plan._tasks_by_id = property(lambda self: tables(self)[2])  # type: ignore[assignment,method-assign]


def national(plan: Plan, communes: int) -> Plan:
    """The plan repeated ``communes`` times with prefixed unit and task ids."""
    units: list[Any] = []
    tasks: list[Any] = []
    for n in range(communes):
        pre = f"c{n:04d}-"
        for u in plan.units:
            changes: dict[str, Any] = {"id": pre + u.id, "aliases": ()}
            if isinstance(u, Group):
                changes["members"] = tuple(pre + m for m in u.members)
            units.append(attrs.evolve(u, **changes))
        for t in plan.tasks:
            tasks.append(
                attrs.evolve(
                    t,
                    id=pre + t.id,
                    lead=pre + t.lead,
                    coordinators=tuple(pre + c for c in t.coordinators),
                    after=tuple(attrs.evolve(d, task=pre + d.task) for d in t.after),
                )
            )
    with unchecked():
        return attrs.evolve(plan, id="national", units=units, tasks=tasks)


def measure(label: str, fn: Callable[[], Any]) -> tuple[str, float, int, int, float]:
    """Time ``fn``, then run it again under tracemalloc for its peak memory.

    Returns (label, seconds, occurrences, events, peak MiB).
    """
    t0 = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - t0
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    events = sum(result.event_counts.values())
    return label, seconds, len(result.outcomes), events, peak / 2**20


def main() -> None:
    """Print the benchmark table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plan", default="examples/boy_2025")
    parser.add_argument("--communes", type=int, default=3300)
    args = parser.parse_args()
    _fast_lookups()
    plan = load_plan(args.plan)
    rows = []
    for model in ("on-time", "random"):
        rows.append(
            measure(f"example, {model} (timeline incl.)", lambda m=model: simulate(plan, model=m))
        )
    timeline = Timeline(plan)
    list(timeline)
    rows.append(
        measure(
            "example, random, events kept",
            lambda: simulate(plan, model="random", timeline=timeline),
        )
    )
    big = national(plan, args.communes)
    t0 = time.perf_counter()
    big_timeline = Timeline(big)
    n = sum(1 for _ in big_timeline)
    print(
        f"national plan: {args.communes} communes, {len(big.tasks)} tasks, {n} occurrences; "
        f"built and expanded in {time.perf_counter() - t0:.1f} s"
    )
    for model in ("on-time", "random"):
        rows.append(
            measure(
                f"national, {model} (no events kept)",
                lambda m=model: simulate(big, model=m, timeline=big_timeline, keep_events=False),
            )
        )
    print(
        f"{'run':42} {'seconds':>8} {'occurrences':>12} {'events':>10} {'occ/s':>10} "
        f"{'events/s':>10} {'peak MiB':>9}"
    )
    for label, seconds, occs, events, peak in rows:
        print(
            f"{label:42} {seconds:8.3f} {occs:12,} {events:10,} {occs / seconds:10,.0f} "
            f"{events / seconds:10,.0f} {peak:9.1f}"
        )


if __name__ == "__main__":
    main()
