"""Small plan files shared by tests: the complete example from docs/plan-format.md."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_DIR = ROOT / "examples" / "boy_2025"
DOCS_FORMAT = ROOT / "docs" / "plan-format.md"


def docs_example() -> str:
    """The YAML of the complete small example in docs/plan-format.md (the first yaml block)."""
    text = DOCS_FORMAT.read_text(encoding="utf-8")
    return text.split("```yaml\n", 1)[1].split("```", 1)[0]


def write_docs_example(folder: Path) -> Path:
    """Write the docs example as ``folder/plan.yaml`` and return its path."""
    path = folder / "plan.yaml"
    path.write_text(docs_example(), encoding="utf-8")
    return path
