"""``planflow init`` writes a valid commented plan; ``planflow add-task`` appends one task and
leaves every other byte of the file as it was."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from planflow import load
from planflow.cli.main import cli
from planflow.cli.schema_command import schema_text
from planflow.plan.schema import plan_schema
from plans import EXAMPLE_DIR

# the usual units of a commune, exact Vietnamese names (as ``init --commune "Bờ Y"`` lists them)
EXPECTED_UNITS = [
    "Đảng ủy xã Bờ Y",
    "Hội đồng nhân dân xã Bờ Y",
    "Ủy ban nhân dân xã Bờ Y",
    "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân xã",
    "Phòng Kinh tế",
    "Phòng Văn hóa - Xã hội",
    "Trung tâm Phục vụ hành chính công xã",
    "Công an xã",
    "Ban Chỉ huy quân sự xã",
    "Ủy ban Mặt trận Tổ quốc Việt Nam xã",
    "Trạm Y tế xã",
    "Đoàn Thanh niên Cộng sản Hồ Chí Minh xã",
    "Hội Liên hiệp Phụ nữ xã",
    "Hội Nông dân xã",
    "Hội Cựu chiến binh xã",
    "Các thôn, tổ dân phố trên địa bàn xã",
]


def run(*args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(cli, list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.output


class TestInit:
    @pytest.mark.parametrize(
        ("lang", "comment"),
        [("vi", "# Sửa tệp này rồi kiểm tra:"), ("en", "# Edit this file, then check it:")],
    )
    def test_writes_a_plan_that_validates(self, tmp_path: Path, lang: str, comment: str) -> None:
        """init writes a commented plan that validates, with the usual units and the schema."""
        folder = tmp_path / "kh"
        run("init", str(folder), "--commune", "Bờ Y", "--year", "2026", "--lang", lang)
        text = (folder / "plan.yaml").read_text(encoding="utf-8")
        assert text.splitlines()[0] == "# yaml-language-server: $schema=plan.schema.json"
        assert comment in text
        assert "OK — 2 tasks, 16 units" in run("validate", str(folder))
        plan = load(folder).plan
        assert (plan.id, plan.year, plan.issuer) == ("bo-y-2026", 2026, "Ủy ban nhân dân xã Bờ Y")
        assert [u.name for u in plan.units] == EXPECTED_UNITS
        assert (folder / "plan.schema.json").read_text(encoding="utf-8") == schema_text()
        jsonschema.validate(_as_json(yaml.safe_load(text)), plan_schema())

    def test_english_comments_keep_vietnamese_names(self, tmp_path: Path) -> None:
        """--lang en changes the comments, not the units' Vietnamese names."""
        run("init", str(tmp_path), "--commune", "Bờ Y", "--year", "2026", "--lang", "en")
        plan = load(tmp_path).plan
        assert plan.unit("vhxh").name == "Phòng Văn hóa - Xã hội"
        assert plan.unit("vhxh").name_en == "Division of Culture and Social Affairs"

    def test_from_a_template(self, tmp_path: Path) -> None:
        """init --from writes a plan extending the template, placeholders filled."""
        from test_templates import MINISTRY, PROVINCE, write

        write(tmp_path, {"bo/template.yaml": MINISTRY, "tinh/template.yaml": PROVINCE})
        folder = tmp_path / "xa" / "ba-to"
        run(
            "init",
            str(folder),
            "--from",
            str(tmp_path / "tinh" / "template.yaml"),
            "--commune",
            "Ba Tơ",
            "--year",
            "2025",
        )
        text = (folder / "plan.yaml").read_text(encoding="utf-8")
        assert 'extends: "../../tinh/template.yaml"' in text
        plan = load(folder).plan
        assert (plan.id, plan.title) == ("ba-to-2025", "Kế hoạch truyền thông xã Ba Tơ năm 2025")

    def test_does_not_overwrite(self, tmp_path: Path) -> None:
        """init leaves an existing plan alone."""
        (tmp_path / "plan.yaml").write_text("# mine\n", encoding="utf-8")
        result = CliRunner().invoke(cli, ["init", str(tmp_path)])  # Vietnamese by default
        assert result.exit_code == 1 and "đã có tệp" in result.output
        assert "dùng --force để ghi đè" in result.output
        english = CliRunner().invoke(cli, ["init", str(tmp_path), "--lang", "en"])
        assert english.exit_code == 1 and "already exists" in english.output
        assert (tmp_path / "plan.yaml").read_text(encoding="utf-8") == "# mine\n"


def _as_json(value: object) -> object:
    return json.loads(json.dumps(value, default=lambda d: d.isoformat()))


