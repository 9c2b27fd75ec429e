"""Read a YAML document into plain values while remembering where each came from.

PyYAML's composer gives a node tree with line and column marks; we build plain
Python values from it ourselves so that every value, and every mapping key, keeps
its position. That is what lets the loader say ``plan.yaml:12:11: tasks[4].lead``.

Two limits (:mod:`planflow.plan.limits`, docs/limits.md) bound the work: the values
written in the document (:data:`~planflow.plan.limits.VALUES`), and the values that
aliases (``*name``) and merge keys (``<<``) copy (:data:`~planflow.plan.limits.ALIAS_VALUES`),
so that a "billion laughs" file of a few kilobytes is refused at once. Each message
says which limit was reached. A mapping's merge keys are resolved once and
remembered, so a merge of merges costs its size, not the number of paths through it.
"""

from __future__ import annotations

from typing import Any

import attrs
import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from planflow.i18n import _, format_number
from planflow.plan.errors import PlanFileError, Problem
from planflow.plan.limits import ALIAS_VALUES, BYTES, VALUES, Limit

__all__ = ["MAX_BYTES", "MAX_VALUES", "Document", "Position", "parse_yaml"]

# the defaults (the limits in force come from planflow.plan.limits and may be raised)
MAX_BYTES = BYTES.default
MAX_VALUES = VALUES.default

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Position = tuple[int, int]


@attrs.define
class Document:
    """Plain values of a YAML document plus the 1-based position of every value and key."""

    file: str
    data: Any
    positions: dict[tuple[Any, ...], Position]
    key_positions: dict[tuple[Any, ...], Position]
    #: for a plan merged from templates: the file each value (by path) was written in;
    #: a path missing here (and every path of a single-file plan) belongs to ``file``
    files: dict[tuple[Any, ...], str] = attrs.field(factory=dict)
    #: for a value with template placeholders: each placeholder's name and where its
    #: value is written (file, line, column), e.g. ``(("commune", "xa/plan.yaml", 3, 12),)``
    filled: dict[tuple[Any, ...], tuple[tuple[str, str, int, int], ...]] = attrs.field(factory=dict)

    def where(self, path: tuple[Any, ...], *, key: bool = False) -> Position:
        """Best known position for ``path``: the value itself, else its nearest ancestor."""
        _, line, column = self.origin(path, key=key)
        return line, column

    def origin(self, path: tuple[Any, ...], *, key: bool = False) -> tuple[str, int, int]:
        """File, line and column where the value (or key) at ``path`` was written.

        Falls back to the nearest ancestor the document knows, as :meth:`where` does.
        """
        table = self.key_positions if key else self.positions
        if path in table:
            line, column = table[path]
            return self.files.get(path, self.file), line, column
        for cut in range(len(path), -1, -1):
            prefix = path[:cut]
            if prefix in self.positions:
                line, column = self.positions[prefix]
                return self.files.get(prefix, self.file), line, column
        return self.file, 1, 1


class _Budget(Exception):
    def __init__(self, limit: Limit) -> None:
        self.limit = limit


