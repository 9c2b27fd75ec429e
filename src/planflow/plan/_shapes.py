"""The shape checks of the plan-file reader: mappings, lists, texts, ids, dates.

Each check records a located :class:`~planflow.plan.errors.Problem` instead of raising, so
that one run reports everything wrong with a file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar

from planflow.i18n import _, format_date
from planflow.plan import forms
from planflow.plan.errors import PlanError, Problem, Severity
from planflow.plan.model import (
    ID_PATTERN,
    show_path,
    suggest,
)
from planflow.plan.yamldoc import Document

__all__ = ["ShapeReader"]


T = TypeVar("T")


class ShapeReader:
    """Reads values of the plain document by shape, collecting every problem with its position."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[Problem] = []
        self._reported: set[Problem] = set()
        self.names: dict[str, str] = {}  # normalised alias → unit id
        self.unit_ids: list[str] = []
        # ids of entries that did not load; "" stands for a group member already reported
        self.failed_ids: set[str] = {""}
        self.unit_paths: list[tuple[Any, ...]] = []  # file path of each loaded unit
        self.task_paths: list[int] = []  # file index of each loaded task
        self.indicator_paths: list[int] = []  # file index of each loaded indicator
        self.year_unknown = False  # no valid plan year: windows cannot be checked against it
        self.explicit_windows: set[str] = set()  # tasks whose window gives its own dates
        self.defaults: dict[str, Any] = {}  # the plan's ``defaults:`` for tasks
        self.inherited: dict[str, set[str]] = {}  # task id → keys it took from defaults

    # --- reporting ------------------------------------------------------

    def fail(
        self,
        path: tuple[Any, ...],
        message: str,
        hint: str | None = None,
        *,
        key: bool = False,
        severity: Severity = Severity.ERROR,
    ) -> None:
        file, line, column = self.doc.origin(path, key=key)
        shown = show_path(path[:-1] if key else path)
        problem = Problem(message, file, line, column, shown, hint, severity)
        if problem not in self._reported:  # a wrong default is reported once, not per task
            self._reported.add(problem)
            self.problems.append(problem)

    def attempt(self, path: tuple[Any, ...], fn: Callable[[], T]) -> T | None:
        """Run a parser or model constructor, turning its PlanError into a located problem."""
        try:
            return fn()
        except PlanError as exc:
            self.fail(path, exc.message, exc.hint)
        except (ValueError, TypeError) as exc:  # attrs validators from the library itself
            self.fail(path, str(exc))
        return None

    # --- shapes ---------------------------------------------------------

    def mapping(
        self, path: tuple[Any, ...], value: Any, allowed: set[str], required: Iterable[str] = ()
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(
                path,
                _("expected a mapping (key: value lines), got {kind}").format(kind=_kind(value)),
            )
            return None
        for key in value:
            if key not in allowed:
                hint = suggest(str(key), sorted(allowed)) or _("allowed keys: {keys}").format(
                    keys=", ".join(sorted(allowed))
                )
                self.fail((*path, key), _("unknown key {key!r}").format(key=key), hint, key=True)
        for key in required:
            if value.get(key) is None:
                self.fail(path, _("missing required key {key!r}").format(key=key))
        return value

    def sequence(self, path: tuple[Any, ...], value: Any, *, single_ok: bool = False) -> list[Any]:
        if value is None:
            return []
        if isinstance(value, list):
            return value
        if single_ok and isinstance(value, str | int | date):
            return [value]
        self.fail(
            path,
            _("expected a list, got {kind}").format(kind=_kind(value)),
            _("write one '- item' per line"),
        )
        return []

    def text(self, path: tuple[Any, ...], value: Any, *, required: bool = False) -> str:
        if value is None:
            if required:
                self.fail(path, _("missing required text"))
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(path, _("expected a text, got {kind}").format(kind=_kind(value)))
            return ""
        text = unicodedata.normalize("NFC", str(value)).strip()
        found = _INVISIBLE_AT.search(text)
        if found is not None:
            hidden = found.group()
            self.fail(
                path,
                _("the text contains an invisible character {code} ({name})").format(
                    code=f"U+{ord(hidden):04X}", name=unicodedata.name(hidden, "control")
                ),
                _("delete it: it hides or reorders letters, so the text does not read as it shows"),
                severity=Severity.WARNING,
            )
        return text

    def ident(self, path: tuple[Any, ...], value: Any) -> str | None:
        import re

        if not isinstance(value, str):
            self.fail(path, _("expected an id, got {kind}").format(kind=_kind(value)))
            return None
        if not re.fullmatch(ID_PATTERN, value):
            self.fail(
                path,
                _("{value!r} is not a valid id").format(value=value),
                _("use lower-case ASCII letters, digits, '-', '_' or '.' (write 'đ' as 'dd')"),
            )
            return None
        return value

    def day(self, path: tuple[Any, ...], value: Any) -> date | None:
        """A date written ``2025-01-15`` or, as Vietnamese documents do, ``15/01/2025``."""
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return forms.parse_day(value)
            except PlanError as exc:
                self.fail(path, exc.message, exc.hint)
                return None
        self.fail(
            path,
            _("expected a date (YYYY-MM-DD or DD/MM/YYYY), got {value!r}").format(value=value),
            _("write e.g. 2025-01-15 or 15/01/2025"),
        )
        return None

    def channels(self, path: tuple[Any, ...], value: Any) -> dict[str, Any]:
        """A ``channels:`` mapping (plan or unit): channel name → its settings mapping."""
        channels = value or {}
        if not isinstance(channels, dict) or not all(
            isinstance(v, dict) for v in channels.values()
        ):
            self.fail(path, _("channels must map a channel name to its settings"))
            return {}
        return channels

    def choice(self, path: tuple[Any, ...], value: Any, enum: type[Any]) -> Any:
        if value is None:
            return None
        options = [e.value for e in enum]
        text = str(value).strip().lower().replace("_", "-").replace(" ", "-")
        if text in options:
            return enum(text)
        self.fail(
            path,
            _("{value!r} is not one of {options}").format(value=value, options=", ".join(options)),
            suggest(text, options),
        )
        return None

    # --- the document ---------------------------------------------------

    def string_map(self, path: tuple[Any, ...], value: Any) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(path, _("expected a mapping of texts, got {kind}").format(kind=_kind(value)))
            return {}
        return {str(k): self.text((*path, k), v) for k, v in value.items()}


# zero-width characters and bidirectional controls: nothing a Vietnamese text needs,
# and a way to make two texts look the same or one read backwards
_INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u061c"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_INVISIBLE_AT = re.compile("[" + "".join(sorted(_INVISIBLE)) + "]")  # one C scan per text


def _kind(value: Any) -> str:
    if value is None:
        return _("nothing")
    if isinstance(value, bool):
        return _("{value} (a yes/no value)").format(value=str(value).lower())
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, date):
        return _("a date ({value})").format(value=format_date(value))
    if isinstance(value, int | float):
        return _("a number ({value})").format(value=value)
    return _("{kind} {value!r}").format(kind=type(value).__name__, value=value)
