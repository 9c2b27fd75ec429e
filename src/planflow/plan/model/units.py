"""Who does the work: units and groups of units."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import attrs
from attrs import field, frozen
from attrs.validators import instance_of, optional

from planflow.i18n import _, format_date
from planflow.plan.errors import ModelError
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
    since: date | None = field(default=None, validator=optional(instance_of(date)))
    """The first day the unit exists (``from:`` in the plan file); ``None``: all year."""
    until: date | None = field(default=None, validator=optional(instance_of(date)))
    """The last day the unit exists (a district abolished on 30/06/2025); ``None``: all year."""
    successor: str | None = field(default=None, validator=optional(instance_of(str)))
    """The unit that takes over its duties after ``until`` (an id)."""

    @until.validator
    def _until_after_since(
        self, attribute: attrs.Attribute[date | None], value: date | None
    ) -> None:
        if value is not None and self.since is not None and value < self.since:
            raise ModelError(
                _("unit {id} ends ({end}) before it begins ({start})").format(
                    id=self.id, end=format_date(value), start=format_date(self.since)
                ),
                hint=_("swap 'from' and 'until' or fix one of them"),
            )

    def active_on(self, day: date) -> bool:
        """Whether the unit exists on ``day``."""
        return (self.since is None or self.since <= day) and (
            self.until is None or day <= self.until
        )

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