def parse_yaml(text: str, file: str) -> Document:
    """Parse ``text``; raise :class:`PlanFileError` for syntax errors and alias bombs."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        message = _("YAML syntax error: {what}").format(what=f"{what}{context}")
        raise PlanFileError([Problem(message, file, line, col, hint=_syntax_hint(what))]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line, col = _reader_position(text, exc.position)
        char = chr(exc.character) if isinstance(exc.character, int) else exc.character
        raise PlanFileError(
            [
                Problem(
                    _(
                        "the file contains the character {char!r}, which YAML does not allow "
                        "({reason})"
                    ).format(char=char, reason=exc.reason),
                    file,
                    line,
                    col,
                    hint=_("delete it, or write it as an escape inside double quotes"),
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        raise PlanFileError([Problem(_("YAML error: {what}").format(what=first), file)]) from None
    except UnicodeEncodeError as exc:  # a lone surrogate in a str given to loads()
        line = text.count("\n", 0, exc.start) + 1
        col = exc.start - (text.rfind("\n", 0, exc.start) + 1) + 1
        raise PlanFileError(
            [
                Problem(
                    _("the text contains a lone surrogate, which is not a character"),
                    file,
                    line,
                    col,
                    hint=_("decode the file as UTF-8 before loading it"),
                )
            ]
        ) from None
    except RecursionError:
        raise PlanFileError([_too_deep(file)]) from None
    doc = Document(file, None, {}, {})
    if root is None:
        return doc
    builder = _Builder(doc)
    try:
        doc.data = builder.build(root, ())
    except _Budget as exc:
        raise PlanFileError([_over_budget(exc.limit, file)]) from None
    except RecursionError:
        raise PlanFileError([_too_deep(file)]) from None
    if builder.problems:
        raise PlanFileError(builder.problems)
    return doc


def _reader_position(text: str, position: int) -> tuple[int, int]:
    """Line and column of a reader error; libyaml counts UTF-8 bytes, PyYAML characters."""
    if _Loader is yaml.SafeLoader:
        before = text[:position]
    else:
        before = text.encode("utf-8")[:position].decode("utf-8", "replace")
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def _over_budget(limit: Limit, file: str) -> Problem:
    if limit is ALIAS_VALUES:
        return Problem(
            _(
                "the YAML aliases (*name) and merge keys (<<) copy more than {count} values "
                "(aliases repeated inside each other?)"
            ).format(count=format_number(limit.value())),
            file,
            hint=_("write the plan without nested aliases; {hint}").format(hint=limit.hint()),
        )
    return Problem(
        _("the document has more than {count} values (texts, numbers, lists, mappings)").format(
            count=format_number(limit.value())
        ),
        file,
        hint=_("split the plan, or {hint}").format(hint=limit.hint()),
    )


def _too_deep(file: str) -> Problem:
    return Problem(
        _("the document is nested too deeply"),
        file,
        1,
        1,
        hint=_("a plan file needs only a few levels of indentation"),
    )


def _syntax_hint(problem: str) -> str | None:
    if "tab" in problem:
        return _("indent with spaces, not tabs")
    if "mapping values are not allowed" in problem:
        return _("a text containing ': ' must be quoted")
    if "found character '@'" in problem or "found character '`'" in problem:
        return _("quote texts that start with '@' or '`'")
    return _("check indentation and quoting around this place")


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[Problem] = []
        self.constructor = SafeConstructor()
        self.built: set[int] = set()  # nodes built once: a second build is an alias's copy
        self.copies = 0
        self.max_values = VALUES.value()
        self.max_copies = ALIAS_VALUES.value()
        self.merged: dict[int, list[tuple[Node, Node]]] = {}  # a mapping's pairs, merges applied

    def _copied(self, count: int) -> None:
        self.copies += count
        if self.copies > self.max_copies:
            raise _Budget(ALIAS_VALUES)

    def _pos(self, node: Node) -> Position:
        return (node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: Node, path: tuple[Any, ...]) -> Any:
        if id(node) in self.built:
            self._copied(1)
        else:
            self.built.add(id(node))
            if len(self.built) > self.max_values:
                raise _Budget(VALUES)
        self.doc.positions[path] = self._pos(node)
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        return None  # pragma: no cover - the composer makes no other nodes

    def _scalar(self, node: ScalarNode, path: tuple[Any, ...]) -> Any:
        try:
            return self.constructor.construct_object(node, deep=True)
        except Exception as exc:  # any tag's constructor may fail (!!bool x: KeyError)
            line, col = self._pos(node)
            why = getattr(exc, "problem", None) or exc
            if isinstance(exc, LookupError):
                why = _("not a valid {tag} value").format(tag=node.tag.rsplit(":", 1)[-1])
            self.problems.append(
                Problem(
                    _("cannot read {value!r}: {why}").format(value=node.value, why=why),
                    self.doc.file,
                    line,
                    col,
                    _dotted(path),
                    hint=_("quote the value to keep it as text"),
                )
            )
            return node.value

    def _mapping(self, node: MappingNode, path: tuple[Any, ...]) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in self._pairs(node):
            if not isinstance(key_node, ScalarNode):
                line, col = self._pos(key_node)
                self.problems.append(
                    Problem(
                        _("a mapping key must be a plain text"),
                        self.doc.file,
                        line,
                        col,
                        _dotted(path),
                    )
                )
                continue
            key = self._scalar(key_node, path)
            if not isinstance(key, str | int):
                key = str(key_node.value)
            if key in out:
                line, col = self._pos(key_node)
                self.problems.append(
                    Problem(
                        _("key {key!r} appears twice").format(key=key),
                        self.doc.file,
                        line,
                        col,
                        _dotted(path),
                        hint=_("YAML keeps only the last one; remove or merge the duplicates"),
                    )
                )
            self.doc.key_positions[(*path, key)] = self._pos(key_node)
            out[key] = self.build(value_node, (*path, key))
        return out

    def _pairs(self, node: MappingNode) -> list[tuple[Node, Node]]:
        """Key/value node pairs, with YAML merge keys (``<<: *defaults``) applied first.

        Remembered per mapping node: ``<<: [*m, *m, …]`` nested levels deep costs the
        size of each mapping once, and every merged pair counts as a copy.
        """
        known = self.merged.get(id(node))
        if known is not None:
            return known
        merged: list[tuple[Node, Node]] = []
        own: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                for source in sources:
                    if isinstance(source, MappingNode):
                        pairs = self._pairs(source)
                        self._copied(len(pairs))
                        merged.extend(pairs)
                    else:
                        line, col = self._pos(source)
                        self.problems.append(
                            Problem(_("'<<' must merge a mapping"), self.doc.file, line, col)
                        )
            else:
                own.append((key_node, value_node))
        own_keys = {k.value for k, _ in own if isinstance(k, ScalarNode)}
        seen: set[Any] = set()
        out: list[tuple[Node, Node]] = []
        for key_node, value_node in merged:
            if key_node.value not in own_keys and key_node.value not in seen:
                seen.add(key_node.value)
                out.append((key_node, value_node))
        out.extend(own)
        self.merged[id(node)] = out
        return out


def _dotted(path: tuple[Any, ...]) -> str:
    from planflow.plan.model import show_path

    return show_path(path)