def _added(before: str, after: str) -> tuple[str, str]:
    """The inserted lines, and ``after`` without them (which must be ``before``)."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    start = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), len(old))
    count = len(new) - len(old)
    return "".join(new[start : start + count]), "".join(new[:start] + new[start + count :])


class TestAddTask:
    def test_interactive_answers_on_the_reference_plan(self, tmp_path: Path) -> None:
        """Answers given at the prompts become a task; nothing else in the file changes."""
        shutil.copy(EXAMPLE_DIR / "plan.yaml", tmp_path / "plan.yaml")
        before = (tmp_path / "plan.yaml").read_text(encoding="utf-8")
        answers = "\n".join(
            [
                "Họp giao ban: đánh giá CĐS",  # title with ': ' (must be quoted)
                "Phòng Văn hoá - Xã hội",  # new-style tone placement of vhxh's name
                "Đài, ca",  # a prefix of one unit's name, and an id
                "Q9/2025",  # not a window: asked again
                "Q3/2025",
                "weekly on monday",
            ]
        )
        output = run("add-task", str(tmp_path), input=answers + "\n")
        assert "cannot read 'Q9/2025' as a window" in output
        after = (tmp_path / "plan.yaml").read_text(encoding="utf-8")
        block, rest = _added(before, after)
        assert rest == before  # every other byte unchanged
        assert block.startswith("  - id: hop-giao-ban-danh-gia-cds\n")
        task = load(tmp_path).plan.task("hop-giao-ban-danh-gia-cds")
        assert task.title == "Họp giao ban: đánh giá CĐS"
        assert (task.lead, task.coordinators) == ("vhxh", ("radio", "ca"))
        assert (task.window.start, task.window.end) == (date(2025, 7, 1), date(2025, 9, 30))
        assert task.recurrence == "FREQ=WEEKLY;BYDAY=MO"
        assert load(tmp_path).plan.tasks[-1] == task  # appended last

    def test_options_and_layout_with_a_section_after_the_tasks(self, tmp_path: Path) -> None:
        """The task goes after the last task, before the next section's comment."""
        before = (
            "# đầu tệp\n"
            "plan: {id: t, title: 'Thử', issuer: 'UBND xã', year: 2025}\n"
            "tasks:\n"
            "- id: a   # ghi chú giữ nguyên\n"
            "  title:    'Việc A'\n"
            "  lead: u\n"
            "  window: 2025\n"
            "\n"
            "# --- đơn vị ---\n"
            "units:\n"
            "  - {id: u, name: 'Đơn vị'}\n"
        )
        (tmp_path / "plan.yaml").write_text(before, encoding="utf-8")
        args = ["--title", "Việc B", "--lead", "1", "--coordinators", "-", "--window", "2025"]
        run("add-task", str(tmp_path / "plan.yaml"), *args, "--recurrence", "hằng quý")
        after = (tmp_path / "plan.yaml").read_text(encoding="utf-8")
        block, rest = _added(before, after)
        assert rest == before
        assert block == (
            "- id: viec-b\n  title: Việc B\n  lead: u\n  window: 2025\n  recurrence: hằng quý\n"
        )
        assert after.index(block) < after.index("# --- đơn vị ---")
        assert [t.id for t in load(tmp_path).plan.tasks] == ["a", "viec-b"]

    def test_unknown_and_ambiguous_units(self, tmp_path: Path) -> None:
        """An unknown or ambiguous unit stops add-task without writing."""
        run("init", str(tmp_path), "--commune", "Bờ Y", "--year", "2026")
        before = (tmp_path / "plan.yaml").read_text(encoding="utf-8")
        base = ["add-task", str(tmp_path), "--title", "X", "--window", "2026", "--recurrence", "-"]
        result = CliRunner().invoke(cli, [*base, "--lead", "Hội", "--coordinators", "-"])
        assert result.exit_code == 1
        assert "'Hội' may be hccb, hdnd, hlhpn, hnd" in result.output
        result = CliRunner().invoke(cli, [*base, "--lead", "vp", "--coordinators", "kho bạc"])
        assert result.exit_code == 1 and "unknown unit 'kho bạc'" in result.output
        assert (tmp_path / "plan.yaml").read_text(encoding="utf-8") == before


def test_add_task_refuses_a_one_line_task_list(tmp_path: Path) -> None:
    """tasks: [...] on one line cannot take a block item: a message, and the file unchanged."""
    before = (
        "plan: {id: t, title: 'Thử', issuer: 'UBND xã', year: 2025}\n"
        "units: [{id: u, name: 'Đơn vị'}]\n"
        "tasks: [{id: a, title: 'A', lead: u, window: 2025}]\n"
    )
    (tmp_path / "plan.yaml").write_text(before, encoding="utf-8")
    args = ["--title", "B", "--lead", "u", "--coordinators", "-", "--window", "2025"]
    result = CliRunner().invoke(cli, ["add-task", str(tmp_path), *args, "--recurrence", "-"])
    assert result.exit_code == 1
    assert "tasks: is written on one line" in result.output
    assert (tmp_path / "plan.yaml").read_text(encoding="utf-8") == before
