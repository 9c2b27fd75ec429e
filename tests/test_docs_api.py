"""Every python example in docs/api.md, architecture.md and workspaces.md runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
DOCS = [ROOT / "docs" / name for name in ("api.md", "architecture.md", "workspaces.md")]
FENCE = "`" * 3


def _blocks() -> list[tuple[str, int, str]]:
    out = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        pattern = rf"{FENCE}python\n(.*?){FENCE}"
        for number, code in enumerate(re.findall(pattern, text, flags=re.DOTALL)):
            out.append((doc.name, number, code))
    return out


@pytest.mark.parametrize(("doc", "number", "code"), _blocks(), ids=lambda v: str(v)[:20])
def test_example_runs(doc: str, number: int, code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the examples name files relative to the repository
    exec(compile(code, f"docs/{doc} example {number}", "exec"), {"__name__": "__doc_example__"})


def test_every_public_name_in_the_api_page_imports_from_planflow() -> None:
    """``planflow.X`` written in docs/api.md resolves (the package is the public face)."""
    import planflow

    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    names = set(re.findall(r"\bplanflow\.([A-Za-z_]\w*)\b(?!\.)", text))
    modules = {"plan", "timeline", "run", "hooks", "feeds", "jobs", "cli", "testing"}
    missing = [n for n in sorted(names - modules) if not hasattr(planflow, n)]
    assert not missing, missing
    assert {"simulate", "export_feeds"} <= set(planflow.__all__)
