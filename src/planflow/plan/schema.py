"""A JSON Schema of the plan file, built from what the plan reader knows.

The keys each section allows come from the reader itself (its ``_TOP_KEYS``,
``_TASK_KEYS`` …), the choices from the model's enums and the id pattern from the
model, so a key added to the reader cannot be forgotten here: :func:`plan_schema`
lets such a key through with any value, and a test fails until it has a shape in
:data:`_SHAPES` (see :func:`missing_shapes`).
What this module adds is the *shape* of each key (a text, a list, a date …) and a
short description an editor shows.

The schema is an editor's help, not a second loader: it says which keys exist,
what shape each value has and which keys are required. What needs the whole plan
(a lead naming a listed unit, a window inside the plan year, dependency cycles)
or reading a text (``Q3/2025``, ``3 working days``) is left to
``planflow validate``. A plan the loader accepts is never refused by the schema.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import Enum
from typing import Any

from planflow.plan._read_tasks import _TASK_KEYS
from planflow.plan._read_units import _UNIT_KEYS
from planflow.plan._reader import _CALENDAR_KEYS, _PLAN_KEYS, _TOP_KEYS, FORMAT_VERSION
from planflow.plan.model import ID_PATTERN, DependencyMode, LeadMode, Period, Shift
from planflow.plan.schema_parts import DATE, MEANINGS, SHAPES
from planflow.plan.templates import TEMPLATE_KEYS

__all__ = ["SCHEMA_ID", "missing_shapes", "plan_schema"]

SCHEMA_ID = "https://planflow.example.org/schema/plan-v1.json"

Schema = dict[str, Any]

_NULL: Schema = {"type": "null"}
_TEXT: Schema = {"type": ["string", "number"]}
_ID: Schema = {"type": "string", "pattern": f"^{ID_PATTERN}$"}
_DATE: Schema = DATE
_OFFSET: Schema = {"type": ["string", "integer"], "examples": ["3 working days", "+5 days", 10]}
_RULE: Schema = {"type": "string", "examples": ["monthly", "every Monday", "FREQ=MONTHLY"]}
_UNIT_REF: Schema = {"type": "string", "minLength": 1, "pattern": r"\S"}


def _optional(schema: Schema) -> Schema:
    """The loader treats ``key: null`` like a missing key."""
    return {"anyOf": [schema, _NULL]}


def _list(item: Schema, *, single_ok: bool = False) -> Schema:
    options = [{"type": "array", "items": item}, _NULL]
    if single_ok:  # the reader takes one value in place of a one-item list
        options.insert(1, item)
    return {"anyOf": options}


def _choice(enum: type[Enum]) -> Schema:
    """The enum's values (for completion), in any case, with '_' or ' ' for '-' (as read)."""
    values = [e.value for e in enum]
    spelled = "|".join(
        "".join(
            "[-_ ]" if c == "-" else f"[{c}{c.upper()}]" if c.isalpha() else re.escape(c)
            for c in value
        )
        for value in values
    )
    return {
        "anyOf": [
            {"type": "string", "enum": values},
            {"type": "string", "pattern": rf"^\s*({spelled})\s*$"},
        ]
    }


def _object(
    properties: dict[str, Schema], required: Iterable[str] = (), *, described: str = ""
) -> Schema:
    out: Schema = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        out["required"] = sorted(required)
    if described:
        out["description"] = described
    return out


def _described(schema: Schema, text: str) -> Schema:
    return {**schema, "description": text}


_WINDOW_MAPPING = _object(
    {
        "start": _DATE,
        "end": _DATE,
        "label": _TEXT,
        "continuous": {"type": "boolean"},
    },
    ("start", "end"),
)
_DEPENDENCY = {
    "anyOf": [
        {"type": "string"},
        _object(
            {
                "task": {"type": "string"},
                "mode": _optional(_choice(DependencyMode)),
                "lag": _optional(_OFFSET),
                "note": _optional(_TEXT),
            },
            ("task",),
        ),
    ]
}
_TARGET_MAPPING = _object(
    {
        "count": {"type": "integer", "minimum": 1},
        "per": {"type": "string"},
        "approximate": {"type": "boolean"},
        "unit": {"type": "string"},
    },
    ("count",),
)
_SETTINGS = {"type": "object", "additionalProperties": {"type": "object"}}
_TEXT_MAP = {"type": "object", "additionalProperties": _optional(_TEXT)}
_DAY_NOTE = _object(
    {"date": _DATE, "reason": _optional(_TEXT), "source": _optional(_TEXT)}, ("date",)
)

