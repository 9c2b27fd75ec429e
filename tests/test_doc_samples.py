"""Every fenced python and shell block in docs/ and the README runs as written.

Blocks are run page by page, in page order, in a fresh folder where ``examples``,
``docs`` and ``plugins`` point at the repository's (so later blocks see the files
earlier ones wrote). Markers, on the line just before a fence:

* ``<!-- docs-test: skip (why) -->``: the block is not run (it installs packages,
  needs a server, or names files of a real server); the reason is required;
* ``<!-- docs-test: write NAME -->``: the block (any language) is written to NAME
  for the blocks after it.

Blocks in ``console``, ``text`` and other languages are output or configuration
and are not run. The python blocks of docs/api.md and docs/architecture.md run in
tests/test_docs_api.py and those of docs/plugins.md in tests/test_docs.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from plans import ROOT

ALL_PAGES = sorted([*ROOT.glob("docs/**/*.md"), ROOT / "README.md"])
PYTHON_ELSEWHERE = {"docs/api.md", "docs/architecture.md", "docs/plugins.md"}
SHELLS = {"shell", "bash", "sh"}
FENCE = re.compile(
    r"(?:^<!-- docs-test: (?P<marker>[^\n]*?) -->\n)?^```(?P<lang>[\w-]*)\n(?P<code>.*?)^```",
    re.MULTILINE | re.DOTALL,
)


def blocks(page: Path) -> list[tuple[str, str, str]]:
    """(marker, language, code) of every fenced block of ``page``."""
    text = page.read_text(encoding="utf-8")
    return [(m["marker"] or "", m["lang"], m["code"]) for m in FENCE.finditer(text)]


def _name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def _runnable(page: Path) -> bool:
    """The page has a block this test runs (pages of prose only are not collected)."""
    return any(
        not marker.startswith("skip")
        and (lang in SHELLS or (lang == "python" and _name(page) not in PYTHON_ELSEWHERE))
        for marker, lang, _ in blocks(page)
    )


PAGES = [page for page in ALL_PAGES if _runnable(page)]


def test_markers_are_well_formed() -> None:
    """A skip says why; a write names a file; no other marker exists."""
    for page in ALL_PAGES:
        for marker, _, _ in blocks(page):
            if marker:
                assert re.fullmatch(r"skip \(.+\)|write [\w./-]+", marker), (_name(page), marker)


def test_every_page_with_samples_is_covered() -> None:
    """The pages that show commands: getting started runs them (a guard on the regex)."""
    langs = {lang for _, lang, _ in blocks(ROOT / "docs" / "getting-started.md")}
    assert "shell" in langs


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_samples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every python and shell block of the page runs."""
    for name in ("examples", "docs", "plugins"):
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env["COLUMNS"] = "160"
    ran = 0
    for number, (marker, lang, code) in enumerate(blocks(page)):
        where = f"{_name(page)} block {number}"
        if marker.startswith("skip"):
            continue
        if marker.startswith("write "):
            (tmp_path / marker.split(" ", 1)[1]).write_text(code, encoding="utf-8")
            continue
        if lang in SHELLS:
            done = subprocess.run(
                ["bash", "-e", "-o", "pipefail", "-c", code],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert done.returncode == 0, f"{where} failed:\n{code}\n{done.stdout}\n{done.stderr}"
            ran += 1
        elif lang == "python" and _name(page) not in PYTHON_ELSEWHERE:
            exec(compile(code, where, "exec"), {"__name__": "__doc_sample__"})
            ran += 1
    assert ran > 0, f"{_name(page)}: no block ran"
