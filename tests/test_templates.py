"""Plans that extend templates: overrides, drop, additions, placeholders, chains, located errors."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from planflow import load
from planflow.cli.main import cli
from planflow.plan.errors import PlanFileError

MINISTRY = """\
planflow: 1
plan:
  id: mau
  title: "Kế hoạch mẫu"
  issuer: "Bộ Nội vụ"
  year: 2025
calendar:
  shift: previous
  reminder: 5 working days
units:
  - id: vhxh
    name: "Phòng Văn hóa - Xã hội"
tasks:
  - id: annual-report
    title: "Báo cáo năm"
    lead: vhxh
    window: 12/2025
"""

PROVINCE = """\
extends: ../bo/template.yaml
plan:
  id: ${commune_id}-2025
  title: "Kế hoạch truyền thông xã ${commune} năm ${year}"
  issuer: "Ủy ban nhân dân xã ${commune}"
  year: ${year}
units:
  - id: radio
    name: "Đài phát thanh xã ${commune}"
tasks:
  - id: radio-programme
    title: "Phát sóng chuyên mục chuyển đổi số"
    lead: vhxh
    coordinators: [radio]
    window: 2025
    recurrence: monthly
    target: "12 per year"
  - id: quarterly-report
    title: "Báo cáo quý"
    lead: vhxh
    window: 2025
    recurrence: quarterly
"""

COMMUNE = """\
extends: ../tinh/template.yaml
placeholders:
  commune: "Bờ Y"
  commune_id: boy
  year: 2025
drop: [quarterly-report]
calendar:
  shift: next
units:
  - id: vhxh
    name: "Văn phòng - Thống kê xã Bờ Y"
tasks:
  - id: radio-programme
    window: Q3-Q4/2025
    target: "6 per year"
  - id: village-meeting
    title: "Họp thôn"
    lead: radio
    window: 2025-06-01..2025-06-30
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    write(
        tmp_path,
        {"bo/template.yaml": MINISTRY, "tinh/template.yaml": PROVINCE, "xa/plan.yaml": COMMUNE},
    )
    return tmp_path


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def errors(path: Path) -> list[str]:
    with pytest.raises(PlanFileError) as info:
        load(path)
    return [str(p) for p in info.value.problems]


class TestMerge:
    def test_chain_of_two_templates(self, chain: Path) -> None:
        """A commune extends a province template that extends a ministry's."""
        plan = load(chain / "xa").plan
        assert [t.id for t in plan.tasks] == ["annual-report", "radio-programme", "village-meeting"]
        assert [u.id for u in plan.units] == ["vhxh", "radio"]
        assert plan.issuer == "Ủy ban nhân dân xã Bờ Y"  # the province's, over the ministry's

    def test_override_task_fields_by_id(self, chain: Path) -> None:
        """A task with a template task's id changes only the keys it writes."""
        plan = load(chain / "xa").plan
        task = plan.task("radio-programme")
        # overridden: window and target; kept from the province: title, lead, coordinators, rule
        assert (task.window.start, task.window.end) == (date(2025, 7, 1), date(2025, 12, 31))
        assert task.target is not None and task.target.count == 6
        assert task.title == "Phát sóng chuyên mục chuyển đổi số"
        assert task.coordinators == ("radio",)
        assert task.recurrence == "FREQ=MONTHLY;BYMONTHDAY=1"  # `monthly`: the 1st

    def test_override_unit_and_calendar_defaults(self, chain: Path) -> None:
        """Units merge by id, calendar defaults key by key."""
        plan = load(chain / "xa").plan
        assert plan.unit("vhxh").name == "Văn phòng - Thống kê xã Bờ Y"
        assert plan.shift.value == "next"  # the commune's
        assert plan.reminder.days == 5  # the ministry's, untouched by both

    def test_drop_and_add(self, chain: Path) -> None:
        """drop: removes a template task; a new id adds one."""
        plan = load(chain / "xa").plan
        ids = {t.id for t in plan.tasks}
        assert "quarterly-report" not in ids
        added = plan.task("village-meeting")
        assert (added.lead, added.window.start) == ("radio", date(2025, 6, 1))

    def test_placeholders_fill_texts_and_typed_values(self, chain: Path) -> None:
        """${name} is filled in texts, and a whole-value placeholder keeps its type."""
        plan = load(chain / "xa").plan
        assert plan.id == "boy-2025"
        assert plan.title == "Kế hoạch truyền thông xã Bờ Y năm 2025"
        assert plan.year == 2025  # `year: ${year}` keeps the number
        assert plan.unit("radio").name == "Đài phát thanh xã Bờ Y"

    def test_several_templates_merge_left_to_right(self, tmp_path: Path) -> None:
        """With extends: [a, b], b's values win over a's."""
        second = "tasks:\n  - id: annual-report\n    window: 11/2025\n"
        write(
            tmp_path,
            {
                "a.yaml": MINISTRY,
                "b.yaml": second,
                "plan.yaml": "extends: [a.yaml, b.yaml]\n",
            },
        )
        assert load(tmp_path / "plan.yaml").plan.task("annual-report").window.start == date(
            2025, 11, 1
        )

    def test_literal_dollar_brace(self, tmp_path: Path) -> None:
        """$${ writes a literal ${."""
        text = MINISTRY.replace('"Kế hoạch mẫu"', '"Giá $${x}"')
        write(tmp_path, {"a.yaml": text, "plan.yaml": "extends: a.yaml\n"})
        assert load(tmp_path / "plan.yaml").plan.title == "Giá ${x}"

    def test_sources_list_every_file_with_its_hash(self, chain: Path) -> None:
        """LoadedPlan.sources: the plan, then its templates, each with a SHA-256."""
        loaded = load(chain / "xa")
        names = [Path(s.path).resolve() for s in loaded.sources]
        assert names == [
            (chain / "xa/plan.yaml").resolve(),
            (chain / "tinh/template.yaml").resolve(),
            (chain / "bo/template.yaml").resolve(),
        ]
        expected = hashlib.sha256(PROVINCE.encode()).hexdigest()
        assert loaded.sources[1].sha256 == expected

    def test_plain_plan_has_itself_as_only_source(self, tmp_path: Path) -> None:
        """A plan without templates has one source."""
        write(tmp_path, {"plan.yaml": MINISTRY})
        loaded = load(tmp_path)
        assert [s.sha256 for s in loaded.sources] == [hashlib.sha256(MINISTRY.encode()).hexdigest()]


