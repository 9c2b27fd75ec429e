"""Several processes writing the same year at once, on SQLite and on PostgreSQL.

Real processes (``planflow done`` and a loop over the library), started together;
afterwards every record is there exactly once and no writer saw an error other
than the one it should (the same occurrence recorded twice).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

from planflow.jobs.year import Year
from year_support import child_env, plan_text, planflow_cmd, write_plan

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import date, datetime
    from planflow.jobs.progress_records import mark_done
    from planflow.jobs.year import Year

    path, db, task = sys.argv[1], sys.argv[2], sys.argv[3]
    with Year.open(path, db, now=datetime(2025, 12, 31, 12)) as year:
        for index in range(1, 13):
            mark_done(year, f"{task}#{index}", who=task, note=f"lần {index}")
    """
)


def test_concurrent_writers_lose_and_duplicate_nothing(tmp_path: Path, db_url: str) -> None:
    path = write_plan(tmp_path / "xa", plan_text(6))
    env = child_env()
    now = ["--now", "2025-12-31T12:00", "--db", db_url]
    with Year.open(path, db_url):
        pass  # create the schema first, as the daily job would have
    processes = [
        # four library loops, twelve completions each, on four different duties
        *(
            subprocess.Popen(
                [sys.executable, "-c", WRITER, str(path), db_url, f"viec-{n}"],
                env=env,
                stderr=subprocess.PIPE,
            )
            for n in (1, 2, 3, 4)
        ),
        # three offices recording the same occurrence at the same moment
        *(
            subprocess.Popen(
                planflow_cmd("done", str(path), "viec-5#3", "--note", f"văn phòng {k}", *now),
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for k in range(3)
        ),
        # and the daily run at the same time
        subprocess.Popen(
            planflow_cmd("run", str(path), *now),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ),
    ]
    outputs = [p.communicate(timeout=300)[1].decode() for p in processes]
    results = [(p.returncode, err) for p, err in zip(processes, outputs, strict=True)]
    for code, err in results[:4] + results[-1:]:
        assert code == 0, err
    same = results[4:7]
    assert sorted(code for code, _ in same) == [0, 1, 1]
    for code, err in same:
        if code:
            assert "viec-5#3 was already recorded as done" in err
            assert "Traceback" not in err
    with Year.open(path, db_url) as year:
        rows = year.store.history(year.plan.id)
        done = year.store.done(year.plan.id)
    assert len(rows) == 4 * 12 + 1
    assert Counter((r.task, r.index) for r in rows).most_common(1)[0][1] == 1
    assert set(done) == {(f"viec-{n}", i) for n in (1, 2, 3, 4) for i in range(1, 13)} | {
        ("viec-5", 3)
    }
    assert {r.note for r in rows if r.task == "viec-1"} == {f"lần {i}" for i in range(1, 13)}
