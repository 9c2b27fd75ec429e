"""The on-disk cache of public holiday tables."""

from __future__ import annotations

import json
from datetime import date

import pytest

from planflow.plan.errors import ModelError
from planflow.timeline import holiday_tables


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANFLOW_CACHE_DIR", str(tmp_path))
    holiday_tables.holiday_table.cache_clear()
    holiday_tables.country_language.cache_clear()
    yield tmp_path
    holiday_tables.holiday_table.cache_clear()
    holiday_tables.country_language.cache_clear()


def test_table_is_written_and_read_back(cache_dir) -> None:
    """The first call builds the table from `holidays` and stores it; later calls read it."""
    names, _ = holiday_tables.holiday_table("VN", 2025)
    assert names[date(2025, 9, 2)] == "Quốc khánh"
    (path,) = (cache_dir / "holidays").glob("VN-2025-*.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["names"]["2025-03-03"] = "Ngày thử"  # a marker only the cache file knows
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    holiday_tables.holiday_table.cache_clear()
    names, _ = holiday_tables.holiday_table("VN", 2025)
    assert names[date(2025, 3, 3)] == "Ngày thử"


def test_damaged_cache_is_rebuilt(cache_dir) -> None:
    """A file that is not a table is ignored and replaced."""
    holiday_tables.holiday_table("VN", 2025)
    (path,) = (cache_dir / "holidays").glob("VN-2025-*.json")
    path.write_text('{"names": 3}', encoding="utf-8")
    holiday_tables.holiday_table.cache_clear()
    names, _ = holiday_tables.holiday_table("VN", 2025)
    assert date(2025, 4, 30) in names
    assert json.loads(path.read_text(encoding="utf-8"))["names"]["2025-04-30"]


def test_unwritable_cache_is_not_an_error(tmp_path, monkeypatch) -> None:
    """A cache folder that cannot be created only costs speed."""
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("PLANFLOW_CACHE_DIR", str(blocker / "sub"))
    holiday_tables.holiday_table.cache_clear()
    names, _ = holiday_tables.holiday_table("VN", 2024)
    assert date(2024, 9, 2) in names
    holiday_tables.holiday_table.cache_clear()


def test_unknown_country(cache_dir) -> None:
    """An unknown country is a model error with a suggestion."""
    with pytest.raises(ModelError, match="no public holidays known for country 'VM'"):
        holiday_tables.country_language("VM")