class TestLocatedErrors:
    def test_invalid_override_is_reported_in_the_plan(self, chain: Path) -> None:
        """A bad override is reported at the plan's line, not the template's."""
        text = COMMUNE.replace("window: Q3-Q4/2025", "window: Q7/2025")
        write(chain, {"xa/plan.yaml": text})
        (message,) = errors(chain / "xa")
        file = chain / "xa" / "plan.yaml"
        assert message.startswith(f"{file}:{line_of(text, 'Q7/2025')}:13: tasks[1].window:")

    def test_bad_value_in_a_template_is_reported_in_the_template(self, chain: Path) -> None:
        """A bad inherited value is reported at the template's line."""
        text = PROVINCE.replace("coordinators: [radio]", "coordinators: [raido]")
        write(chain, {"tinh/template.yaml": text})
        (message,) = errors(chain / "xa")
        line = line_of(text, "[raido]")
        assert message.startswith(f"{chain / 'tinh' / 'template.yaml'}:{line}:20:")
        assert "unknown unit 'raido'" in message

    def test_unknown_key_in_an_override_points_at_the_key(self, chain: Path) -> None:
        """A misspelt key in an override is reported at that key, with a suggestion."""
        text = COMMUNE.replace('    target: "6 per year"', '    targte: "6 per year"')
        write(chain, {"xa/plan.yaml": text})
        (message,) = errors(chain / "xa")
        assert message.startswith(f"{chain / 'xa' / 'plan.yaml'}:{line_of(text, 'targte')}:5:")
        assert "did you mean 'target'" in message

    def test_placeholder_without_value(self, chain: Path) -> None:
        """Every use of a placeholder without value is reported where it is used."""
        text = COMMUNE.replace('  commune: "Bờ Y"\n', "")
        write(chain, {"xa/plan.yaml": text})
        found = errors(chain / "xa")
        file = chain / "tinh" / "template.yaml"
        assert found[0].startswith(
            f"{file}:4:10: plan.title: placeholder ${{commune}} has no value"
        )
        assert len(found) == 3  # title, issuer and the radio's name

    def test_drop_of_an_unknown_task(self, chain: Path) -> None:
        """Dropping a task no template defines is an error at the drop entry."""
        text = COMMUNE.replace("drop: [quarterly-report]", "drop: [quartely-report]")
        write(chain, {"xa/plan.yaml": text})
        (message,) = errors(chain / "xa")
        assert message.startswith(f"{chain / 'xa' / 'plan.yaml'}:6:8:")
        assert "no template defines a task 'quartely-report'" in message

    def test_missing_template(self, tmp_path: Path) -> None:
        """A template that does not exist is reported at the extends: line."""
        write(tmp_path, {"plan.yaml": "planflow: 1\nextends: ../nowhere.yaml\n"})
        (message,) = errors(tmp_path)
        assert message.startswith(f"{tmp_path / 'plan.yaml'}:2:10: extends:")
        assert "cannot read template '../nowhere.yaml': no such file" in message

    def test_cycle(self, tmp_path: Path) -> None:
        """Templates extending each other are reported, not followed forever."""
        write(tmp_path, {"a.yaml": "extends: b.yaml\n", "b.yaml": "extends: a.yaml\n"})
        (message,) = errors(tmp_path / "a.yaml")
        assert message.startswith(f"{tmp_path / 'b.yaml'}:1:10:")
        assert "extends itself" in message

    def test_syntax_error_in_a_template(self, tmp_path: Path) -> None:
        """A YAML error in a template is reported in the template."""
        write(tmp_path, {"a.yaml": "plan: [\n", "plan.yaml": "extends: a.yaml\n"})
        (message,) = errors(tmp_path)
        assert message.startswith(f"{tmp_path / 'a.yaml'}:2:1: YAML syntax error")


