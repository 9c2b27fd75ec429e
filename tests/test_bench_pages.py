"""``bench/bench_pages.py`` in small: ``planflow tokens`` and ``planflow serve`` as a user
runs them, concurrent clients on every unit's page, and not one error."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_pages.py"


def test_unit_pages_under_load_answer_every_request() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--communes", "2", "--requests", "32", "--clients", "4"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # the Bờ Y example has 16 units with a page; every one was asked for, 32 requests, 0 errors
    assert "16 units, 4 clients" in done.stdout
    row = re.search(r"^\s+(\d+)\s+(\d+)\s+([\d.]+)\s+\d+\s+\d+\s+\d+$", done.stdout, re.M)
    assert row is not None, done.stdout
    assert (int(row[1]), int(row[2])) == (32, 0) and float(row[3]) > 0
