"""The holiday cache files themselves: created with their folders, readable UTF-8."""

from __future__ import annotations

import tempfile

import pytest

from planflow.timeline import holiday_tables


def test_cache_folders_are_created_and_files_are_plain_utf8(tmp_path, monkeypatch) -> None:
    """A cache folder that does not exist yet is created, parents included; each table
    is one JSON file with the Vietnamese names as they are, and nothing else is left."""
    folder = tmp_path / "a" / "b"
    monkeypatch.setenv("PLANFLOW_CACHE_DIR", str(folder))
    # written next to its final place and renamed, never through the system's temp folder
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-folder"))
    holiday_tables.holiday_table.cache_clear()
    holiday_tables.country_language.cache_clear()
    try:
        names, _ = holiday_tables.holiday_table("VN", 2023)
        holiday_tables.country_language("VN")
    finally:
        holiday_tables.holiday_table.cache_clear()
        holiday_tables.country_language.cache_clear()
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert [f.rsplit("-", 1)[0] for f in files] == ["holidays/VN-2023", "holidays/VN-language"]
    assert all(f.endswith(".json") for f in files)
    text = (folder / files[0]).read_bytes().decode("utf-8")
    assert "Quốc khánh" in text and "\\u" not in text
    assert "Quốc khánh" in names.values()


@pytest.mark.parametrize("xdg", [False, True])
def test_cache_goes_to_the_users_cache_folder(tmp_path, monkeypatch, xdg: bool) -> None:
    """Without ``PLANFLOW_CACHE_DIR``: ``$XDG_CACHE_HOME/planflow``, else
    ``~/.cache/planflow``."""
    monkeypatch.delenv("PLANFLOW_CACHE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    if xdg:
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    else:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    holiday_tables.holiday_table.cache_clear()
    try:
        holiday_tables.holiday_table("VN", 2022)
    finally:
        holiday_tables.holiday_table.cache_clear()
    base = tmp_path / ("xdg" if xdg else "home/.cache")
    names = {p.name.rsplit("-", 1)[0] for p in (base / "planflow" / "holidays").glob("*.json")}
    assert "VN-2022" in names


def test_a_cache_file_that_is_not_a_table_is_rebuilt(tmp_path, monkeypatch) -> None:
    """A cache file holding JSON that is not an object (``[]``) is ignored and
    written again: 2 September (Quốc khánh) is still a holiday of 2023."""
    monkeypatch.setenv("PLANFLOW_CACHE_DIR", str(tmp_path))
    holiday_tables.holiday_table.cache_clear()
    try:
        holiday_tables.holiday_table("VN", 2023)
        (written,) = (tmp_path / "holidays").glob("VN-2023*.json")
        written.write_text("[]", encoding="utf-8")
        holiday_tables.holiday_table.cache_clear()
        names, _ = holiday_tables.holiday_table("VN", 2023)
    finally:
        holiday_tables.holiday_table.cache_clear()
    assert "Quốc khánh" in names.values()
    assert written.read_text(encoding="utf-8") != "[]"
