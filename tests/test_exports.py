"""The public API is exactly what `planflow.__all__` lists."""

from __future__ import annotations

import planflow


def test_all_is_sorted_and_importable() -> None:
    """Every public name resolves, and the list stays sorted (httpx's habit)."""
    names = [n for n in planflow.__all__ if n != "__version__"]
    assert names == sorted(names, key=lambda n: (n[0].islower(), n))
    for name in planflow.__all__:
        assert getattr(planflow, name) is not None, name


def test_version_matches_the_distribution() -> None:
    """`planflow --version` and the package metadata agree."""
    from importlib.metadata import version

    assert planflow.__version__ == version("planflow")
