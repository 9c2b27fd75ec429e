"""Plan files (YAML) → :class:`~planflow.plan.model.Plan`.

Every problem is reported at once, each as ``FILE:LINE:COL: path: message — hint``,
inside one :class:`~planflow.plan.errors.PlanFileError`. No input file, however
malformed, makes this module raise anything else. The format is documented in
``docs/plan-format.md``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import attrs

from planflow.i18n import _, format_number
from planflow.plan._reader import FORMAT_VERSION, PlanReader
from planflow.plan.errors import PlanFileError, Problem, Severity
from planflow.plan.limits import BYTES
from planflow.plan.model import (
    Plan,
    show_path,
)
from planflow.plan.templates import SourceFile, compose
from planflow.plan.yamldoc import Document, parse_yaml

__all__ = [
    "FORMAT_VERSION",
    "LoadedPlan",
    "SourceFile",
    "load",
    "load_bytes",
    "load_plan",
    "loads",
]

T = TypeVar("T")
_MISSING: Any = object()

#: Called with the parsed document before it is read: a workspace adds its shared
#: units this way (:mod:`planflow.workspace`).
AdjustDocument = Callable[[Document], None]


@attrs.frozen
class LoadedPlan:
    """A plan together with where it came from, so later checks can point into the file."""

    plan: Plan
    document: Document
    warnings: tuple[Problem, ...] = ()
    #: every file read: the plan first, then the templates it extends (see ``extends:``)
    sources: tuple[SourceFile, ...] = ()

    @property
    def file(self) -> str:
        """The file name as shown in messages."""
        return self.document.file

    def problem(
        self,
        path: tuple[Any, ...],
        message: str,
        *,
        hint: str | None = None,
        severity: Severity = Severity.WARNING,
    ) -> Problem:
        """A :class:`Problem` located at ``path`` in the plan file (e.g. ``("tasks", 3)``)."""
        file, line, column = self.document.origin(path)
        return Problem(message, file, line, column, show_path(path), hint, severity)


def resolve_plan_path(path: str | os.PathLike[str]) -> Path:
    """PLAN may be a file or a folder holding ``plan.yaml``."""
    p = Path(path)
    if p.is_dir():
        for name in ("plan.yaml", "plan.yml"):
            if (p / name).is_file():
                return p / name
        raise PlanFileError(
            [
                Problem(
                    _("no plan.yaml in folder {folder!r}").format(folder=str(p)),
                    str(p),
                    hint=_("give the plan file itself, or a folder holding plan.yaml"),
                )
            ]
        )
    return p


def load(
    path: str | os.PathLike[str], *, adjust_document: AdjustDocument | None = None
) -> LoadedPlan:
    """Load a plan file (or a folder holding ``plan.yaml``); raise :class:`PlanFileError`.

    :param adjust_document: called with the parsed document before it is read.
    """
    file = resolve_plan_path(path)
    name = str(file)
    return loads(_read_text(name), file=name, adjust_document=adjust_document)


def _read_text(name: str) -> str:
    """The text of a plan or template file; :class:`PlanFileError` if it cannot be read."""
    file = Path(name)
    try:
        size = file.stat().st_size
        if size > BYTES.value():
            raise PlanFileError([_too_large(size, name)])
        raw = file.read_bytes()
    except FileNotFoundError:
        raise PlanFileError(
            [
                Problem(
                    _("no such file"),
                    name,
                    hint=_("check the path; PLAN may also be a folder holding plan.yaml"),
                )
            ]
        ) from None
    except IsADirectoryError:  # a template named by a folder (a plan folder is resolved first)
        raise PlanFileError([Problem(_("is a folder"), name)]) from None
    except OSError as exc:
        raise PlanFileError(
            [Problem(_("cannot read the file: {why}").format(why=exc.strerror), name)]
        ) from None
    return _decode(raw, name)


def load_bytes(
    raw: bytes, *, file: str = "<bytes>", adjust_document: AdjustDocument | None = None
) -> LoadedPlan:
    """Load a plan from the bytes of a plan file (UTF-8, with or without a BOM).

    For a reader that must parse exactly the bytes it has already looked at (the feed
    server hashes a plan file's bytes, then loads those same bytes).
    """
    if len(raw) > BYTES.value():
        raise PlanFileError([_too_large(len(raw), file)])
    return loads(_decode(raw, file), file=file, adjust_document=adjust_document)


def _too_large(size: int, file: str) -> Problem:
    return Problem(
        _("the file is {size} bytes; plan files are limited to {limit}").format(
            size=format_number(size), limit=format_number(BYTES.value())
        ),
        file,
        hint=_("is this the right file? {hint}").format(hint=BYTES.hint()),
    )


def load_plan(path: str | os.PathLike[str]) -> Plan:
    """Load and return just the :class:`Plan` (see :func:`load`)."""
    return load(path).plan


def _decode(raw: bytes, file: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8")) + 1  # characters
        raise PlanFileError(
            [
                Problem(
                    _("the file is not UTF-8 (byte {byte})").format(byte=f"0x{raw[exc.start]:02x}"),
                    file,
                    line,
                    column,
                    hint=_("save the file as UTF-8 (Vietnamese text needs it)"),
                )
            ]
        ) from None
    if "\x00" in text:
        at = text.index("\x00")
        line, column = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
        raise PlanFileError(
            [
                Problem(
                    _("the file contains NUL characters"),
                    file,
                    line,
                    column,
                    hint=_("this looks like a binary file, not a plan"),
                )
            ]
        )
    return text


def loads(
    text: str, *, file: str = "<string>", adjust_document: AdjustDocument | None = None
) -> LoadedPlan:
    """Load a plan from YAML text; ``file`` is the name used in messages.

    :param adjust_document: called with the parsed document (merged with the templates
        it extends) before it is read.
    """
    if len(text) > BYTES.value() or len(text.encode("utf-8", "surrogatepass")) > BYTES.value():
        raise PlanFileError(
            [
                Problem(
                    _("the plan is larger than {limit} bytes").format(
                        limit=format_number(BYTES.value())
                    ),
                    file,
                    hint=BYTES.hint(),
                )
            ]
        )
    doc, sources = compose(parse_yaml(text, file), text, _read_text)
    if adjust_document is not None:
        adjust_document(doc)
    reader = PlanReader(doc)
    plan = reader.read()
    errors = [p for p in reader.problems if p.severity is Severity.ERROR]
    if plan is None or errors:
        if not errors:  # pragma: no cover - read() returns None only after an error
            errors.append(Problem(_("the plan could not be read"), file))

        raise PlanFileError(reader.problems)
    return LoadedPlan(plan, doc, tuple(reader.problems), sources)
