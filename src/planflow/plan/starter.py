"""The starter plan ``planflow init`` writes: commented, valid as written, in Vietnamese or English.

The units listed are those most communes have since the two-level local
government of 1 July 2025 (Văn phòng HĐND và UBND, Phòng Kinh tế, Phòng Văn hóa -
Xã hội, Trung tâm Phục vụ hành chính công), with the Party, the Front and the
mass organisations that usually coordinate. A commune deletes those it lacks.
"""

from __future__ import annotations

import os
import re
import unicodedata

__all__ = ["COMMUNE_UNITS", "SCHEMA_FILE", "slug", "starter_plan", "template_plan"]

#: the schema file written next to the plan; the plan's first line points at it
SCHEMA_FILE = "plan.schema.json"

#: (id, name as written in documents, English name, common short forms)
COMMUNE_UNITS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("dang-uy", "Đảng ủy xã {commune}", "Commune Party Committee", ("Đảng ủy xã",)),
    ("hdnd", "Hội đồng nhân dân xã {commune}", "Commune People's Council", ("HĐND xã",)),
    ("ubnd", "Ủy ban nhân dân xã {commune}", "Commune People's Committee", ("UBND xã",)),
    (
        "vp",
        "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân xã",
        "Office of the People's Council and People's Committee",
        ("Văn phòng HĐND và UBND xã", "Văn phòng HĐND - UBND xã", "Văn phòng"),
    ),
    ("kt", "Phòng Kinh tế", "Economic Division", ("Phòng Kinh tế xã",)),
    (
        "vhxh",
        "Phòng Văn hóa - Xã hội",
        "Division of Culture and Social Affairs",
        ("Phòng VHXH", "VHXH"),
    ),
    (
        "ttphcc",
        "Trung tâm Phục vụ hành chính công xã",
        "Public Administrative Service Centre",
        ("Trung tâm PVHCC", "Bộ phận một cửa"),
    ),
    ("ca", "Công an xã", "Commune Police", ()),
    ("bchqs", "Ban Chỉ huy quân sự xã", "Commune Military Command", ("BCHQS xã",)),
    (
        "mttq",
        "Ủy ban Mặt trận Tổ quốc Việt Nam xã",
        "Commune Committee of the Vietnam Fatherland Front",
        ("Ủy ban MTTQVN xã", "UBMTTQ xã", "MTTQ xã"),
    ),
    ("tyt", "Trạm Y tế xã", "Commune Health Station", ()),
    ("doantn", "Đoàn Thanh niên Cộng sản Hồ Chí Minh xã", "Commune Youth Union", ("Đoàn TN xã",)),
    ("hlhpn", "Hội Liên hiệp Phụ nữ xã", "Commune Women's Union", ("Hội Phụ nữ xã",)),
    ("hnd", "Hội Nông dân xã", "Commune Farmers' Association", ()),
    ("hccb", "Hội Cựu chiến binh xã", "Commune Veterans' Association", ()),
    (
        "thon-tdp",
        "Các thôn, tổ dân phố trên địa bàn xã",
        "Villages and residential groups",
        ("Các thôn/tổ dân phố", "thôn, tổ dân phố"),
    ),
)

