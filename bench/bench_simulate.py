"""Benchmark ``simulate``: one year of the example and of a synthetic national plan.

The national plan (``bench/national.py``) repeats the example's units and tasks for
N communes, every id prefixed with ``cNNNN-``. Prints seconds, occurrences/s,
events/s and the process's peak resident memory for the on-time and random models.

    python bench/bench_simulate.py [--communes 1,100,1000,3300]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from national import EXAMPLE, national_plan

from planflow.plan.loading import load_plan
from planflow.run.simulation import simulate
from planflow.timeline.occurrences import Timeline


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Print the benchmark table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communes", default="1,100,1000,3300")
    args = parser.parse_args()
    print(
        f"{'communes':>8} {'model':8} {'occurrences':>12} {'events':>10} {'timeline s':>10} "
        f"{'simulate s':>10} {'occ/s':>9} {'events/s':>9} {'max RSS MiB':>11}"
    )
    for communes in (int(x) for x in args.communes.split(",")):
        plan = load_plan(EXAMPLE) if communes == 1 else national_plan(communes)
        t0 = time.perf_counter()
        timeline = Timeline(plan)
        occurrences = sum(1 for _ in timeline)
        built = time.perf_counter() - t0
        for model in ("on-time", "random"):
            t1 = time.perf_counter()
            result = simulate(plan, model=model, timeline=timeline, keep_events=False)
            seconds = time.perf_counter() - t1
            events = sum(result.event_counts.values())
            print(
                f"{communes:>8} {model:8} {occurrences:>12,} {events:>10,} {built:>10.2f} "
                f"{seconds:>10.2f} {occurrences / seconds:>9,.0f} {events / seconds:>9,.0f} "
                f"{_rss_mib():>11.0f}"
            )
            built = 0.0  # the timeline is built once per plan


if __name__ == "__main__":
    main()
