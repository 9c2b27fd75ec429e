"""Who does the work: units and groups of units."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import field, frozen
from attrs.validators import instance_of

from planflow.plan.model._fields import _check_id, _non_empty, _to_dict, _tuple_of_str

__all__ = ["Group", "Unit"]


@frozen
class Unit:
    """An agency or unit that leads or coordinates work (``vhxh``: Phòng Văn hóa - Xã hội)."""

    id: str = field(validator=_check_id)
    name: str = field(validator=_non_empty)
    name_en: str = field(default="", validator=instance_of(str))
    aliases: tuple[str, ...] = field(default=(), converter=_tuple_of_str)
    contacts: Mapping[str, str] = field(factory=dict, hash=False, converter=_to_dict)
    channels: Mapping[str, Mapping[str, Any]] = field(factory=dict, hash=False, converter=_to_dict)
    note: str = field(default="", validator=instance_of(str))

    @property
    def email(self) -> str | None:
        """The unit's e-mail address, if its contacts give one."""
        return self.contacts.get("email")


@frozen
class Group(Unit):
    """A named set of units ("all agencies and units in the commune", "the schools").

    A group can lead or coordinate. ``members`` may be empty when the document
    names the collective but not its members; it then acts as one assignee.
    """

    members: tuple[str, ...] = field(default=(), converter=_tuple_of_str)
