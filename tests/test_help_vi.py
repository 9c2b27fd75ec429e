"""Every command's --help exists in Vietnamese: its text, every option, click's own lines.

The commands are walked from the ``planflow`` group itself, so a command added later
without translations fails here.
"""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from planflow.cli.main import cli
from planflow.i18n import _, use_language

COMMANDS = sorted(cli.commands)


def _help_texts(command: click.Command) -> list[str]:
    """The texts of the command's help: its own, then each option's (click's own excepted)."""
    texts = [command.help or ""]
    for param in command.params:
        text = getattr(param, "help", None)
        if isinstance(param, click.Option) and text and not param.hidden:
            texts.append(text)
    return texts


def test_the_walk_finds_every_command() -> None:
    """The group holds the commands the docs list (a sanity check on the walk itself)."""
    assert {"validate", "agenda", "status", "tokens", "serve", "init", "export"} <= set(COMMANDS)
    assert len(COMMANDS) >= 24


@pytest.mark.parametrize("name", COMMANDS)
def test_every_help_text_is_translated(name: str) -> None:
    """The command's help and each option's help have a Vietnamese translation."""
    command = cli.commands[name]
    texts = _help_texts(command)
    assert texts[0], f"{name} has no help"
    with use_language("vi"):
        untranslated = [text for text in texts if _(text) == text]
    assert untranslated == [], f"{name}: no Vietnamese for {untranslated}"


@pytest.mark.parametrize("name", COMMANDS)
def test_help_prints_in_vietnamese(name: str) -> None:
    """``planflow NAME --help`` in Vietnamese: headings, texts, and no English left of them."""
    result = CliRunner().invoke(cli, [name, "--help"], env={"PLANFLOW_LANG": "vi"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(f"Cách dùng: cli {name} ") and "\nTùy chọn:\n" in out
    assert "Hiển thị hướng dẫn này rồi thoát." in out and "Show this message" not in out
    assert "[default:" not in out and "required]" not in out  # click's own bracket words
    for text in _help_texts(cli.commands[name]):
        first_words = " ".join(text.split()[:5])
        assert first_words not in " ".join(out.split()), f"{name}: English left: {first_words}"
    english = CliRunner().invoke(cli, [name, "--help"], env={"PLANFLOW_LANG": "en"}).stdout
    assert english.startswith(f"Usage: cli {name} ") and english != out


def test_click_bracket_words_are_translated() -> None:
    """``tokens --base-url`` shows its default as "[mặc định: http://127.0.0.1:8080]"."""
    out = CliRunner().invoke(cli, ["tokens", "--help"], env={"PLANFLOW_LANG": "vi"}).stdout
    assert "[mặc định: http://127.0.0.1:8080]" in " ".join(out.split())
    english = CliRunner().invoke(cli, ["tokens", "--help"], env={"PLANFLOW_LANG": "en"}).stdout
    assert "[default: http://127.0.0.1:8080]" in " ".join(english.split())


def test_a_required_option_says_bat_buoc() -> None:
    """``report --period`` is required: "[bắt buộc]", not the indicator firmness "đặt mục
    tiêu" that shares the English word (a catalogue merge once gave it that)."""
    out = CliRunner().invoke(cli, ["report", "--help"], env={"PLANFLOW_LANG": "vi"}).stdout
    option = out[out.index("\n  --period") :].split("\n  --", 2)[1]  # its lines, up to the next
    assert " ".join(option.split()).endswith("[bắt buộc]")
    assert "[đặt mục tiêu]" not in out


def test_the_group_help_in_vietnamese() -> None:
    """``planflow --help``: the group's text, options and the list of commands, translated."""
    out = CliRunner().invoke(cli, ["--help"], env={"PLANFLOW_LANG": "vi"}).stdout
    assert out.startswith("Cách dùng: cli [OPTIONS] COMMAND [ARGS]...")
    assert "planflow: tổ chức thực hiện kế hoạch năm" in out and "\nLệnh:\n" in out
    assert "Hiển thị phiên bản rồi thoát." in out and "Show the version" not in out
    assert "Cấp, liệt kê, thu hồi và đổi mã bí mật" in out  # tokens' one-line help
    english = CliRunner().invoke(cli, ["--help"], env={"PLANFLOW_LANG": "en"}).stdout
    assert "\nCommands:\n" in english and "Issue, list, revoke and rotate" in english