_TEXTS = {
    "vi": {
        "head": (
            "Tệp kế hoạch năm {year} của xã {commune} (dùng với planflow).\n"
            "Sửa tệp này rồi kiểm tra:   planflow validate {folder}\n"
            "Xem trước cả năm:            planflow simulate {folder}\n"
            "Xuất lịch cho các đơn vị:    planflow export {folder} --out lich\n"
            "Hướng dẫn: docs/vi/plan-format.md. Dòng đầu tệp giúp VS Code gợi ý và báo lỗi."
        ),
        "plan": "Thông tin chung của kế hoạch (ghi đúng như văn bản ban hành).",
        "id": "mã kế hoạch: chữ thường không dấu, giữ nguyên suốt năm",
        "calendar": (
            "Ngày làm việc: thứ Bảy, Chủ nhật và ngày lễ (theo Bộ luật Lao động) là ngày nghỉ.\n"
            "Việc rơi vào ngày nghỉ được đưa lên ngày làm việc liền trước (shift: previous).\n"
            "Ngày nghỉ bù, làm bù trong năm ghi ở days_off / working_days, kèm văn bản."
        ),
        "reminder": "nhắc việc trước hạn 3 ngày làm việc",
        "units": (
            "Các cơ quan, đơn vị chủ trì hoặc phối hợp. Tên ghi đúng như trong văn bản;\n"
            "aliases là các cách viết khác (nhiệm vụ có thể dùng mã, tên hoặc tên khác).\n"
            "Xóa đơn vị xã không có, thêm đơn vị còn thiếu."
        ),
        "tasks": (
            "Các nhiệm vụ. Mỗi nhiệm vụ có: id (mã), title (nội dung), lead (cơ quan chủ trì),\n"
            "coordinators (cơ quan phối hợp), window (thời gian thực hiện: {year}, Q3/{year},\n"
            "03/{year}, 'Thường xuyên trong năm'…), recurrence (tần suất: hằng tháng, hằng quý…).\n"
            "Thêm nhiệm vụ:  planflow add-task {folder}"
        ),
        "task1": "Ví dụ: việc định kỳ hằng quý",
        "quarter_end": "ngày cuối quý; rơi vào ngày nghỉ thì làm vào ngày làm việc liền trước",
        "task2": "Ví dụ: việc một lần, có hạn cuối năm",
        "task1_title": "Báo cáo kết quả thực hiện Kế hoạch định kỳ hằng quý",
        "task2_title": "Tổng kết, đánh giá kết quả thực hiện Kế hoạch năm {year}",
        "from": (
            "Kế hoạch này dựa trên khung: {template}\n"
            "Chỉ ghi những gì khác với khung: nhiệm vụ cùng id sẽ thay các mục ghi ở đây,\n"
            "nhiệm vụ có id mới được thêm vào; drop: bỏ nhiệm vụ của khung không thực hiện.\n"
            "Xem kế hoạch sau khi ghép:   planflow show {folder} --explain"
        ),
        "placeholders": "Giá trị điền vào các chỗ ${...} của khung",
        "fill": "cần điền",
        "overrides": "Ví dụ sửa một nhiệm vụ của khung (bỏ dấu # để dùng):",
    },
    "en": {
        "head": (
            "The {year} plan of {commune} commune, written for planflow.\n"
            "Edit this file, then check it:  planflow validate {folder}\n"
            "Preview the year:               planflow simulate {folder}\n"
            "Calendars for every unit:       planflow export {folder} --out calendars\n"
            "Reference: docs/plan-format.md. The first line lets VS Code complete and check keys."
        ),
        "plan": "About the plan (written as in the issued document).",
        "id": "plan id: lower-case ASCII, keep it for the whole year",
        "calendar": (
            "Working days: Saturdays, Sundays and public holidays (Labour Code) are days off.\n"
            "Work falling on a day off moves to the previous working day (shift: previous).\n"
            "The year's swapped days go under days_off / working_days, with their source."
        ),
        "reminder": "remind 3 working days before each deadline",
        "units": (
            "Units that lead or coordinate. Names exactly as in the documents; aliases are\n"
            "other spellings (tasks may name a unit by id, name or alias).\n"
            "Delete the units this commune does not have, add those missing."
        ),
        "tasks": (
            "The tasks. Each has: id, title (Nội dung), lead (Cơ quan chủ trì),\n"
            "coordinators (Cơ quan phối hợp), window ({year}, Q3/{year}, 03/{year},\n"
            "'throughout the year' …) and recurrence (monthly, quarterly, weekly on monday …).\n"
            "Add a task:  planflow add-task {folder}"
        ),
        "task1": "Example: a quarterly task",
        "quarter_end": "the last day of each quarter; on a day off, the working day before",
        "task2": "Example: a one-off task due by the end of the year",
        "task1_title": "Báo cáo kết quả thực hiện Kế hoạch định kỳ hằng quý",
        "task2_title": "Tổng kết, đánh giá kết quả thực hiện Kế hoạch năm {year}",
        "from": (
            "This plan builds on the template {template}\n"
            "Write only what differs: a task with a template task's id changes the keys written\n"
            "here, a new id adds a task; drop: leaves template tasks out.\n"
            "See the merged plan:   planflow show {folder} --explain"
        ),
        "placeholders": "Values for the template's ${...} placeholders",
        "fill": "to fill in",
        "overrides": "Example of changing a template task (remove the # to use it):",
    },
}


