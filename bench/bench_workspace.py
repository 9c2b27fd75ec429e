"""End to end at province and national scale: ``planflow validate|simulate|export WORKSPACE``.

Writes a province (100 communes) and the nation (3,300) as workspaces
(``workspace_gen.py``: one plan file per commune, complete files, no templates yet),
then runs each command as its own process, cold (no ``.planflow/cache``, no output)
and warm (the cache of the cold run; ``export`` also "again": into the folder it
wrote before, whose unchanged files are left untouched). For each run it prints the
wall time and the peak resident memory of the whole process tree (the command and
its worker processes, summed, sampled every 20 ms from /proc).

With ``tj3`` installed (Debian's ``tj3`` package), the same 100-commune plan is
written as TaskJuggler input (``tj3_plan.py``: one task per occurrence, its unit
responsible, its dependencies) and scheduled with an iCalendar report, and the ratio
of its time to planflow's is printed.

    python bench/bench_workspace.py [--communes 100,3300] [--jobs 2] [--dir DIR] [--no-tj3]
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


def measure(args: list[str], cwd: str | None = None) -> tuple[float, float, float]:
    """Run ``args``; return (wall seconds, CPU seconds of the tree, peak tree RSS in MiB).

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
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{err.decode()[-2000:]}")
    return wall, _cpu() - cpu, peak / 2**20


Row = tuple[str, str, float, float, float]  # command, cache, wall s, CPU s, MiB


def bench_workspace(base: Path, communes: int, jobs: int) -> list[Row]:
    """Rows for one workspace size: cold (nothing cached), plans (compiled plans cached,
    results not), warm (plans and results cached); export also again (output there)."""
    ws = base / f"ws{communes}"
    out = base / f"out{communes}"
    if not (ws / f"c{communes:04d}" / "plan.yaml").exists():
        shutil.rmtree(ws, ignore_errors=True)
        write_workspace(ws, communes)
    rows = []
    j = ["--jobs", str(jobs)]
    for command, extra in (("validate", []), ("simulate", []), ("export", ["--out", str(out)])):
        for cache in ("cold", "plans", "warm", "again"):
            if cache == "again" and command != "export":
                continue
            if cache == "cold":
                shutil.rmtree(ws / ".planflow", ignore_errors=True)
            if cache == "plans":
                _forget_results(ws)
            if cache != "again":
                shutil.rmtree(out, ignore_errors=True)
            wall, cpu, mib = measure([PLANFLOW, command, str(ws), *extra, *j])
            rows.append((command, cache, wall, cpu, mib))
            print(f"  {communes:>5} {command:9} {cache:5} {wall:7.2f} s {cpu:7.2f} s CPU "
                  f"{mib:7.0f} MiB", flush=True)  # fmt: skip
    return rows


def _forget_results(ws: Path) -> None:
    """Delete the cached results, keep the compiled plans (results unpickle as dicts)."""
    import pickle

    for entry in (ws / ".planflow" / "cache").glob("*.pickle"):
        with open(entry, "rb") as fh:
            payload = pickle.load(fh)
        if len(payload) == 4:  # (stamp, options, sources, value): a result
            entry.unlink()


def bench_tj3(base: Path, communes: int) -> tuple[float, float, float] | None:
    """Seconds and MiB of tj3 scheduling the plan and writing its iCalendar report."""
    if shutil.which("tj3") is None:
        print("tj3 is not installed (apt-get install -y tj3): no comparison", file=sys.stderr)
        return None
    from tj3_plan import tj3_source

    folder = base / f"tj3-{communes}"
    folder.mkdir(exist_ok=True)
    text, _ = tj3_source(communes)
    (folder / "plan.tjp").write_text(text, encoding="utf-8")
    result = measure(["tj3", "--silent", "--no-color", "plan.tjp"], cwd=str(folder))
    if not (folder / "tj3-plan.ics").exists():
        raise SystemExit("tj3 wrote no iCalendar report")
    return result


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communes", default="100,3300")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--dir", help="Where to write the workspaces (kept) [default: a temp dir]")
    parser.add_argument("--no-tj3", action="store_true")
    args = parser.parse_args()
    base = Path(args.dir or tempfile.mkdtemp(prefix="planflow-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    sizes = [int(x) for x in args.communes.split(",")]
    table: dict[int, list[Row]] = {}
    for communes in sizes:
        table[communes] = bench_workspace(base, communes, args.jobs)
    tj3 = None if args.no_tj3 or 100 not in sizes else bench_tj3(base, 100)
    print(f"\n{'communes':>8} {'command':9} {'cache':5} {'wall s':>8} {'CPU s':>8} "
          f"{'peak RSS MiB':>12}")  # fmt: skip
    for communes, rows in table.items():
        for command, cache, wall, cpu, mib in rows:
            print(f"{communes:>8} {command:9} {cache:5} {wall:8.2f} {cpu:8.2f} {mib:12.0f}")
    if tj3 is not None:
        print(f"{100:>8} {'tj3':9} {'-':5} {tj3[0]:8.2f} {tj3[1]:8.2f} {tj3[2]:12.0f}")
        by = {(c, k): (w, cpu) for c, k, w, cpu, _ in table[100]}
        for cache in ("warm", "plans"):
            (sim, sim_cpu), (exp, exp_cpu) = by[("simulate", cache)], by[("export", cache)]
            print(
                f"tj3 / planflow, {cache}: simulate {tj3[0] / sim:.1f}x wall, "
                f"{tj3[1] / sim_cpu:.1f}x CPU; simulate + export {tj3[0] / (sim + exp):.1f}x "
                f"wall, {tj3[1] / (sim_cpu + exp_cpu):.1f}x CPU"
            )
    print(f"\nworkspaces in {base}")


if __name__ == "__main__":
    main()
