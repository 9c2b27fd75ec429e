"""The real year at province scale: ``planflow run`` for one day and ``status``, N communes.

Run: ``python bench/bench_year.py [--communes 1,10,100] [--db sqlite,postgresql]``.

Each commune is the Bờ Y example with its own plan id (``cNNN-2025``) in its own
folder. With ``sqlite`` every commune has its own state file (the default,
``PLAN_DIR/.planflow/state.db``); with ``postgresql`` all communes share one database
of a throw-away cluster (started as in the tests, from Debian's binaries). For each
size it prints, for the whole province, in seconds of wall time:

* ``first run``: the first ``run`` of every commune, on 5 October (it records the
  year so far and makes one digest per unit);
* ``run 1 day``: the next morning's ``run`` of every commune (what cron does daily);
* ``status``: ``status`` of every commune (replay to today, per-unit counts);
* per commune: ``run`` and ``status`` in milliseconds.

Library calls in one process (no interpreter start-up, which costs ~0.4 s per command).
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from planflow.hooks.manager import get_plugin_manager
from planflow.jobs.status import status
from planflow.jobs.year import Year, advance
from year_support import postgres_server

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "boy_2025" / "plan.yaml"


def communes(folder: Path, n: int) -> list[Path]:
    """``n`` copies of the Bờ Y plan, each with its own id, in their own folders."""
    text = EXAMPLE.read_text(encoding="utf-8")
    paths = []
    for k in range(n):
        path = folder / f"c{k:03d}" / "plan.yaml"
        path.parent.mkdir(parents=True)
        path.write_text(text.replace("  id: boy-2025", f"  id: c{k:03d}-2025", 1), "utf-8")
        paths.append(path)
    return paths


@contextlib.contextmanager
def database(kind: str) -> Iterator[str | None]:
    if kind == "sqlite":
        yield None
        return
    with postgres_server() as server:
        if isinstance(server, str):
            raise SystemExit(f"no PostgreSQL: {server}")
        yield server.database("bench_year")


def timed(paths: list[Path], db: str | None, day: datetime, what: str) -> float:
    pm = get_plugin_manager(load_entrypoints=False)
    started = time.perf_counter()
    for path in paths:
        with Year.open(path, db, now=day) as year:
            if what == "run":
                advance(year, pm=pm)
            else:
                status(year)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--communes", default="1,10,100")
    parser.add_argument("--db", default="sqlite,postgresql")
    args = parser.parse_args()
    print(f"{'db':<11}{'communes':>9}{'first run':>11}{'run 1 day':>11}{'status':>9}"
          f"{'run ms':>9}{'status ms':>11}")  # fmt: skip
    for kind in args.db.split(","):
        for n in map(int, args.communes.split(",")):
            folder = Path(tempfile.mkdtemp(prefix="planflow-bench-year-"))
            try:
                with database(kind) as db:
                    paths = communes(folder, n)
                    first = timed(paths, db, datetime(2025, 10, 5, 7), "run")
                    daily = timed(paths, db, datetime(2025, 10, 6, 7), "run")
                    shown = timed(paths, db, datetime(2025, 10, 6, 8), "status")
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            print(f"{kind:<11}{n:>9}{first:>11.2f}{daily:>11.2f}{shown:>9.2f}"
                  f"{daily / n * 1000:>9.1f}{shown / n * 1000:>11.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
