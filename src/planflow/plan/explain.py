"""Where each value of a (merged) plan came from: ``planflow show --explain``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from typing import Any

import attrs
import yaml

from planflow.plan.model import format_path
from planflow.plan.yamldoc import Document

__all__ = ["Origin", "merged_yaml", "origins"]


@attrs.frozen
class Origin:
    """One value of the plan document with the file, line and column it was written at."""

    path: str
    value: Any
    file: str
    line: int
    column: int
    #: the placeholders that filled the value: (name, file, line, column) of each value
    filled: tuple[tuple[str, str, int, int], ...] = ()

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        fills = "".join(
            f", ${{{name}}} ← {_relative(file)}:{line}:{column}"
            for name, file, line, column in self.filled
        )
        return f"{self.path} = {_show(self.value)}    ← {where}{fills}"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value) if value != value.strip() or not value else value
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return "null"
    return str(value).lower() if isinstance(value, bool) else str(value)


def origins(doc: Document) -> Iterator[Origin]:
    """Every scalar value of ``doc`` (an empty list or mapping counts as one), in file order."""

    def walk(path: tuple[Any, ...], value: Any) -> Iterator[Origin]:
        children: list[tuple[Any, Any]] = []
        if isinstance(value, dict):
            children = list(value.items())
        elif isinstance(value, list):
            children = list(enumerate(value))
        if children:
            for k, v in children:
                yield from walk((*path, k), v)
            return
        file, line, column = doc.origin(path)
        filled = doc.filled.get(path, ())
        yield Origin(format_path(path), value, _relative(file), line, column, filled)

    if doc.data is not None:
        yield from walk((), doc.data)


def _relative(file: str) -> str:
    """``file`` relative to the working folder when it lies inside it (shorter to read)."""
    if not os.path.isabs(file):
        return file
    try:
        rel = os.path.relpath(file)
    except ValueError:  # another drive on Windows
        return file
    return file if rel.startswith("..") else rel


class _Dumper(yaml.SafeDumper):
    pass


def merged_yaml(doc: Document) -> str:
    """The merged plan document as YAML (keys in file order, Vietnamese kept as written)."""
    return yaml.dump(doc.data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
