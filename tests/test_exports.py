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


def _import_lists(module: object) -> tuple[set[str], set[str], set[str]]:
    """What a package ``__init__`` imports, read from its source: (plain imports, names
    imported "as" themselves, names imported only for type checkers)."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(module))  # type: ignore[arg-type]
    plain: set[str] = set()
    as_self: set[str] = set()
    typing_only: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If):  # if TYPE_CHECKING:
            typing_only |= {
                a.asname or a.name
                for sub in node.body
                if isinstance(sub, ast.ImportFrom)
                for a in sub.names
            }
        elif isinstance(node, ast.ImportFrom) and node.module not in ("__future__", "typing"):
            for alias in node.names:
                if alias.asname is None:
                    plain.add(alias.name)
                elif alias.asname == alias.name:
                    as_self.add(alias.name)
    return plain, as_self, typing_only


def test_planflow_imports_and_all_agree() -> None:
    """``planflow.__all__`` is exactly what ``__init__`` imports, plus the lazy names
    (imported for type checkers only, loaded on first use) and ``__version__``."""
    plain, as_self, typing_only = _import_lists(planflow)
    assert typing_only == set(planflow._LAZY)
    assert set(planflow.__all__) == plain | as_self | typing_only | {"__version__"}


def test_model_imports_and_all_agree() -> None:
    """``planflow.plan.model.__all__`` is exactly its plain imports; names imported "as"
    themselves are importable but not star-exported; every class and function there is
    shown as ``planflow.plan.model.<name>``; and everything ``planflow`` takes from the
    model is exported by it."""
    import planflow.plan.model as model

    plain, as_self, _ = _import_lists(model)
    plain.discard("annotations")
    assert set(model.__all__) == plain
    assert not as_self & plain
    for name in plain | as_self:
        value = getattr(model, name)
        if isinstance(value, type) or hasattr(value, "__code__"):
            assert value.__module__ == "planflow.plan.model", name
    from_model = {n for n in planflow.__all__ if getattr(model, n, None) is getattr(planflow, n)}
    assert from_model <= plain | as_self
    assert {"Plan", "Task", "Unit", "Shift", "Window"} <= from_model