# The shape of every key the reader allows, by section, with what an editor shows.
_SHAPES: dict[str, dict[str, Schema]] = {
    "top": {
        "planflow": _described({"const": FORMAT_VERSION}, "Phiên bản định dạng / format version"),
        "plan": {"$ref": "#/$defs/plan"},
        "calendar": _optional({"$ref": "#/$defs/calendar"}),
        "reporting_periods": _list({"$ref": "#/$defs/reporting_period"}),
        "units": _list({"$ref": "#/$defs/unit"}),
        "groups": _list({"$ref": "#/$defs/group"}),
        "tasks": _list({"$ref": "#/$defs/task"}),
        "channels": _optional(_SETTINGS),
        "extends": _described(
            {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
            "Tệp khung kế hoạch (mẫu của tỉnh) / template file(s) this plan builds on",
        ),
        "placeholders": _described(
            {
                "type": "object",
                "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
            },
            "Giá trị điền vào ${tên} trong khung / values for the templates' ${name}",
        ),
        "drop": _described(
            _list({"type": "string"}, single_ok=True),
            "Nhiệm vụ của khung không thực hiện / template task ids left out",
        ),
    },
    "plan": {
        "id": _described(_ID, "Mã kế hoạch (chữ thường không dấu) / plan id"),
        "title": _described(_TEXT, "Tên kế hoạch / title"),
        "title_en": _optional(_TEXT),
        "issuer": _described(_TEXT, "Cơ quan ban hành / issuer"),
        "year": _described(
            {"type": "integer", "minimum": 1900, "maximum": 9999}, "Năm kế hoạch / plan year"
        ),
        "timezone": _optional(_TEXT),
        "issued": {"anyOf": [_DATE, _NULL, {"const": ""}]},
        "signed_by": _optional(_TEXT),
        "notes": _optional(_TEXT),
        "legal_bases": _list(
            _object(
                {
                    "verb": _optional(_TEXT),
                    "number": _TEXT,
                    "date": {"anyOf": [_DATE, _NULL]},
                    "issuer": _optional(_TEXT),
                    "title": _optional(_TEXT),
                    "note": _optional(_TEXT),
                },
                ("number",),
            )
        ),
    },
    "calendar": {
        "country": _optional(_TEXT),
        "shift": _optional(_described(_choice(Shift), "Ngày nghỉ thì dời việc / on a day off")),
        "reminder": _optional(_OFFSET),
        "check_in": _optional(_RULE),
        "days_off": _list(_DAY_NOTE),
        "working_days": _list(_DAY_NOTE),
    },
    "unit": {
        "id": _described(_ID, "Mã đơn vị / unit id"),
        "name": _described(_TEXT, "Tên đầy đủ, đúng như văn bản / full name"),
        "name_en": _optional(_TEXT),
        "aliases": _list(_TEXT),
        "contacts": _optional(_TEXT_MAP),
        "channels": _optional(_SETTINGS),
        "note": _optional(_TEXT),
        "members": _list(_UNIT_REF, single_ok=True),
    },
    "task": {
        "id": _described(_ID, "Mã nhiệm vụ / task id"),
        "ref": _optional(_TEXT),
        "title": _described(
            {"type": ["string", "number"], "pattern": r"\S"}, "Nội dung nhiệm vụ / title"
        ),
        "title_en": _optional(_TEXT),
        "category": _list(_TEXT, single_ok=True),
        "lead": _described(_UNIT_REF, "Cơ quan chủ trì (mã, tên hoặc tên gọi khác) / lead unit"),
        "lead_mode": _optional(_choice(LeadMode)),
        "coordinators": _described(
            _list(_UNIT_REF, single_ok=True), "Cơ quan phối hợp / coordinating units"
        ),
        "window": _described(
            {"anyOf": [{"type": "string"}, {"type": "integer"}, _WINDOW_MAPPING]},
            "Thời gian thực hiện: 2025, Q3/2025, 03/2025, 'Thường xuyên trong năm' …",
        ),
        "recurrence": _optional(_described(_RULE, "Tần suất / how often")),
        "dates": _list(_DATE, single_ok=True),
        "except": _list(_DATE, single_ok=True),
        "period": _optional(_choice(Period)),
        "check_in": _optional(_RULE),
        "target": _optional({"anyOf": [{"type": "string"}, _TARGET_MAPPING]}),
        "after": _list(_DEPENDENCY, single_ok=True),
        "due": _optional(_OFFSET),
        "shift": _optional(_choice(Shift)),
        "reminder": _optional(_OFFSET),
        "time": _optional({"type": "string", "examples": ["08:00-11:30"]}),
        "notes": _optional(_TEXT),
        "source": _optional(_TEXT_MAP),
    },
    "reporting_period": {
        "id": _ID,
        "name": _TEXT,
        "name_en": _optional(_TEXT),
        "start": _DATE,
        "end": _DATE,
    },
}

# What each key means, in Vietnamese then English: editors show it on hover.
_MEANINGS: dict[str, dict[str, str]] = {
    "top": {
        "calendar": "Ngày làm việc và mặc định / working days and defaults",
        "channels": "Cấu hình kênh thông báo (plugin) / notifier settings for a run",
        "groups": "Nhóm đơn vị / named sets of units",
        "reporting_periods": "Kỳ báo cáo / the periods reports are made for",
        "tasks": "Các nhiệm vụ / the tasks",
        "units": "Cơ quan, đơn vị chủ trì hoặc phối hợp / units that lead or coordinate",
        "plan": "Thông tin chung của kế hoạch / about the plan",
    },
    "plan": {
        "title_en": "Tên tiếng Anh / title in English",
        "timezone": "Múi giờ (mặc định Asia/Ho_Chi_Minh) / IANA time zone",
        "issued": "Ngày ban hành / date of issue",
        "signed_by": "Người ký / signed by",
        "notes": "Ghi chú / notes",
        "legal_bases": "Căn cứ ban hành / legal bases (number, date, issuer, title)",
    },
    "calendar": {
        "country": "Quốc gia lấy ngày lễ (VN) / country of the public holidays",
        "reminder": "Nhắc trước hạn, ví dụ '3 working days' / reminder before deadlines",
        "check_in": "Lịch kiểm tra việc thường xuyên / check-ins of continuous tasks",
        "days_off": "Ngày nghỉ bù trong năm, kèm văn bản / extra days off, with source",
        "working_days": "Ngày làm bù, kèm văn bản / make-up working days, with source",
    },
    "unit": {
        "name_en": "Tên tiếng Anh / name in English",
        "aliases": "Các cách viết khác của tên / other spellings of the name",
        "contacts": "Liên hệ (email, điện thoại) / contacts",
        "channels": "Cấu hình kênh thông báo của đơn vị / the unit's notifier settings",
        "note": "Ghi chú / note",
        "members": "Đơn vị thành viên của nhóm / the group's members",
    },
    "task": {
        "ref": "Mục trong văn bản, ví dụ C.I.2.a / clause in the document",
        "title_en": "Nội dung tiếng Anh / title in English",
        "category": "Lĩnh vực, ví dụ CĐS, CCHC / category",
        "lead_mode": "Nhóm chủ trì: each (từng đơn vị) hoặc together / how a group leads",
        "dates": "Các ngày cụ thể / dates of the occurrences",
        "except": "Ngày bỏ qua / dates left out",
        "period": "Kỳ gắn với mỗi lần thực hiện / the period each occurrence is for",
        "check_in": "Lịch kiểm tra riêng / the task's own check-ins",
        "target": "Chỉ tiêu, ví dụ '24 per year' / quantity target",
        "after": "Chờ nhiệm vụ khác / tasks this one waits for",
        "due": "Hạn so với ngày thực hiện / due offset",
        "shift": "Ngày nghỉ thì dời việc / on a day off",
        "reminder": "Nhắc trước hạn / reminder before the deadline",
        "time": "Giờ, ví dụ 08:00-11:30 / time of day",
        "notes": "Ghi chú / notes",
        "source": "Nguyên văn trong văn bản / the document's own words",
    },
    "reporting_period": {
        "id": "Mã kỳ báo cáo / period id",
        "name": "Tên kỳ, ví dụ 'Quý I' / name",
        "name_en": "Tên tiếng Anh / name in English",
        "start": "Ngày đầu kỳ / first day",
        "end": "Ngày cuối kỳ / last day",
    },
}

for _section_name, _shapes in SHAPES.items():
    _SHAPES[_section_name].update(_shapes)
for _section_name, _meanings in MEANINGS.items():
    _MEANINGS.setdefault(_section_name, {}).update(_meanings)

_ALLOWED = {
    "top": _TOP_KEYS | set(TEMPLATE_KEYS),
    "plan": _PLAN_KEYS,
    "calendar": _CALENDAR_KEYS,
    "unit": _UNIT_KEYS | {"members"},
    "task": _TASK_KEYS,
    "reporting_period": {"id", "name", "name_en", "start", "end", "due"},
}
_REQUIRED = {
    "plan": ("id", "title", "issuer", "year"),
    "unit": ("id", "name"),
    "task": ("id", "title", "lead", "window"),
    "reporting_period": ("id", "name", "start", "end"),
}


def missing_shapes() -> dict[str, list[str]]:
    """Keys the plan reader allows that :data:`_SHAPES` does not describe, by section.

    The schema still lets them through (any value), so a key the reader learns never
    makes an editor refuse a good plan; a test keeps this empty.
    """
    out = {section: sorted(keys - set(_SHAPES[section])) for section, keys in _ALLOWED.items()}
    return {section: keys for section, keys in out.items() if keys}


def _properties(section: str, *, leave_out: Iterable[str] = ()) -> dict[str, Schema]:
    shapes = _SHAPES[section]
    meanings = _MEANINGS.get(section, {})
    out: dict[str, Schema] = {}
    for key in sorted(_ALLOWED[section]):
        if key in leave_out:
            continue
        shape = shapes.get(key, {"description": "see docs/plan-format.md"})
        out[key] = {**shape, "description": meanings[key]} if key in meanings else shape
    return out


def _section(section: str, *, relaxed: bool, leave_out: Iterable[str] = ()) -> Schema:
    """A section's object; ``relaxed`` (in a plan that extends templates) requires only ids."""
    required = _REQUIRED.get(section, ())
    if relaxed:
        required = tuple(k for k in required if k == "id" and section != "plan")
    return _object(_properties(section, leave_out=leave_out), required)


def _top(*, relaxed: bool) -> Schema:
    props = _properties("top")
    suffix = "_override" if relaxed else ""
    for key, ref in (("plan", "plan"), ("units", "unit"), ("groups", "group"), ("tasks", "task")):
        target = {"$ref": f"#/$defs/{ref}{suffix}"}
        props[key] = target if key == "plan" else _list(target)
        props[key]["description"] = _MEANINGS["top"][key]
    out = _object(props)
    if not relaxed:
        out["required"] = ["plan", "tasks"]
        # units may be left out only when groups list them
        out["anyOf"] = [{"required": ["units"]}, {"required": ["groups"]}]
        props["tasks"] = {"type": "array", "description": _MEANINGS["top"]["tasks"]}
        # with defaults:, a task may take its lead and window from them
        out["if"] = {"required": ["defaults"]}
        out["then"] = {"properties": {"tasks": {"items": {"$ref": "#/$defs/task_override"}}}}
        out["else"] = {"properties": {"tasks": {"items": {"$ref": "#/$defs/task"}}}}
        # without templates there is nothing to drop
        props["drop"] = {"anyOf": [{"type": "array", "maxItems": 0}, _NULL]}
    return out


def plan_schema() -> Schema:
    """The JSON Schema (draft 2020-12) of a plan file."""
    defs: dict[str, Schema] = {}
    for relaxed, suffix in ((False, ""), (True, "_override")):
        defs[f"plan{suffix}"] = _section("plan", relaxed=relaxed)
        defs[f"unit{suffix}"] = _section("unit", relaxed=relaxed, leave_out=("members",))
        defs[f"group{suffix}"] = _section("unit", relaxed=relaxed)
        defs[f"task{suffix}"] = _section("task", relaxed=relaxed)
    defs["calendar"] = _section("calendar", relaxed=False)
    defs["reporting_period"] = _section("reporting_period", relaxed=False)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "planflow plan file / Tệp kế hoạch planflow",
        "description": "Kế hoạch năm của một cơ quan, đơn vị (planflow format "
        f"{FORMAT_VERSION}). See docs/plan-format.md.",
        "type": "object",
        "$defs": defs,
        "if": {"required": ["extends"]},
        "then": _top(relaxed=True),
        "else": _top(relaxed=False),
    }
