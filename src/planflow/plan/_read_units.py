"""The units and groups of a plan document, and references to them by id, name or alias."""

from __future__ import annotations

from typing import Any

from planflow.i18n import _
from planflow.plan import forms
from planflow.plan._shapes import ShapeReader, _kind
from planflow.plan.model import Group, Unit, suggest

__all__ = ["UnitReader"]

_UNIT_KEYS = {
    "id",
    "name",
    "name_en",
    "aliases",
    "contacts",
    "channels",
    "note",
    "from",
    "until",
    "successor",
}


class UnitReader(ShapeReader):
    """Reads ``units:`` and ``groups:``; resolves a unit named by id, name or alias."""

    def read_units(self, top: dict[str, Any]) -> list[Unit]:
        raw: list[tuple[tuple[Any, ...], dict[str, Any], bool]] = []
        for key, is_group in (("units", False), ("groups", True)):
            for i, item in enumerate(self.sequence((key,), top.get(key))):
                allowed = _UNIT_KEYS | ({"members"} if is_group else set())
                m = self.mapping((key, i), item, allowed, ("id", "name"))
                if m is not None and m.get("id") is not None and m.get("name") is not None:
                    raw.append(((key, i), m, is_group))
                elif m is not None and m.get("id") is not None:
                    self.failed_ids.add(str(m["id"]))
        if not raw and "units" not in top:
            self.fail(
                (),
                _("missing required key {key!r}").format(key="units"),
                _("list the units that lead or coordinate"),
            )
        # every id, name and alias names its unit, so tasks may use any of them
        for path, m, _group in raw:
            uid = self.ident((*path, "id"), m["id"])
            if uid is None:
                self.failed_ids.add(str(m["id"]))
                continue
            self.unit_ids.append(uid)
            spellings = [(("name",), m["name"])] + [
                (("aliases", j), a)
                for j, a in enumerate(self.sequence((*path, "aliases"), m.get("aliases")))
            ]
            for sub, spelling in spellings:
                if isinstance(spelling, bool) or not isinstance(spelling, str | int | float):
                    continue  # build_unit reports it
                norm = forms.normalise_name(str(spelling))
                other = self.names.get(norm)
                if other is not None and other != uid:
                    self.fail(
                        (*path, *sub),
                        _("name {name!r} already names unit {id!r}").format(
                            name=spelling, id=other
                        ),
                        _("each spelling may name only one unit"),
                    )
                self.names[norm] = uid
        units: list[Unit] = []
        for path, m, is_group in raw:
            unit = self.build_unit(path, m, is_group)
            if unit is None:
                self.failed_ids.add(str(m["id"]))
            else:
                units.append(unit)
                self.unit_paths.append(path)
        return units

    def build_unit(self, path: tuple[Any, ...], m: dict[str, Any], is_group: bool) -> Unit | None:
        uid = m["id"] if isinstance(m["id"], str) else ""
        before = len(self.problems)
        aliases = [
            self.text((*path, "aliases", j), a)
            for j, a in enumerate(self.sequence((*path, "aliases"), m.get("aliases")))
        ]
        contacts = self.string_map((*path, "contacts"), m.get("contacts"))
        channels = self.channels((*path, "channels"), m.get("channels"))
        kwargs: dict[str, Any] = {
            "id": uid,
            "name": self.text((*path, "name"), m["name"]),
            "name_en": self.text((*path, "name_en"), m.get("name_en")),
            "aliases": aliases,
            "contacts": contacts,
            "channels": channels,
            "note": self.text((*path, "note"), m.get("note")),
            "since": self.day((*path, "from"), m["from"]) if m.get("from") is not None else None,
            "until": self.day((*path, "until"), m["until"]) if m.get("until") is not None else None,
        }
        if m.get("successor") is not None:
            kwargs["successor"] = self.unit_ref((*path, "successor"), m["successor"]) or ""
        if is_group:
            members = self.sequence((*path, "members"), m.get("members"), single_ok=True)
            kwargs["members"] = [
                self.unit_ref((*path, "members", j), v) or "" for j, v in enumerate(members)
            ]
        if len(self.problems) > before or str(m["id"]) in self.failed_ids:
            return None  # already reported
        if is_group:
            return self.attempt(path, lambda: Group(**kwargs))
        return self.attempt(path, lambda: Unit(**kwargs))

    def unit_ref(self, path: tuple[Any, ...], value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.fail(path, _("expected a unit id or name, got {kind}").format(kind=_kind(value)))
            return None
        if value in self.unit_ids:
            return value
        if value in self.failed_ids:
            return None  # its own problem is reported where it is defined
        found = self.names.get(forms.normalise_name(value))
        if found is not None:
            return found
        self.fail(
            path,
            _("unknown unit {id!r}").format(id=value),
            suggest(value, self.unit_ids)
            or forms.suggest_with_diacritics(value, self.names)
            or _(
                "list it under units: or groups:, or use the id "
                "or one of the aliases of a listed unit"
            ),
        )
        return None