def test_show_explain_names_file_and_line(chain: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """show --explain tells, for each value, the file and line it was written at."""
    monkeypatch.chdir(chain)
    result = CliRunner().invoke(cli, ["show", "xa", "--explain"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    window = f"tasks[1].window = Q3-Q4/2025    ← xa/plan.yaml:{line_of(COMMUNE, 'Q3-Q4')}:13"
    assert window in lines
    assert (
        "tasks[1].title = Phát sóng chuyên mục chuyển đổi số    ← tinh/template.yaml:12:12" in lines
    )
    assert "calendar.reminder = 5 working days    ← bo/template.yaml:9:13" in lines
    title = "plan.title = Kế hoạch truyền thông xã Bờ Y năm 2025    ← tinh/template.yaml:4:10"
    assert f"{title}, ${{commune}} ← xa/plan.yaml:3:12, ${{year}} ← xa/plan.yaml:5:9" in lines
    assert not any(
        line.startswith(("tasks[2].id = quarterly", "extends", "drop")) for line in lines
    )


def test_show_yaml_prints_the_merged_plan(chain: Path) -> None:
    """show --yaml prints the merged plan, without the template keys."""
    import yaml

    result = CliRunner().invoke(cli, ["show", str(chain / "xa"), "--yaml"])
    assert result.exit_code == 0, result.output
    merged = yaml.safe_load(result.output)
    assert "extends" not in merged and "placeholders" not in merged
    assert [t["id"] for t in merged["tasks"]] == [
        "annual-report",
        "radio-programme",
        "village-meeting",
    ]
    assert merged["plan"]["title"] == "Kế hoạch truyền thông xã Bờ Y năm 2025"


def test_channel_settings_keep_their_environment_variables(tmp_path: Path) -> None:
    """${VARIABLE} in channels: is left for the environment at run time."""
    base = MINISTRY + 'channels:\n  email: {password: "${SMTP_PASSWORD}"}\n'
    write(tmp_path, {"a.yaml": base, "plan.yaml": "extends: a.yaml\nplaceholders: {x: 1}\n"})
    plan = load(tmp_path).plan
    assert plan.channels["email"]["password"] == "${SMTP_PASSWORD}"


@pytest.mark.parametrize(
    ("template", "plan", "message"),
    [
        ("- a\n- b\n", "extends: a.yaml\n", "template 'a.yaml' is not a plan"),
        ("", "extends: a.yaml\n", "template 'a.yaml' is not a plan"),
        ("plan: {}\n", "extends: 7\n", "expected the path of a template file, got 7"),
        ("plan: {}\n", "extends: [a.yaml, {x: 1}]\n", "expected the path of a template file"),
        ("plan: {}\n", "extends: a.yaml\nplaceholders: [x]\n", "placeholders must map a name"),
        ("plan: {}\n", "extends: a.yaml\nplaceholders: {x: [1]}\n", "placeholder 'x' must be"),
        ("plan: {}\n", "extends: a.yaml\ndrop: {x: 1}\n", "no template defines a task"),
        ("plan: {title: '${1x}'}\n", "extends: a.yaml\n", "'${1x}' is not a placeholder name"),
        ("plan: {}\n", "extends: .\n", "cannot read template '.'"),
    ],
)
def test_odd_templates_give_located_errors(
    tmp_path: Path, template: str, plan: str, message: str
) -> None:
    """However odd the template or the keys naming it, a located message and no traceback."""
    write(tmp_path, {"a.yaml": template, "plan.yaml": plan})
    found = errors(tmp_path / "plan.yaml")
    assert any(message in line for line in found), found
