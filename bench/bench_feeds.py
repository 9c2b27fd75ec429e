"""Feed export at national scale: every unit feed of 1 … 3,300 communes.

Run: ``python bench/bench_feeds.py [--communes 1,10,100,1000,3300] [--no-memory] [--dir D]``.

The plan is the Bờ Y example (or, while it is missing, the docs example) repeated for
every commune with ``cNNNN-`` ids (``bench/national.py``). For each size it prints:

* ``timeline s``: building the timeline (every occurrence), which the feeds share
  with the engine and is not the feeds' cost;
* ``export s`` and ``feeds/s``: :func:`planflow.feeds.export_feeds` writing
  ``plan.ics`` and one ``units/<id>.ics`` per unit into a fresh folder, SEQUENCE
  state included;
* ``peak MiB``: the most memory (tracemalloc) the export allocated on top of the
  plan and its timeline, in a second export of the same plan. Each feed is streamed
  to disk component by component, so this stays flat while the number of feeds
  grows a thousandfold (only the whole-plan feed's state entries and the per-unit
  index grow with the plan).

Target: 26,000 feeds in under 20 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from national import national_plan

from planflow import load_plan, loads
from planflow.feeds import export_feeds
from planflow.model import Plan
from planflow.timeline import Timeline

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "boy_2025"


def base_plan() -> Plan:
    """The Bờ Y example, or the docs example while it is missing."""
    if (EXAMPLE / "plan.yaml").exists():
        return load_plan(EXAMPLE)
    text = (ROOT / "docs" / "plan-format.md").read_text(encoding="utf-8")
    return loads(text.split("```yaml\n", 1)[1].split("```", 1)[0]).plan


def measure(base: Plan, communes: int, memory: bool, where: str | None) -> dict[str, float]:
    """Build, expand and export one national plan; return the figures."""
    plan = national_plan(communes, base) if communes > 1 else base
    t0 = time.perf_counter()
    timeline = Timeline(plan)
    occurrences = sum(len(timeline.occurrences(d.id)) for d in timeline.duties)
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=where) as tmp:
        paths = export_feeds(plan, tmp, timeline=timeline)
        t2 = time.perf_counter()
        size = sum(p.stat().st_size for p in paths)
        peak = float("nan")
        if memory:
            with tempfile.TemporaryDirectory(dir=where) as again:
                tracemalloc.start()
                export_feeds(plan, again, timeline=timeline)
                peak = tracemalloc.get_traced_memory()[1] / 2**20
                tracemalloc.stop()
    return {
        "communes": communes,
        "units": len(plan.units),
        "duties": len(timeline.duties),
        "occurrences": occurrences,
        "timeline": t1 - t0,
        "feeds": len(paths),
        "export": t2 - t1,
        "rate": len(paths) / (t2 - t1),
        "MiB": size / 2**20,
        "peak": peak,
    }


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--communes", default="1,10,100,1000,3300")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc run")
    parser.add_argument("--dir", help="where to write (e.g. /dev/shm to leave the disk out)")
    args = parser.parse_args()
    base = base_plan()
    print(
        f"{'communes':>8} {'units':>7} {'duties':>7} {'occurr.':>9} {'timeline s':>10} "
        f"{'feeds':>7} {'export s':>8} {'feeds/s':>8} {'size MiB':>8} {'peak MiB':>8}"
    )
    for n in (int(x) for x in args.communes.split(",")):
        r = measure(base, n, not args.no_memory, args.dir)
        print(
            f"{r['communes']:>8} {r['units']:>7} {r['duties']:>7} {r['occurrences']:>9} "
            f"{r['timeline']:>10.2f} {r['feeds']:>7} {r['export']:>8.2f} {r['rate']:>8.0f} "
            f"{r['MiB']:>8.1f} {r['peak']:>8.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
