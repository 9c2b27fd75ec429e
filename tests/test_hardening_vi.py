"""The hardening messages people read, in Vietnamese (issue 16 with the gettext catalogue).

The limits, the internal-error line of the command line and the feed server's warnings
are written in English in the code and translated through the ``planflow`` catalogue;
these tests read them as a Vietnamese official would, with numbers written ``100.000``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from hostile import alias_bomb, plan_text
from planflow.cli.common import EXIT_INTERNAL
from planflow.cli.main import main
from planflow.feeds.server.access import warn_if_readable


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run the real ``planflow`` entry point; (exit status, stderr)."""
    with pytest.raises(SystemExit) as info:
        main(argv)
    code = info.value.code
    return (code if isinstance(code, int) else 1), capsys.readouterr().err


@pytest.fixture
def vietnamese(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a Vietnamese official's environment chooses."""
    monkeypatch.setenv("PLANFLOW_LANG", "vi")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_task_limit_in_vietnamese(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    vietnamese: None,
) -> None:
    """A daily task in 2025 falls due 365 times, over a limit of 100; the message
    points at its ``id`` (line 11, column 9) and names the variable to raise."""
    monkeypatch.setenv("PLANFLOW_MAX_TASK_OCCURRENCES", "100")
    path = write(tmp_path, plan_text(rule="FREQ=DAILY"))
    code, err = run(["validate", str(path)], capsys)
    assert code == 1
    assert err.startswith(
        f"{path}:11:9: kế hoạch có quá 100 lượt việc của một nhiệm vụ (số ngày đến hạn nhân "
        "với số đơn vị cùng thực hiện) (nhiệm vụ 't'): ít nhất 365 — nếu kế hoạch thực sự lớn "
        "như vậy, hãy nâng giới hạn: PLANFLOW_MAX_TASK_OCCURRENCES=<số>"
    ), err


def test_alias_limit_in_vietnamese_with_vietnamese_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], vietnamese: None
) -> None:
    """Nine levels of ten aliases copy 10⁹ values, past the default 100,000, which a
    Vietnamese reader sees as ``100.000``."""
    path = write(tmp_path, alias_bomb())
    code, err = run(["validate", str(path)], capsys)
    assert code == 1
    assert "bí danh YAML (*tên) và khóa gộp (<<) sao chép quá 100.000 giá trị" in err, err
    assert "PLANFLOW_MAX_ALIAS_VALUES=<số>" in err
    assert "1 lỗi; không đọc được kế hoạch." in err


def test_internal_error_in_vietnamese(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    vietnamese: None,
) -> None:
    """The guard's line is located, translated, and exits 70."""

    def broken(*args: object, **kwargs: object) -> None:
        raise IndexError("list index out of range")

    monkeypatch.setattr("planflow.timeline.validation.plan_warnings", broken)
    path = write(tmp_path, plan_text())
    code, err = run(["validate", str(path)], capsys)
    assert code == EXIT_INTERNAL == 70
    assert err.startswith(
        f"{path}:1:1: lỗi nội bộ trong planflow.cli.plan_commands.validate "
        "(IndexError: list index out of range), đề nghị báo lại"
    ), err
    assert "Traceback" not in err


def test_internal_error_follows_the_plans_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without PLANFLOW_LANG, a plan with ``language: vi`` gets the Vietnamese line."""
    monkeypatch.delenv("PLANFLOW_LANG")
    monkeypatch.setenv("LANG", "en_US.UTF-8")  # the locale alone would say English

    def broken(*args: object, **kwargs: object) -> None:
        raise IndexError("boom")

    monkeypatch.setattr("planflow.timeline.validation.plan_warnings", broken)
    text = plan_text().replace("plan:\n", "plan:\n  language: vi\n", 1)
    assert "language: vi" in text
    code, err = run(["validate", str(write(tmp_path, text))], capsys)
    assert code == 70
    assert ": lỗi nội bộ trong " in err, err


def test_server_warning_in_vietnamese(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, vietnamese: None
) -> None:
    """The warning about a tokens file others may read, as the server logs it."""
    tokens = tmp_path / "t.json"
    tokens.write_text("{}", encoding="utf-8")
    tokens.chmod(0o644)
    caplog.set_level(logging.WARNING, logger="planflow.feeds.server")
    assert warn_if_readable(tokens)
    assert (
        f"{tokens} có quyền 644: người khác có thể đọc mã băm của mã truy cập; "
        "hãy chạy chmod 600 cho tệp này"
    ) in caplog.text


def test_export_into_the_current_folder_in_vietnamese(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    vietnamese: None,
) -> None:
    """``export --out .`` would replace the folder it runs in: refused, in Vietnamese,
    and nothing but the plan is left in the folder."""
    path = write(tmp_path, plan_text())
    monkeypatch.chdir(tmp_path)
    code, err = run(["export", str(path), "--out", "."], capsys)
    assert code == 1
    assert ".: thư mục lịch sẽ chứa cả thư mục hiện hành — hãy xuất vào một thư mục riêng" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml"]