def slug(text: str) -> str:
    """An id from a Vietnamese name: ``Bờ Y`` → ``bo-y``, ``Đắk Pơ`` → ``dak-po``."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "xa"


def _comment(text: str, indent: str = "") -> str:
    return "\n".join(f"{indent}# {line}".rstrip() for line in text.splitlines()) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _header(t: dict[str, str], commune: str, year: int, folder: str) -> str:
    return f"# yaml-language-server: $schema={SCHEMA_FILE}\n" + _comment(
        t["head"].format(year=year, commune=commune, folder=folder)
    )


def starter_plan(commune: str, year: int, *, lang: str = "vi", folder: str = ".") -> str:
    """The text of a complete starter plan for ``commune`` in ``year``."""
    t = _TEXTS[lang]
    out = [_header(t, commune, year, folder), "\nplanflow: 1\n\n", _comment(t["plan"])]
    out.append(
        "plan:\n"
        f"  id: {slug(commune)}-{year}  # {t['id']}\n"
        f"  title: {_quote(f'Kế hoạch công tác năm {year} của xã {commune}')}\n"
        f"  issuer: {_quote(f'Ủy ban nhân dân xã {commune}')}\n"
        f"  year: {year}\n"
        "  timezone: Asia/Ho_Chi_Minh\n\n"
    )
    out += [_comment(t["calendar"]), "calendar:\n  country: VN\n  shift: previous\n"]
    out.append(f"  reminder: 3 working days  # {t['reminder']}\n\n")
    out += [_comment(t["units"]), "units:\n"]
    for uid, name, name_en, aliases in COMMUNE_UNITS:
        out.append(f"  - id: {uid}\n    name: {_quote(name.format(commune=commune))}\n")
        if lang == "en":
            out.append(f"    name_en: {_quote(name_en)}\n")
        if aliases:
            out.append(f"    aliases: [{', '.join(_quote(a) for a in aliases)}]\n")
    out += ["\n", _comment(t["tasks"].format(folder=folder, year=year)), "tasks:\n"]
    out += [
        _comment(t["task1"], "  "),
        "  - id: bao-cao-quy\n"
        f"    title: {_quote(t['task1_title'])}\n"
        "    lead: vp\n"
        "    coordinators: [kt, vhxh]\n"
        f"    window: {year}\n"
        f'    recurrence: "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"  # {t["quarter_end"]}\n',
        _comment(t["task2"], "  "),
        "  - id: so-ket-nam\n"
        f"    title: {_quote(t['task2_title'].format(year=year))}\n"
        "    lead: ubnd\n"
        "    coordinators: [vp]\n"
        f"    window: 12/{year}\n",
    ]
    return "".join(out)


_PLACEHOLDER = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def template_plan(
    template: str, template_text: str, commune: str, year: int, *, lang: str, folder: str
) -> str:
    """A plan extending ``template`` (its path as written in ``extends:``)."""
    t = _TEXTS[lang]
    known = {"commune": _quote(commune), "commune_id": slug(commune), "year": str(year)}
    names = dict.fromkeys(_PLACEHOLDER.findall(template_text))
    out = [
        _header(t, commune, year, folder),
        "\n",
        _comment(t["from"].format(template=template, folder=folder)),
    ]
    out.append(f"extends: {_quote(template.replace(os.sep, '/'))}\n\n")
    if names:
        out += [_comment(t["placeholders"]), "placeholders:\n"]
        for name in names:
            value = known.get(name)
            out.append(f"  {name}: {value}\n" if value else f'  {name}: ""  # {t["fill"]}\n')
    out += [
        "\n",
        _comment(t["overrides"]),
        "# tasks:\n#   - id: ...\n#     window: Q3/" + str(year) + "\n# drop: [...]\n",
    ]
    return "".join(out)
