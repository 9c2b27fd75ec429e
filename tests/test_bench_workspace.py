"""The scale benches' inputs: the generated workspace validates, the TaskJuggler input
has one task per occurrence (the benches compare like with like)."""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

from planflow.cli.main import cli
from planflow.plan.loading import load_plan
from planflow.timeline.occurrences import Timeline

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

from tj3_plan import tj3_source  # noqa: E402
from workspace_gen import write_workspace  # noqa: E402

EXAMPLE = BENCH.parent / "examples" / "boy_2025"


def test_the_generated_workspace_validates(tmp_path: Path) -> None:
    """Three communes extending the province template: every plan loads, with its own id
    and the shared Sở Nội vụ, and the same occurrences as the example."""
    root = write_workspace(tmp_path / "ws", 3)
    result = CliRunner().invoke(cli, ["validate", str(root), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "3 plans, 3 OK, 0 with errors" in result.output
    assert "shared units: sonv" in result.output
    assert "1,002 occurrences" in result.output  # 3 x the example's 334
    commune = (root / "c0002" / "plan.yaml").read_text(encoding="utf-8")
    assert commune.startswith("extends: ../template.yaml")
    result = CliRunner().invoke(cli, ["show", str(root / "c0002"), "--json"])
    assert '"id": "c0002-2025"' in result.output


def test_the_taskjuggler_input_has_every_occurrence() -> None:
    """One commune: a task per occurrence of the example on planflow's own start date,
    a depends per waiting one, one iCalendar report per commune."""
    text, count = tj3_source(1)
    timeline = Timeline(load_plan(EXAMPLE))
    occurrences = list(timeline)
    assert count == len(occurrences) == 334
    assert text.count("    task o") == count
    assert text.count(" depends ") == sum(1 for o in occurrences if o.waits_for)
    starts = sorted(line.split(" start ")[1].split()[0] for line in text.splitlines()
                    if line.startswith("    task o"))  # fmt: skip
    assert starts == sorted(o.start.isoformat() for o in occurrences)
    assert text.rstrip().endswith('icalreport "tj3-c0000" { hidetask ~ischildof(c0000) }')
    single, _ = tj3_source(1, single_report=True)
    assert single.rstrip().endswith('icalreport "tj3-plan" {\n}')
