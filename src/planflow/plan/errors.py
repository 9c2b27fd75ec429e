"""Errors raised by planflow.

Every error planflow raises for bad input is a :class:`PlanError`, which is also a
:class:`ValueError`, so callers that do not care about the details can catch
``ValueError``::

    PlanError (ValueError)
    ├── ModelError          an impossible value given to a model class
    ├── RecurrenceError     an invalid recurrence rule or shorthand
    ├── CycleError          a cycle of dependencies, with the cycle as a path
    └── PlanFileError       every problem found in one plan file, each with
                            file, line, column and the path in the document

A :class:`Problem` is one located message; :class:`PlanFileError` carries all of
them at once so that the officer fixing a plan sees everything in one run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum

import attrs

from planflow.i18n import _

__all__ = [
    "CycleError",
    "ModelError",
    "PlanError",
    "PlanFileError",
    "Problem",
    "RecurrenceError",
    "Severity",
]


class Severity(str, Enum):
    """How serious a :class:`Problem` is: errors stop a plan from loading, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@attrs.frozen
class Problem:
    """One message about a plan file, with where it applies.

    ``line`` and ``column`` are 1-based, as editors show them. ``path`` is the
    place in the document, such as ``tasks[4].lead``.
    """

    message: str
    file: str = "<plan>"
    line: int = 1
    column: int = 1
    path: str = ""
    hint: str | None = None
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}: "
        level = _("warning: ") if self.severity is Severity.WARNING else ""
        path = f"{self.path}: " if self.path else ""
        hint = f" — {self.hint}" if self.hint else ""
        return f"{where}{level}{path}{self.message}{hint}"


class PlanError(ValueError):
    """Root of every error planflow raises for bad input."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(f"{message} — {hint}" if hint else message)


class ModelError(PlanError):
    """A model class was given an impossible value (an end before its start, an unknown unit)."""


class RecurrenceError(PlanError):
    """A recurrence rule or shorthand could not be understood.

    :param value: the text that was rejected.
    """

    def __init__(self, message: str, *, value: str = "", hint: str | None = None) -> None:
        self.value = value
        super().__init__(message, hint=hint)


class CycleError(PlanError):
    """Tasks (or occurrences) wait for each other in a circle.

    :param cycle: the nodes in order, first repeated at the end: ``(a, b, c, a)``.
    """

    def __init__(self, cycle: Sequence[str], *, what: str = "dependency cycle") -> None:
        self.cycle = tuple(cycle)
        super().__init__(f"{what}: {format_cycle(self.cycle)}")


def format_cycle(cycle: Sequence[str]) -> str:
    """Show a cycle as ``a → b → c → a`` (closing it if the caller did not)."""
    nodes = list(cycle)
    if nodes and nodes[0] != nodes[-1]:
        nodes.append(nodes[0])
    return " → ".join(nodes)


class PlanFileError(PlanError):
    """Everything wrong with one plan file.

    ``problems`` lists every error (and the warnings found on the way) in file order;
    ``str()`` of the exception is one problem per line, ``FILE:LINE:COL: message``.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(sorted(problems, key=_problem_order))
        self.errors = tuple(p for p in self.problems if p.severity is Severity.ERROR)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def file(self) -> str:
        """The file the (first) problem is in."""
        return self.problems[0].file if self.problems else "<plan>"


def _problem_order(problem: Problem) -> tuple[str, int, int, str]:
    return (problem.file, problem.line, problem.column, problem.message)
