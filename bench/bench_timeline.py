"""Timeline throughput: occurrences per second, from one commune to the whole country.

Run: ``python bench/bench_timeline.py [--communes 1,10,100,1000,3300]``. Prints a table.
Expansions are cached by rule and window, so communes that repeat the same rules
should cost little more than building the occurrence records themselves.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from national import national_plan

from planflow import load_plan
from planflow.timeline.occurrences import Timeline
from planflow.timeline.recurrence import expand


def measure(communes: int) -> tuple[int, int, float, float, float]:
    t0 = time.perf_counter()
    plan = (
        national_plan(communes)
        if communes > 1
        else load_plan(Path(__file__).resolve().parent.parent / "examples" / "boy_2025")
    )
    t1 = time.perf_counter()
    timeline = Timeline(plan)
    count = sum(1 for _ in timeline)  # in time order, with occurrence-level dependencies
    t2 = time.perf_counter()
    return len(plan.tasks), count, t1 - t0, t2 - t1, count / (t2 - t1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communes", default="1,10,100,1000,3300")
    args = parser.parse_args()
    print(
        f"{'communes':>8} {'tasks':>8} {'occurrences':>12} {'build s':>8} "
        f"{'timeline s':>10} {'occ/s':>10} {'max RSS MiB':>11}"
    )
    for n in (int(x) for x in args.communes.split(",")):
        tasks, count, build, run, rate = measure(n)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{n:>8} {tasks:>8} {count:>12,} {build:>8.2f} {run:>10.2f} {rate:>10,.0f} {rss:>11.0f}"
        )
    info = getattr(expand, "cache_info", None)
    if info:
        print(f"expansion cache: {info()}")


if __name__ == "__main__":
    main()
