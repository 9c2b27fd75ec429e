"""Public holiday tables from the ``holidays`` package, cached on disk.

Importing ``holidays`` and building a country's table costs a few tenths of a second,
more than the rest of ``planflow simulate`` for a commune. The tables only change
with the package version, so they are kept as small JSON files in the user's cache
folder (``$PLANFLOW_CACHE_DIR``, else ``$XDG_CACHE_HOME/planflow``, else
``~/.cache/planflow``), keyed by country, year and package version. A cache that
cannot be read or written is simply not used.
"""

from __future__ import annotations

import difflib
import json
import os
import tempfile
from datetime import date
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from planflow.plan.errors import ModelError

__all__ = ["country_language", "holiday_table"]


@cache
def _version() -> str:
    try:
        return metadata.version("holidays")
    except metadata.PackageNotFoundError:  # pragma: no cover - a dependency of planflow
        return "unknown"


def _cache_dir() -> Path:
    explicit = os.environ.get("PLANFLOW_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "planflow"


def _cache_file(country: str, year: int) -> Path:
    return _cache_dir() / "holidays" / f"{country}-{year}-{_version()}.json"


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write(path: Path, data: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp"
        ) as out:
            json.dump(data, out, ensure_ascii=False)
        os.replace(out.name, path)  # atomic: concurrent runs never see half a file
    except OSError:
        pass


@cache
def country_language(country: str) -> str | None:
    """The language holiday names are given in (``"vi"`` for Vietnam), or None.

    :raises ModelError: the ``holidays`` package knows no such country.
    """
    cached = _read(_cache_dir() / "holidays" / f"{country}-language-{_version()}.json")
    if cached is not None and "language" in cached:
        language = cached["language"]
        return language if isinstance(language, str) else None
    import holidays

    try:
        languages = holidays.country_holidays(country, years=()).supported_languages
    except NotImplementedError:
        close = difflib.get_close_matches(country, holidays.list_supported_countries(), n=1)
        raise ModelError(
            f"no public holidays known for country {country!r}",
            hint=f"did you mean {close[0]!r}?" if close else "use an ISO 3166 code such as 'VN'",
        ) from None
    language = "vi" if "vi" in languages else None
    _write(
        _cache_dir() / "holidays" / f"{country}-language-{_version()}.json", {"language": language}
    )
    return language


@cache
def holiday_table(country: str, year: int) -> tuple[dict[date, str], frozenset[date]]:
    """Holiday names and the package's make-up working days of one year."""
    path = _cache_file(country, year)
    cached = _read(path)
    if cached is not None:
        try:
            names = {date.fromisoformat(d): str(n) for d, n in cached["names"].items()}
            make_up = frozenset(date.fromisoformat(d) for d in cached["make_up"])
            return names, make_up
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # a damaged cache file is rebuilt
    import holidays

    table = holidays.country_holidays(country, years=year, language=country_language(country))
    names = {d: str(name) for d, name in table.items() if d.year == year}
    # Older versions of `holidays` have no make-up working days.
    make_up = frozenset(d for d in getattr(table, "weekend_workdays", ()) if d.year == year)
    _write(
        path,
        {
            "names": {d.isoformat(): n for d, n in sorted(names.items())},
            "make_up": sorted(d.isoformat() for d in make_up),
        },
    )
    return names, make_up
