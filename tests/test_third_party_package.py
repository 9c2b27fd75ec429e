"""A third-party plugin package, built from the files docs/plugins.md shows, installed into
a temporary virtual environment, and tested there with its own tests.

The files are the ```` ``` ```` blocks of the guide whose first line is ``# file: PATH``:
``pyproject.toml`` (hatchling, the ``planflow`` entry point), the module (a notifier,
a reporter, a completion model with an option, a command) and its tests, which use
``planflow.testing`` and the pytest fixtures. The environment is made with
``python -m venv --without-pip``; one ``.pth`` line there adds this environment's
site-packages (planflow, pytest, hatchling) so that nothing is downloaded; the plugin
itself is built into a wheel and installed for real (``pip install --no-deps
--no-build-isolation``), never on a path.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from planflow.hooks.manager import get_plugin_manager

DOC = Path(__file__).parent.parent / "docs" / "plugins.md"
FILE_BLOCK = re.compile(r"```(?:python|toml)\n(# file: (\S+)\n.*?)```", re.DOTALL)
TIMEOUT = 180  # seconds per step: the whole test takes a few seconds on a quiet machine


def guide_files() -> dict[str, str]:
    """``{path: text}`` of the files docs/plugins.md shows."""
    return {path: text for text, path in FILE_BLOCK.findall(DOC.read_text(encoding="utf-8"))}


def test_the_guide_shows_a_whole_package() -> None:
    """pyproject.toml with the entry point, the module, and a test file."""
    files = guide_files()
    assert set(files) == {
        "planflow-sotay/pyproject.toml",
        "planflow-sotay/src/planflow_sotay/__init__.py",
        "planflow-sotay/tests/test_sotay.py",
    }
    assert (
        '[project.entry-points.planflow]\nsotay = "planflow_sotay"'
        in files["planflow-sotay/pyproject.toml"]
    )


def guide_commands() -> list[list[str]]:
    """The ``$ planflow …`` lines of the guide's "install it and see it work" block."""
    text = DOC.read_text(encoding="utf-8")
    block = text[text.index("$ pip install './planflow-sotay[test]'") :]
    block = block[: block.index("```")]
    return [line.split()[2:] for line in block.splitlines() if line.startswith("$ planflow ")]


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.mark.skipif(
    importlib.util.find_spec("hatchling") is None, reason="hatchling (planflow[test]) is needed"
)
def test_package_installed_in_a_fresh_environment_passes_its_tests(tmp_path: Path) -> None:
    """Build, install into a temporary venv, run the package's own tests there (notifier,
    reporter, completion model and command, through the documented helpers), and see the
    installed entry point on planflow's command line there — and not here."""
    for path, text in guide_files().items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    env = tmp_path / "env"
    _run([sys.executable, "-m", "venv", "--without-pip", str(env)], tmp_path)
    python = env / "bin" / "python"
    site = Path(
        _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
             tmp_path).stdout.strip()
    )  # fmt: skip
    ours = sysconfig.get_paths()["purelib"]
    (site / "_planflow_here.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    install = [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
    _run([*install, "--no-build-isolation", str(tmp_path / "planflow-sotay")], tmp_path)
    assert list(site.glob("planflow_sotay-0.1.0.dist-info"))
    assert (site / "planflow_sotay" / "__init__.py").is_file()

    tests = _run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "planflow-sotay/tests"],
        tmp_path,
    )
    assert "4 passed" in tests.stdout
    listing = _run([str(python), "-m", "planflow", "plugins"], tmp_path)
    assert "sotay 0.1.0 (planflow_sotay)" in listing.stdout
    assert "  notifier sotay: " in listing.stdout and "  reporter sotay-tomtat: " in listing.stdout
    # the guide's commands, in that environment, on the example plan
    (tmp_path / "examples").symlink_to(DOC.parent.parent / "examples")
    for args in guide_commands():
        done = _run([str(python), "-m", "planflow", *args], tmp_path)
        if args[0] == "sotay":
            assert done.stdout.splitlines()[0].startswith("01/01/2025 reminder ")
    assert (tmp_path / "sotay.txt").is_file()
    assert sorted(p.name for p in (tmp_path / "reports").iterdir())[0].startswith("tomtat-")
    # installed there only: this environment does not see it
    assert not get_plugin_manager(environ={}, on_error="skip").has_plugin("sotay")
