"""Monte Carlo: repeat a random year N times, in parallel, and report probabilities.

Results are identical for the same seed whatever the number of worker processes.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from attrs import frozen

from planflow.plan.model import Plan
from planflow.run.events import State
from planflow.run.results import SCHEMA_VERSION
from planflow.run.scenarios import Scenario
from planflow.run.single_run import simulate
from planflow.timeline.occurrences import Occurrence, Timeline

# --- Monte Carlo ------------------------------------------------------------------------


def run_seed(base: int, run: int) -> int:
    """The seed of run number ``run`` (0-based): 63 bits of SHA-256 of ``base:run``."""
    digest = hashlib.sha256(f"{base}:{run}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


_WORKER: dict[str, Any] = {}


def _init_worker(plan: Plan, scenario: Scenario | None, start: date, end: date, model: str) -> None:
    _WORKER.update(
        plan=plan, timeline=Timeline(plan), scenario=scenario, start=start, end=end, model=model
    )


def _run_many(base: int, runs: range) -> list[tuple[list[tuple[int, int]], dict[str, int]]]:
    """Runs ``runs`` of the worker's plan: per occurrence ``(state code, days late)``, and
    how many dependents each root task made late."""
    w = _WORKER
    out = []
    codes = {State.DONE: 0, State.LATE: 1, State.MISSED: 2}
    for run in runs:
        result = simulate(
            w["plan"],
            model=w["model"],
            seed=run_seed(base, run),
            scenario=w["scenario"],
            start=w["start"],
            end=w["end"],
            keep_events=False,
            timeline=w["timeline"],
        )
        per_occ = [(codes.get(o.state, 3), o.days_late or 0) for o in result.outcomes]
        roots = Counter(r["root"].rsplit("#", 1)[0] for r in result.late_chains())
        plan_roots: Counter[str] = Counter()
        for duty, n in roots.items():
            plan_roots[result.timeline.duty(duty).task.id] += n
        out.append((per_occ, dict(plan_roots)))
    return out


def _stats(histogram: Counter[int]) -> dict[str, float | int]:
    """mean, p50, p90 and max of a histogram of days late (nearest rank)."""
    total = sum(histogram.values())
    if not total:
        return {"mean": 0.0, "p50": 0, "p90": 0, "max": 0}
    values = sorted(histogram)
    mean = sum(v * n for v, n in histogram.items()) / total

    def rank(q: float) -> int:
        target = max(1, math.ceil(q * total))
        seen = 0
        for v in values:
            seen += histogram[v]
            if seen >= target:
                return v
        return values[-1]

    return {"mean": round(mean, 3), "p50": rank(0.5), "p90": rank(0.9), "max": values[-1]}


@frozen
class MonteCarloResult:
    """N random years: per task and unit, the probability of finishing on time and the
    distribution of lateness (working days; missed occurrences excluded), and the
    tasks that most often make others late."""

    plan: str
    seed: int
    runs: int
    start: date
    end: date
    tasks: list[dict[str, Any]]
    units: list[dict[str, Any]]
    critical: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` object of ``--runs N`` (schema in docs/simulation.md)."""
        return {
            "schema": SCHEMA_VERSION,
            "kind": "monte_carlo",
            "plan": self.plan,
            "model": "random",
            "seed": self.seed,
            "runs": self.runs,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "tasks": self.tasks,
            "units": self.units,
            "critical": self.critical,
        }


def monte_carlo(
    plan: Plan,
    *,
    runs: int,
    seed: int = 0,
    scenario: Scenario | None = None,
    start: date | None = None,
    end: date | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = 20,
) -> MonteCarloResult:
    """Repeat a ``random`` year ``runs`` times, run ``r`` with seed ``run_seed(seed, r)``.

    Runs go to ``workers`` processes (default: the CPU count; 1 runs in this
    process). The result does not depend on ``workers``: runs are aggregated in run
    order with integer counts. ``progress(done, runs)`` is called as runs finish.
    """
    start = start or date(plan.year, 1, 1)
    end = end or date(plan.year, 12, 31)
    workers = workers or os.cpu_count() or 1
    init = (plan, scenario, start, end, "random")
    chunks = [range(i, min(i + chunk, runs)) for i in range(0, runs, chunk)]
    results: list[tuple[list[tuple[int, int]], dict[str, int]]] = []
    if workers == 1 or runs <= chunk:
        _init_worker(*init)
        for r in chunks:
            results.extend(_run_many(seed, r))
            if progress:
                progress(len(results), runs)
    else:
        # imported here: importing planflow.run.simulation should not cost multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(
            max_workers=workers, initializer=_init_worker, initargs=init
        ) as pool:
            futures = [pool.submit(_run_many, seed, r) for r in chunks]
            for future in futures:
                results.extend(future.result())
                if progress:
                    progress(len(results), runs)
    timeline = Timeline(plan)
    occurrences = [o for o in timeline if start <= o.due <= end]
    return _aggregate(plan, timeline, occurrences, seed, runs, start, end, results)


def _aggregate(
    plan: Plan,
    timeline: Timeline,
    occurrences: list[Occurrence],
    seed: int,
    runs: int,
    start: date,
    end: date,
    results: list[tuple[list[tuple[int, int]], dict[str, int]]],
) -> MonteCarloResult:
    def empty() -> dict[str, Any]:
        return {"n": 0, "on_time": 0, "late": 0, "missed": 0, "hist": Counter()}

    tasks: dict[str, dict[str, Any]] = defaultdict(empty)
    units: dict[str, dict[str, Any]] = defaultdict(empty)
    made_late: Counter[str] = Counter()
    runs_with: Counter[str] = Counter()
    for per_occ, roots in results:
        for occ, (code, late) in zip(occurrences, per_occ, strict=True):
            for bucket in (tasks[occ.plan_task], units[occ.unit]):
                bucket["n"] += 1
                if code == 0:
                    bucket["on_time"] += 1
                    bucket["hist"][0] += 1
                elif code == 1:
                    bucket["late"] += 1
                    bucket["hist"][late] += 1
                elif code == 2:
                    bucket["missed"] += 1
        for task, n in roots.items():
            made_late[task] += n
            runs_with[task] += 1

    def row(name: str, key: str, b: dict[str, Any]) -> dict[str, Any]:
        n = b["n"] or 1
        return {
            key: name,
            "occurrences_per_run": b["n"] // max(runs, 1),
            "p_on_time": round(b["on_time"] / n, 4),
            "p_late": round(b["late"] / n, 4),
            "p_missed": round(b["missed"] / n, 4),
            "lateness": _stats(b["hist"]),
        }

    task_rows = [row(t.id, "task", tasks[t.id]) for t in plan.tasks if t.id in tasks]
    unit_rows = [row(u.id, "unit", units[u.id]) for u in plan.units if u.id in units]
    critical = [
        {
            "task": task,
            "made_late_per_run": round(n / runs, 4),
            "p_any": round(runs_with[task] / runs, 4),
        }
        for task, n in sorted(made_late.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return MonteCarloResult(plan.id, seed, runs, start, end, task_rows, unit_rows, critical)
