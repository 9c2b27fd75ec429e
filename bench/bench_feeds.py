"""Feed export at national scale: every unit feed of 1 … 3,300 communes.

Run: ``python bench/bench_feeds.py [--communes 1,10,100,1000,3300] [--workers 1,2]
[--memory-max 1000] [--dir D]``.

The plan is the Bờ Y example (or, while it is missing, the docs example) repeated for
every commune with ``cNNNN-`` ids (``bench/national.py``): 16 units and 40 duties a
commune, so the national plan has 52,800 unit feeds (the issue's "≈ 26,000" counted
8 units a commune). For each size it prints:

* ``timeline s``: building the timeline (every occurrence), which the feeds share
  with the engine and is not the feeds' cost;
* for each number of processes: ``s`` (wall), ``cpu`` (all processes) and
  ``feeds/s`` for :func:`planflow.feeds.export_feeds` writing ``plan.ics`` and one
  ``units/<id>.ics`` per unit into a fresh folder, SEQUENCE state included; CPU
  time is the fairer figure on a machine shared with other work;
* ``peak MiB``: the most memory (tracemalloc) one process's export allocated on top
  of the plan and its timeline, in a separate export (tracemalloc slows it down,
  so only up to ``--memory-max`` communes). Feeds are streamed: this stays flat
  while the number of feeds grows a thousandfold; what grows is the SEQUENCE state
  and the unit → duties index, a few dozen bytes per duty.

Target: every unit feed of the national plan in under 20 s.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from national import national_plan

from planflow import load_plan, loads
from planflow.feeds import export_feeds
from planflow.plan.model import Plan
from planflow.timeline.occurrences import Timeline

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "boy_2025"


def base_plan() -> Plan:
    """The Bờ Y example, or the docs example while it is missing."""
    if (EXAMPLE / "plan.yaml").exists():
        return load_plan(EXAMPLE)
    text = (ROOT / "docs" / "plan-format.md").read_text(encoding="utf-8")
    return loads(text.split("```yaml\n", 1)[1].split("```", 1)[0]).plan


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def export_once(
    plan: Plan, timeline: Timeline, workers: int, where: str | None
) -> tuple[float, float, int, float]:
    """(wall s, CPU s of every process, feeds, MiB written) of one fresh export."""
    with tempfile.TemporaryDirectory(dir=where) as tmp:
        wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
        paths = export_feeds(plan, tmp, timeline=timeline, workers=workers)
        wall = time.perf_counter() - wall
        cpu = time.process_time() - cpu + _children_cpu() - children
        size = sum(p.stat().st_size for p in paths) / 2**20
    return wall, cpu, len(paths), size


def peak(plan: Plan, timeline: Timeline, where: str | None) -> float:
    """MiB the export allocates at most, one process, traced by tracemalloc."""
    with tempfile.TemporaryDirectory(dir=where) as tmp:
        tracemalloc.start()
        export_feeds(plan, tmp, timeline=timeline)
        found = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return found


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--communes", default="1,10,100,1000,3300")
    parser.add_argument("--workers", default="1,2", help="process counts to time")
    parser.add_argument("--memory-max", type=int, default=1000, help="largest traced size")
    parser.add_argument("--dir", help="where to write (e.g. /dev/shm to leave the disk out)")
    args = parser.parse_args()
    base = base_plan()
    counts = [int(w) for w in args.workers.split(",")]
    runs = "".join(f" {f'{w} proc s':>9} {'cpu':>6} {'feeds/s':>7}" for w in counts)
    print(
        f"{'communes':>8} {'units':>6} {'duties':>6} {'timeline s':>10} {'feeds':>6}"
        f"{runs} {'MiB':>6} {'peak MiB':>8}"
    )
    for n in (int(x) for x in args.communes.split(",")):
        plan = national_plan(n, base) if n > 1 else base
        t0 = time.perf_counter()
        timeline = Timeline(plan)
        for duty in timeline.duties:
            timeline.occurrences(duty.id)
        built = time.perf_counter() - t0
        cells, feeds, size = "", 0, 0.0
        for workers in counts:
            wall, cpu, feeds, size = export_once(plan, timeline, workers, args.dir)
            cells += f" {wall:>9.2f} {cpu:>6.2f} {feeds / wall:>7.0f}"
        traced = peak(plan, timeline, args.dir) if n <= args.memory_max else float("nan")
        print(
            f"{n:>8} {len(plan.units):>6} {len(timeline.duties):>6} {built:>10.2f} "
            f"{feeds:>6}{cells} {size:>6.0f} {traced:>8.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
