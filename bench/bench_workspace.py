"""End to end at province and national scale: ``planflow validate|simulate|export WORKSPACE``.

Writes a province (100 communes) and the nation (3,300) as workspaces
(``workspace_gen.py``: one plan file per commune, extending the province template),
then runs each command as its own process, cold (no ``.planflow/cache``, no output)
and warm (the cache of the cold run: compiled plans, results and each plan's rendered
feeds). Each export writes into a new folder; ``export`` also runs "again": into the
folder the warm export wrote, whose unchanged files are left untouched. For each run it prints the
wall time and the peak resident memory of the whole process tree (the command and
its worker processes, summed, sampled every 20 ms from /proc).

With ``tj3`` installed (Debian's ``tj3`` package), the same 100-commune plan is
written as TaskJuggler input (``tj3_plan.py``: one task per occurrence on its own
date, its unit responsible, its dependencies) and run twice in the same bench run:
scheduling only (``--no-reports``), and scheduling with the iCalendar export (one
file per commune). Each tj3 run is stopped after ``--tj3-timeout`` seconds; the
ratios to planflow are then lower bounds and printed with ">=".

Every row carries the 1-minute load average when it finished: the machine may be
shared, and the wall times grow with the load (the CPU seconds hardly do).

    python bench/bench_workspace.py [--communes 100,3300] [--jobs 2] [--dir DIR]
        [--no-tj3] [--tj3-timeout 1800]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workspace_gen import write_workspace

PLANFLOW = str(Path(sys.executable).with_name("planflow"))
PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)  # ppid
        rss[pid] = int(fields[21]) * PAGE
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    args: list[str], cwd: str | None = None, *, timeout: float | None = None
) -> tuple[float, float, float, bool]:
    """Run ``args``; return (wall seconds, CPU seconds of the tree, peak tree RSS in MiB,
    whether it finished: False when it was stopped after ``timeout`` seconds).

    The CPU seconds (user + system of the command and its workers) hardly change
    when other programs share the machine; the wall time does."""
    cpu = _cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    finished = True
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        finished = False
        proc.kill()
        _, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if finished and proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{err.decode()[-2000:]}")
    return wall, _cpu() - cpu, peak / 2**20, finished


Row = tuple[str, str, float, float, float, float]  # command, cache, wall s, CPU s, MiB, load
LEVELS = ("cold", "plans", "warm", "again")


def bench_workspace(
    base: Path, communes: int, jobs: int, levels: tuple[str, ...] = LEVELS
) -> list[Row]:
    """Rows for one workspace size: cold (nothing cached), plans (compiled plans cached,
    results not), warm (plans and results cached); export also again (output there)."""
    ws = base / f"ws{communes}"
    if not (ws / f"c{communes:04d}" / "plan.yaml").exists():
        shutil.rmtree(ws, ignore_errors=True)
        write_workspace(ws, communes)
    rows = []
    j = ["--jobs", str(jobs)]
    # each export writes a folder of its own, removed at the end: deleting a national
    # export (69,300 files) just before the next one makes the file system slow to
    # create files for a while, which no user exporting into a new folder pays
    for command, extra in (("validate", []), ("simulate", []), ("export", [])):
        for cache in levels:
            if cache == "again" and command != "export":
                continue
            if cache == "cold":
                shutil.rmtree(ws / ".planflow", ignore_errors=True)
            if cache == "plans":
                _forget_results(ws)
            out = base / f"out{communes}-{'warm' if cache == 'again' else cache}"
            if cache != "again":
                shutil.rmtree(out, ignore_errors=True)
            if command == "export":
                extra = ["--out", str(out)]
            wall, cpu, mib, _ = measure([PLANFLOW, command, str(ws), *extra, *j])
            load = os.getloadavg()[0]
            rows.append((command, cache, wall, cpu, mib, load))
            print(f"  {communes:>5} {command:9} {cache:5} {wall:7.2f} s {cpu:7.2f} s CPU "
                  f"{mib:7.0f} MiB  load {load:.1f}", flush=True)  # fmt: skip
    for cache in levels:
        shutil.rmtree(base / f"out{communes}-{cache}", ignore_errors=True)
    return rows


def _forget_results(ws: Path) -> None:
    """Delete the cached results, keep the compiled plans (results unpickle as dicts)."""
    import pickle

    for entry in (ws / ".planflow" / "cache").glob("*.pickle"):
        with open(entry, "rb") as fh:
            payload = pickle.load(fh)
        if len(payload) == 4:  # (stamp, options, sources, value): a result
            entry.unlink()


TjRow = tuple[str, float, float, float, bool, float]  # what, wall, CPU, MiB, finished, load


def bench_tj3(base: Path, communes: int, timeout: float) -> list[TjRow]:
    """tj3 scheduling the plan (``--no-reports``), then scheduling it and writing its
    iCalendar files; each stopped after ``timeout`` seconds."""
    if shutil.which("tj3") is None:
        print("tj3 is not installed (apt-get install -y tj3): no comparison", file=sys.stderr)
        return []
    from tj3_plan import tj3_source

    folder = base / f"tj3-{communes}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    text, _ = tj3_source(communes)
    (folder / "plan.tjp").write_text(text, encoding="utf-8")
    rows: list[TjRow] = []
    for what, extra in (("schedule", ["--no-reports"]), ("schedule+ical", [])):
        args = ["tj3", "--silent", "--no-color", *extra, "plan.tjp"]
        wall, cpu, mib, finished = measure(args, cwd=str(folder), timeout=timeout)
        load = os.getloadavg()[0]
        rows.append((what, wall, cpu, mib, finished, load))
        print(f"  {communes:>5} tj3 {what:13} {wall:7.2f} s {cpu:7.2f} s CPU {mib:7.0f} MiB  "
              f"load {load:.1f}" + ("" if finished else "  (stopped: not finished)"),
              flush=True)  # fmt: skip
    if rows[-1][4] and len(list(folder.glob("tj3-c*.ics"))) != communes:
        raise SystemExit("tj3 did not write one iCalendar file per commune")
    return rows


def _ratio(tj3: float, finished: bool, planflow: float) -> str:
    return f"{'>=' if not finished else ''}{tj3 / planflow:.0f}x"


def print_comparison(rows: list[Row], tj3: list[TjRow]) -> None:
    """tj3 against planflow on the same plan, warm cache: wall and CPU ratios."""
    by = {(c, k): (w, cpu) for c, k, w, cpu, _, _ in rows}
    (sim, sim_cpu), (exp, exp_cpu) = by[("simulate", "warm")], by[("export", "warm")]
    for what, wall, cpu, _, finished, _ in tj3:
        if what == "schedule":
            pf, pf_cpu, against = sim, sim_cpu, "planflow simulate"
        else:
            pf, pf_cpu, against = sim + exp, sim_cpu + exp_cpu, "planflow simulate + export"
        print(f"tj3 {what} / {against} (warm): {_ratio(wall, finished, pf)} wall, "
              f"{_ratio(cpu, finished, pf_cpu)} CPU")  # fmt: skip


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communes", default="100,3300")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--dir", help="Where to write the workspaces (kept) [default: a temp dir]")
    parser.add_argument("--no-tj3", action="store_true")
    parser.add_argument("--tj3-timeout", type=float, default=1800.0)
    parser.add_argument("--tj3-first", action="store_true", help="run tj3 before planflow")
    parser.add_argument("--levels", default=",".join(LEVELS), help="cache levels to run")
    args = parser.parse_args()
    base = Path(args.dir or tempfile.mkdtemp(prefix="planflow-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    sizes = [int(x) for x in args.communes.split(",")]
    with_tj3 = not args.no_tj3 and 100 in sizes
    tj3: list[TjRow] = bench_tj3(base, 100, args.tj3_timeout) if with_tj3 and args.tj3_first else []
    table: dict[int, list[Row]] = {}
    for communes in sizes:
        table[communes] = bench_workspace(base, communes, args.jobs, tuple(args.levels.split(",")))
    if with_tj3 and not args.tj3_first:
        tj3 = bench_tj3(base, 100, args.tj3_timeout)
    print(f"\n{'communes':>8} {'command':13} {'cache':5} {'wall s':>8} {'CPU s':>8} "
          f"{'peak RSS MiB':>12} {'load':>5}")  # fmt: skip
    for communes, rows in table.items():
        for command, cache, wall, cpu, mib, load in rows:
            print(f"{communes:>8} {command:13} {cache:5} {wall:8.2f} {cpu:8.2f} {mib:12.0f} "
                  f"{load:5.1f}")  # fmt: skip
    for what, wall, cpu, mib, finished, load in tj3:
        mark = "" if finished else "  (stopped: not finished)"
        print(f"{100:>8} {'tj3 ' + what:13} {'-':5} {wall:8.2f} {cpu:8.2f} {mib:12.0f} "
              f"{load:5.1f}{mark}")  # fmt: skip
    if tj3:
        print_comparison(table[100], tj3)
    print(f"\nworkspaces in {base}")


if __name__ == "__main__":
    main()
