"""Schema shapes of the plan keys for other communes' plans: the plan's start and number,
units that end, ``defaults:``, ``sections:``, ``indicators:`` and the ``report:`` block.

Kept apart from :mod:`planflow.plan.schema` so that each module stays small; the shapes
are merged into its tables there.
"""

from __future__ import annotations

from typing import Any

from planflow.plan.model import ID_PATTERN

Schema = dict[str, Any]

_TEXT: Schema = {"type": ["string", "number"]}
_NULL: Schema = {"type": "null"}
_ID: Schema = {"type": "string", "pattern": f"^{ID_PATTERN}$"}
#: ISO dates, and the dd/mm/yyyy an official writes
DATE: Schema = {"type": "string", "pattern": r"^(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})$"}
_UNIT_REF: Schema = {"type": "string", "minLength": 1, "pattern": r"\S"}
_TEXTS: Schema = {"anyOf": [_TEXT, {"type": "array", "items": _TEXT}]}


def _optional(schema: Schema) -> Schema:
    return {"anyOf": [schema, _NULL]}


def _object(props: dict[str, Schema], required: tuple[str, ...] = ()) -> Schema:
    return {
        "type": "object",
        "properties": props,
        "required": list(required),
        "additionalProperties": False,
    }


_SECTION = _object({"id": _ID, "name": _TEXT, "name_en": _optional(_TEXT)}, ("id", "name"))
_INDICATOR = _object(
    {
        "id": _ID,
        "ref": _optional(_TEXT),
        "text": _TEXT,
        "section": _optional(_ID),
        "metric": _optional(_TEXT),
        "target": {"type": ["string", "number", "object"]},
        "denominator": _optional(_TEXT),
        "excluding": _optional(_TEXTS),
        "firmness": _optional(_TEXT),
        "owner": _UNIT_REF,
        "checkpoints": _optional({"anyOf": [_TEXT, {"type": "array"}]}),
        "by": _optional({"anyOf": [DATE, {"type": "string"}]}),
        "task": _optional(_ID),
    },
    ("id", "text", "target", "owner"),
)
_REPORT = _object(
    {
        "place": _optional(_TEXT),
        "number": _optional(_TEXT),
        "issuer_parent": _optional(_TEXT),
        "signature": _optional(_TEXTS),
        "signer": _optional(_TEXT),
        "recipients": _optional(_TEXTS),
    }
)

SHAPES: dict[str, dict[str, Schema]] = {
    "top": {
        "defaults": {"type": "object"},  # task keys; checked task by task by the loader
        "sections": {"type": "array", "items": _SECTION},
        "indicators": {"type": "array", "items": _INDICATOR},
        "report": _optional(_REPORT),
    },
    "plan": {
        "effective": {"anyOf": [DATE, _NULL, {"const": ""}]},
        "number": _optional({"type": "string"}),
        "language": _optional({"enum": ["vi", "en"]}),
    },
    "unit": {
        "from": _optional(DATE),
        "until": _optional(DATE),
        "successor": _optional(_UNIT_REF),
    },
    "task": {"section": _optional(_ID)},
    "reporting_period": {"due": _optional({"anyOf": [DATE, {"type": "string"}]})},
}

MEANINGS: dict[str, dict[str, str]] = {
    "top": {
        "defaults": "Giá trị mặc định cho mọi nhiệm vụ / values every task inherits",
        "sections": "Các phần, trụ cột của kế hoạch / the plan's sections or pillars",
        "indicators": "Chỉ tiêu đo lường (KPI) / measured targets",
        "report": "Thể thức báo cáo in ra / how printed reports are signed and sent",
    },
    "plan": {
        "effective": "Ngày có hiệu lực / the day the plan takes effect",
        "number": "Số, ký hiệu văn bản, giữ nguyên như in / document number as printed",
        "language": "Ngôn ngữ hiển thị (vi, en) / language of messages and reports",
    },
    "unit": {
        "from": "Ngày bắt đầu hoạt động / the day the unit begins",
        "until": "Ngày kết thúc hoạt động / the unit's last day",
        "successor": "Đơn vị tiếp nhận nhiệm vụ / the unit that takes over",
    },
    "task": {"section": "Thuộc phần nào của kế hoạch / the plan section it belongs to"},
    "reporting_period": {"due": "Hạn nộp báo cáo của kỳ / the period report's due day"},
}
