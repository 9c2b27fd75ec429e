"""Plans built on templates: ``extends:``, overrides by id, ``drop:`` and ``${placeholders}``.

A province hands its communes a template; a commune's plan names it with
``extends: ../tinh/template.yaml`` (or a list of templates, merged left to right)
and writes only what differs:

- mappings (``plan:``, ``calendar:``, a unit, a task, ``channels:``) merge key by key,
  the extending file's value winning;
- the lists ``units``, ``groups``, ``tasks``, ``reporting_periods`` and
  ``plan.legal_bases`` merge by ``id`` (``number`` for legal bases), and the
  calendar's ``days_off`` / ``working_days`` by ``date``: an entry with a known id
  overrides that entry, key by key, and a new id is added at the end;
- every other value (a text, a window, a list of coordinators) is replaced whole;
- ``drop: [task-id, …]`` removes tasks the templates define;
- ``${name}`` in any text of any file is filled from the merged ``placeholders:``
  mapping (a text that is exactly ``${name}`` takes the value with its type, so
  ``year: ${year}`` stays a number); ``$${`` writes a literal ``${``. Channel
  settings (``channels:``) are left alone: their ``${VARIABLE}`` are environment
  variables read when a run starts.

The result is an ordinary :class:`~planflow.plan.yamldoc.Document` whose every
value remembers the file, line and column it was written at, so that the plan
reader's messages point into the template or the plan, wherever the bad value is.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import attrs

from planflow.i18n import _
from planflow.plan.errors import PlanFileError, Problem
from planflow.plan.model import show_path
from planflow.plan.yamldoc import Document, parse_yaml

__all__ = ["MAX_DEPTH", "TEMPLATE_KEYS", "SourceFile", "compose"]

#: the keys a plan uses to build on templates; the merged plan no longer has them
TEMPLATE_KEYS = ("extends", "drop", "placeholders")
#: how many templates deep a chain may go (a plan → province → ministry is 2)
MAX_DEPTH = 8

_LIST_KEYS: dict[tuple[str, ...], str] = {
    ("units",): "id",
    ("groups",): "id",
    ("tasks",): "id",
    ("reporting_periods",): "id",
    ("plan", "legal_bases"): "number",
    ("calendar", "days_off"): "date",
    ("calendar", "working_days"): "date",
}
_PLACEHOLDER = re.compile(r"\$(\$)?\{([^}]*)\}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@attrs.frozen
class SourceFile:
    """One file a plan was read from: its name as shown in messages and a SHA-256 of its text.

    A cache of compiled plans is valid while every source's hash is unchanged.
    """

    path: str
    sha256: str


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@attrs.define
class _Node:
    """A value of the merged plan and where it was written (document and path in it)."""

    value: Any  # a plain scalar, dict[Any, _Node] or list[_Node]
    doc: Document
    path: tuple[Any, ...]


def _wrap(doc: Document, path: tuple[Any, ...], value: Any) -> _Node:
    if isinstance(value, dict):
        return _Node({k: _wrap(doc, (*path, k), v) for k, v in value.items()}, doc, path)
    if isinstance(value, list):
        return _Node([_wrap(doc, (*path, i), v) for i, v in enumerate(value)], doc, path)
    return _Node(value, doc, path)


def _ident(node: _Node, key: str) -> Any:
    if isinstance(node.value, dict) and key in node.value:
        ident = node.value[key].value
        if isinstance(ident, str | int | date) and not isinstance(ident, bool):
            return ident
    return None


def _merge(base: _Node, over: _Node, path: tuple[Any, ...]) -> _Node:
    """``over`` laid on ``base``: mappings key by key, id-keyed lists entry by entry."""
    if isinstance(base.value, dict) and isinstance(over.value, dict):
        out = dict(base.value)
        for k, node in over.value.items():
            out[k] = _merge(out[k], node, (*path, k)) if k in out else node
        return _Node(out, over.doc, over.path)
    key = _LIST_KEYS.get(path)
    if key and isinstance(base.value, list) and isinstance(over.value, list):
        items = list(base.value)
        index = {ident: i for i, n in enumerate(items) if (ident := _ident(n, key)) is not None}
        for node in over.value:
            ident = _ident(node, key)
            if ident is not None and ident in index:
                items[index[ident]] = _merge(items[index[ident]], node, (*path, "*"))
            else:
                if ident is not None:
                    index[ident] = len(items)
                items.append(node)
        return _Node(items, over.doc, over.path)
    return over


class _Composer:
    def __init__(self, read_text: Callable[[str], str], sources: list[SourceFile]) -> None:
        self.read_text = read_text
        self.sources = sources
        self.problems: list[Problem] = []
        # where each placeholder's value is written, and which placeholders filled a path
        self.value_origins: dict[str, tuple[str, int, int]] = {}
        self.filled: dict[tuple[Any, ...], tuple[tuple[str, str, int, int], ...]] = {}

    def problem(
        self, doc: Document, path: tuple[Any, ...], message: str, hint: str | None = None
    ) -> None:
        line, column = doc.where(path)
        self.problems.append(Problem(message, doc.file, line, column, show_path(path), hint))

    def layer(self, doc: Document, chain: tuple[str, ...]) -> _Node:
        """The document with its own templates merged under it (``drop`` applied)."""
        node = _wrap(doc, (), doc.data)
        if not isinstance(node.value, dict):
            return node
        own = dict(node.value)
        extends, drop = own.pop("extends", None), own.pop("drop", None)
        merged: _Node | None = None
        for path, name in self.template_names(doc, extends):
            base = self.template(doc, path, name, chain)
            if base is not None:
                merged = base if merged is None else _merge(merged, base, ())
        if drop is not None:
            merged = self.drop(doc, drop, merged)
        top = _Node(own, doc, ())
        return top if merged is None else _merge(merged, top, ())

    def template_names(self, doc: Document, extends: _Node | None) -> list[tuple[Any, str]]:
        if extends is None:
            return []
        entries = extends.value if isinstance(extends.value, list) else [extends]
        out = []
        for entry in entries:
            if isinstance(entry.value, str) and entry.value.strip():
                out.append((entry.path, entry.value.strip()))
            else:
                self.problem(
                    doc,
                    entry.path,
                    _("expected the path of a template file, got {value!r}").format(
                        value=entry.value
                    ),
                    _("write e.g. 'extends: ../tinh/template.yaml' (relative to this file)"),
                )
        return out

    def template(
        self, doc: Document, path: tuple[Any, ...], name: str, chain: tuple[str, ...]
    ) -> _Node | None:
        file = os.path.normpath(os.path.join(os.path.dirname(doc.file), name))
        real = os.path.realpath(file)
        if real in chain:
            self.problem(
                doc,
                path,
                _("template {name!r} extends itself (through {chain})").format(
                    name=name, chain=" → ".join(chain)
                ),
                _("a template may not extend, directly or not, the plan that extends it"),
            )
            return None
        if len(chain) > MAX_DEPTH:
            self.problem(
                doc,
                path,
                _("templates are nested more than {depth} deep").format(depth=MAX_DEPTH),
            )
            return None
        try:
            text = self.read_text(file)
        except PlanFileError as exc:
            first = exc.problems[0]
            message = _("cannot read template {name!r}: {why}").format(name=name, why=first.message)
            self.problem(doc, path, message, first.hint)
            return None
        self.sources.append(SourceFile(file, _digest(text)))
        try:
            base_doc = _parse_template(text, file)
        except PlanFileError as exc:
            self.problems.extend(exc.problems)
            return None
        if not isinstance(base_doc.data, dict):
            self.problem(
                doc,
                path,
                _("template {name!r} is not a plan (key: value lines)").format(name=name),
                _("a template is a plan file, possibly incomplete"),
            )
            return None
        return self.layer(base_doc, (*chain, real))

    def drop(self, doc: Document, drop: _Node, merged: _Node | None) -> _Node | None:
        ids = drop.value if isinstance(drop.value, list) else [drop]
        tasks = merged.value.get("tasks") if merged is not None else None  # merged: a mapping
        known = tasks.value if tasks is not None and isinstance(tasks.value, list) else []
        for entry in ids:
            found = [n for n in known if _ident(n, "id") == entry.value]
            if not found:
                self.problem(
                    doc,
                    entry.path,
                    _("no template defines a task {id!r} to drop").format(id=entry.value),
                    _("drop: lists ids of tasks in the templates this plan extends"),
                )
            known = [n for n in known if n not in found]
        if tasks is not None and merged is not None:
            merged.value["tasks"] = _Node(known, tasks.doc, tasks.path)
        return merged

    def fill(self, node: _Node, path: tuple[Any, ...], values: dict[str, Any]) -> Any:
        """The plain value of ``node`` with placeholders filled, recording its origin."""
        if isinstance(node.value, dict):
            return {k: self.fill(v, (*path, k), values) for k, v in node.value.items()}
        if isinstance(node.value, list):
            return [self.fill(v, (*path, i), values) for i, v in enumerate(node.value)]
        if not isinstance(node.value, str) or "${" not in node.value or _is_channel(path):
            return node.value
        text: str = node.value

        def one(match: re.Match[str]) -> str:
            if match.group(1):
                return "${" + match.group(2) + "}"
            name = match.group(2)
            if not _NAME.fullmatch(name):
                self.problem(
                    node.doc,
                    node.path,
                    _("{placeholder!r} is not a placeholder name").format(
                        placeholder="${" + name + "}"
                    ),
                    _(
                        "placeholder names are letters, digits and '_'; "
                        "write '$${{' for a literal '${{'"
                    ).format(),
                )
            elif name not in values:
                self.problem(
                    node.doc,
                    node.path,
                    _("placeholder {placeholder} has no value").format(
                        placeholder="${" + name + "}"
                    ),
                    _("the plan extending this template gives it: {example}").format(
                        example="placeholders: {" + name + ": …}"
                    ),
                )
            else:
                return str(values[name])
            return match.group(0)

        used = [m.group(2) for m in _PLACEHOLDER.finditer(text) if not m.group(1)]
        self.filled[path] = tuple(
            (name, *self.value_origins[name]) for name in used if name in self.value_origins
        )
        whole = _PLACEHOLDER.fullmatch(text)
        if whole and not whole.group(1) and whole.group(2) in values:
            return values[whole.group(2)]
        return _PLACEHOLDER.sub(one, text)

    def placeholders(self, root: _Node) -> dict[str, Any]:
        node = root.value.pop("placeholders", None)
        if node is None:
            return {}
        if not isinstance(node.value, dict):
            self.problem(
                node.doc,
                node.path,
                _("placeholders must map a name to its value"),
                _("write e.g. {example}").format(example="placeholders: {commune: Bờ Y}"),
            )
            return {}
        values = {}
        for name, value in node.value.items():
            if isinstance(value.value, dict | list) or not _NAME.fullmatch(str(name)):
                self.problem(
                    value.doc,
                    value.path,
                    _(
                        "placeholder {name!r} must be a name with a text, number or date value"
                    ).format(name=name),
                )
                continue
            values[str(name)] = value.value
            self.value_origins[str(name)] = (value.doc.file, *value.doc.where(value.path))
        return values


@functools.lru_cache(maxsize=16)
def _parse_template(text: str, file: str) -> Document:
    """A template's document, parsed once per process for a given text: a province's
    3,300 communes extend one template, which would otherwise be parsed 3,300 times.
    The document is shared, so nothing downstream may change it (the merge builds
    new nodes)."""
    return parse_yaml(text, file)


def _is_channel(path: tuple[Any, ...]) -> bool:
    """Channel settings keep their ``${VARIABLE}``: the environment fills them at run time."""
    return path[:1] == ("channels",) or path[2:3] == ("channels",)


def _flatten(node: _Node, path: tuple[Any, ...], out: Document) -> None:
    out.positions[path] = node.doc.positions.get(node.path, (1, 1))
    if node.doc.file != out.file:
        out.files[path] = node.doc.file
    if isinstance(node.value, dict):
        for k, child in node.value.items():
            if child.path in child.doc.key_positions:
                out.key_positions[(*path, k)] = child.doc.key_positions[child.path]
            _flatten(child, (*path, k), out)
    elif isinstance(node.value, list):
        for i, child in enumerate(node.value):
            _flatten(child, (*path, i), out)


def compose(
    doc: Document, text: str, read_text: Callable[[str], str]
) -> tuple[Document, tuple[SourceFile, ...]]:
    """Merge the templates ``doc`` extends under it; return the merged document and its sources.

    ``text`` is the text ``doc`` was parsed from (for its hash); ``read_text`` reads a
    template file by name, raising :class:`PlanFileError`. A plan that uses none of
    :data:`TEMPLATE_KEYS` is returned as it is. Raises :class:`PlanFileError` with
    every problem (an unreadable template, a cycle, an unknown task to drop, a
    placeholder without value), each located in the file that holds it.
    """
    sources = [SourceFile(doc.file, _digest(text))]
    if not isinstance(doc.data, dict) or not any(k in doc.data for k in TEMPLATE_KEYS):
        return doc, tuple(sources)
    composer = _Composer(read_text, sources)
    root = composer.layer(doc, (os.path.realpath(doc.file),))
    values = composer.placeholders(root)
    data = composer.fill(root, (), values)
    if composer.problems:
        raise PlanFileError(composer.problems)
    merged = Document(doc.file, data, {}, {})
    _flatten(root, (), merged)
    merged.filled = {path: used for path, used in composer.filled.items() if used}
    return merged, tuple(sources)
