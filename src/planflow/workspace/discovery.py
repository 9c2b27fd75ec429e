"""What a workspace is: a folder of plans, and the workspace file that may describe it.

A folder is a **workspace** when it holds no ``plan.yaml`` of its own and either a
``planflow-workspace.yaml`` or at least one ``*/plan.yaml`` (one folder per commune).
The workspace file is optional::

    planflow-workspace: 1
    name: "Tỉnh Quảng Ngãi"
    plans: ["*/plan.yaml", "phuong/*.yaml"]   # globs, relative to the folder
    units:                                    # units of the province, shared by every plan
      - id: sonv
        name: "Sở Nội vụ tỉnh Quảng Ngãi"
    issuer: "Sở Nội vụ tỉnh Quảng Ngãi"       # who issues the consolidated report
    report: {place: "Quảng Ngãi", number: "/BC-SNV", signer: "Nguyễn Văn A"}

``plans`` defaults to ``*/plan.yaml`` and ``*/plan.yml``. Every unit under ``units:``
is added to every plan that does not define a unit with that id itself, so any
commune's task may name it as lead or coordinator; its work across all the communes
is then one unit's work (the shared unit ``sonv``, where a commune's own unit is
``PLAN-ID/vhxh``). ``issuer`` and ``report`` (the keys and checks of a plan's
``report:`` block, read by the plan reader itself) say who issues and signs the
consolidated report of ``planflow report WORKSPACE``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import attrs

from planflow.i18n import _, format_number
from planflow.plan._reader import PlanReader
from planflow.plan.errors import PlanFileError, Problem, Severity
from planflow.plan.loading import resolve_plan_path
from planflow.plan.model import Unit
from planflow.plan.yamldoc import MAX_BYTES, Document, parse_yaml

__all__ = [
    "DEFAULT_GLOBS",
    "WORKSPACE_FILE",
    "Member",
    "Workspace",
    "is_workspace",
    "member_of",
    "open_workspace",
]

WORKSPACE_FILE = "planflow-workspace.yaml"
DEFAULT_GLOBS = ("*/plan.yaml", "*/plan.yml")
_KEYS = {"planflow-workspace", "name", "plans", "units", "issuer", "report"}


@attrs.frozen
class Member:
    """One plan file of a workspace, before it is loaded."""

    path: Path
    """The plan file."""
    key: str
    """Its path relative to the workspace, ``/``-separated (``c0001/plan.yaml``)."""

    @property
    def folder_name(self) -> str:
        """What ``--plan`` may name before the plan is loaded: its folder, or its file stem."""
        parts = self.key.split("/")
        if len(parts) > 1 and parts[-1] in ("plan.yaml", "plan.yml"):
            return parts[-2]
        return Path(parts[-1]).stem


@attrs.frozen
class Workspace:
    """A folder of plans, with the units they share."""

    root: Path
    name: str
    members: tuple[Member, ...]
    units: tuple[Unit, ...] = ()
    """The shared units (``units:`` of the workspace file)."""
    units_data: tuple[dict[str, Any], ...] = ()
    """The same units as written, added to every plan's document before it is read."""
    file: Path | None = None
    """The workspace file, if there is one."""
    digest: str = ""
    """SHA-256 of the workspace file's bytes ("" without one): part of every cache key."""
    issuer: str = ""
    """The body issuing the consolidated report (``issuer:``; "" without one)."""
    report: Mapping[str, Any] = attrs.field(factory=dict, hash=False)
    """How the consolidated report is signed and sent: the ``report:`` block, read as a
    plan's (``place``, ``number``, ``issuer_parent``, ``signature``, ``signer``,
    ``recipients``)."""

    @property
    def plans_digest(self) -> str:
        """SHA-256 of what every plan reads from the workspace file (its shared units as
        written): part of every cached plan's key. Editing the rest of the file (its
        name, who signs the consolidated report) leaves the compiled plans valid."""
        text = json.dumps(self.units_data, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def shared_ids(self) -> frozenset[str]:
        """The ids of the shared units."""
        return frozenset(u.id for u in self.units)

    def add_shared_units(self, doc: Document) -> None:
        """Add the shared units to a plan document that does not define them itself.

        Their positions are those of the plan's ``units:`` key, so a clash (a plan unit
        with a shared unit's name) is reported where the plan lists its units.
        """
        if not self.units_data or not isinstance(doc.data, dict):
            return
        units = doc.data.get("units")
        if units is None:
            units = doc.data["units"] = []
            doc.positions[("units",)] = doc.positions.get((), (1, 1))
        if not isinstance(units, list):
            return  # the reader reports the plan's own mistake
        own = {u.get("id") for u in units if isinstance(u, dict)}
        own |= {g.get("id") for g in doc.data.get("groups") or () if isinstance(g, dict)}
        at = doc.where(("units",))
        for data in self.units_data:
            if data["id"] in own:
                continue
            path = ("units", len(units))
            units.append(dict(data))
            for sub in (path, *((*path, key) for key in data)):
                doc.positions[sub] = at


def is_workspace(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a workspace folder (see the module docs)."""
    p = Path(path)
    if not p.is_dir() or (p / "plan.yaml").is_file() or (p / "plan.yml").is_file():
        return False
    if (p / WORKSPACE_FILE).is_file():
        return True
    return any(any(p.glob(pattern)) for pattern in DEFAULT_GLOBS)


def open_workspace(path: str | os.PathLike[str]) -> Workspace:
    """Read the workspace at ``path``; raise :class:`PlanFileError` for a bad workspace file."""
    root = Path(path)
    file = root / WORKSPACE_FILE
    name, digest = root.resolve().name, ""
    parsed = _Parsed(name, DEFAULT_GLOBS, (), (), "", {})
    if file.is_file():
        raw = file.read_bytes()
        if len(raw) > MAX_BYTES:
            raise PlanFileError(
                [
                    Problem(
                        _("the file is {size} bytes; plan files are limited to {limit}").format(
                            size=format_number(len(raw)), limit=format_number(MAX_BYTES)
                        ),
                        str(file),
                    )
                ]
            )
        digest = hashlib.sha256(raw).hexdigest()
        parsed = _read_file(str(file), raw)
    globs = parsed.globs
    members = _members(root, globs)
    if not members:
        raise PlanFileError(
            [
                Problem(
                    _("no plan in workspace {folder!r} (looked for {globs})").format(
                        folder=str(root), globs=", ".join(globs)
                    ),
                    str(file if file.is_file() else root),
                    hint=_(
                        "put each commune's plan in its own folder as plan.yaml, or list "
                        "the plan files under plans: in {file}"
                    ).format(file=WORKSPACE_FILE),
                )
            ]
        )
    return Workspace(
        root,
        parsed.name,
        members,
        parsed.units,
        parsed.units_data,
        file if file.is_file() else None,
        digest,
        parsed.issuer,
        parsed.report,
    )


def _members(root: Path, globs: Sequence[str]) -> tuple[Member, ...]:
    found: dict[str, Member] = {}
    for pattern in globs:
        for plan in root.glob(pattern):
            if plan.is_file() and plan.name != WORKSPACE_FILE and ".planflow" not in plan.parts:
                key = plan.relative_to(root).as_posix()
                found.setdefault(key, Member(plan, key))
    return tuple(found[k] for k in sorted(found))


class _Parsed(NamedTuple):
    """What the workspace file says."""

    name: str
    globs: tuple[str, ...]
    units: tuple[Unit, ...]
    units_data: tuple[dict[str, Any], ...]
    issuer: str
    report: dict[str, Any]


def _read_file(file: str, raw: bytes) -> _Parsed:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlanFileError(
            [Problem(_("the file is not UTF-8"), file, hint=_("save the file as UTF-8"))]
        ) from None
    doc = parse_yaml(text, file)
    reader = PlanReader(doc)  # its units and its report: block are read as a plan's
    top = reader.mapping((), doc.data if doc.data is not None else {}, _KEYS, ())
    top = top or {}
    version = top.get("planflow-workspace", 1)
    if version != 1:
        reader.fail(
            ("planflow-workspace",),
            _("unknown workspace format {version!r}").format(version=version),
            _("this planflow reads workspace format 1"),
        )
    name = top.get("name", Path(file).resolve().parent.name)
    if not isinstance(name, str) or not name.strip():
        reader.fail(("name",), _("the workspace name must be a text"))
        name = Path(file).resolve().parent.name
    globs: list[str] = []
    for i, pattern in enumerate(reader.sequence(("plans",), top.get("plans"), single_ok=True)):
        if not isinstance(pattern, str) or not pattern.strip() or Path(pattern).is_absolute():
            reader.fail(
                ("plans", i),
                _("expected a relative path or glob, got {pattern!r}").format(pattern=pattern),
                _('write e.g. "*/plan.yaml"'),
            )
        elif ".." in Path(pattern).parts:
            reader.fail(("plans", i), _("plans must be inside the workspace folder"))
        else:
            globs.append(pattern)
    units: list[Unit] = []
    if "units" in top:
        units = reader.read_units({"units": top["units"]})
    issuer = reader.text(("issuer",), top.get("issuer"))
    report = reader.read_report(top.get("report"))
    if any(p.severity is Severity.ERROR for p in reader.problems):
        raise PlanFileError(reader.problems)
    data = tuple(
        top["units"][path[1]] for path in reader.unit_paths if isinstance(top["units"], list)
    )
    return _Parsed(name.strip(), tuple(globs) or DEFAULT_GLOBS, tuple(units), data, issuer, report)


def member_of(path: str | os.PathLike[str]) -> tuple[Workspace, Member] | None:
    """The workspace (with a workspace file) that the plan at ``path`` belongs to, and
    the plan as its member; None for a plan of no such workspace."""
    try:
        file = resolve_plan_path(path).resolve()
    except PlanFileError:
        return None
    for folder in (file.parent, file.parent.parent):
        if (folder / WORKSPACE_FILE).is_file():
            workspace = open_workspace(folder)
            for member in workspace.members:
                if member.path.resolve() == file:
                    return workspace, member
            return None
    return None
