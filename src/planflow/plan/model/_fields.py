"""Validators and converters shared by the model classes (ids, texts, lower bounds)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from planflow.i18n import _
from planflow.plan.errors import ModelError

__all__ = ["ID_PATTERN"]

ID_PATTERN = r"[a-z0-9][a-z0-9_.-]*"
_ID_RE = re.compile(ID_PATTERN)


def _check_id(instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if not isinstance(value, str) or not _ID_RE.fullmatch(value):
        raise ModelError(
            _("{name} {value!r} is not a valid id").format(name=attribute.name, value=value),
            hint=_(
                "use lower-case ASCII letters, digits, '-', '_' or '.', starting with a letter "
                "or digit (write 'đ' as 'dd')"
            ),
        )


def _non_empty(instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ModelError(_("{name} must be a non-empty text").format(name=attribute.name))


def _at_least(low: int) -> Any:
    """Like ``attrs.validators.ge`` but raising :class:`ModelError`."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: int) -> None:
        if value < low:
            message = _("{name} must be at least {low}, got {value}")
            raise ModelError(message.format(name=attribute.name, low=low, value=value))

    return check


def _to_dict(value: Mapping[str, Any]) -> dict[str, Any]:
    return dict(value)


def _tuple_of_str(value: Any) -> tuple[str, ...]:
    return tuple(value)
