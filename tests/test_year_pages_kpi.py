"""The unit pages' KPI form, and their token check through the feed server's
fail-closed access (a broken tokens file answers 503, never opens a page)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("starlette")

from starlette.applications import Starlette
from starlette.testclient import TestClient

from planflow.feeds.server import create_app
from planflow.feeds.tokens import TokenStore
from planflow.jobs.pages import add_unit_pages
from planflow.jobs.year import Year
from test_year_kpi import PLAN
from year_support import page_csrf

NOW = datetime(2025, 10, 6, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def site(tmp_path: Path) -> dict[str, object]:
    path = tmp_path / "xa" / "plan.yaml"
    path.parent.mkdir()
    path.write_text(PLAN, encoding="utf-8")
    tokens = TokenStore()
    secrets = {unit: tokens.issue(unit, label=f"Tổ {unit}")[1] for unit in ("vp", "radio")}
    secrets["office"] = tokens.issue(None, label="Văn phòng", all_feeds=True)[1]
    tokens_path = path.parent / "plan.tokens.json"
    tokens.save(tokens_path)
    app = create_app(path, tokens_path=tokens_path, check_interval=0)
    add_unit_pages(app, path, tokens_path=tokens_path, clock=lambda: NOW)
    return {"client": TestClient(app), "path": path, "tokens": tokens_path, **secrets}


def _options(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]+)"', html)


def _measured(path: object) -> list[tuple[str, float, str | None, str]]:
    with Year.open(path) as year:  # type: ignore[arg-type]
        return [
            (m.target, m.value, m.by_unit, m.who) for m in year.store.measurements(year.plan.id)
        ]


def test_a_unit_records_only_the_indicators_it_owns(site: dict[str, object]) -> None:
    client: TestClient = site["client"]  # type: ignore[assignment]
    base = f"/pages/{site['radio']}/units/radio"
    page = client.get(base)
    assert page.status_code == 200
    # radio: a member of cap-xa (dvc), and dai-cu's successor (tin-bai); not ho-so-mang
    assert _options(page.text) == ["dvc", "tin-bai"]
    csrf = page_csrf(page.text)
    theirs = client.post(base + "/record", data={"csrf": csrf, "target": "ho-so-mang",
                                                 "value": "90"})  # fmt: skip
    assert theirs.status_code == 400
    assert "đơn vị &#39;radio&#39; không phụ trách chỉ tiêu &#39;ho-so-mang&#39;" in theirs.text
    bad = client.post(base + "/record", data={"csrf": csrf, "target": "dvc", "value": "nhiều"})
    assert bad.status_code == 400 and "không phải là số" in bad.text
    forged = client.post(base + "/record", data={"target": "dvc", "value": "72,5"})
    assert forged.status_code == 403
    assert _measured(site["path"]) == []
    ok = client.post(base + "/record", data={"csrf": csrf, "target": "dvc", "value": "72,5",
                                             "day": "2025-06-30"})  # fmt: skip
    assert ok.status_code == 200 and "Đã ghi nhận chỉ tiêu dvc." in ok.text
    # judged at once: 72,5 on 30/06 against "tối thiểu 80%" (strive for): not yet met
    assert "Đến ngày 30/06/2025: 72,5 · Chưa đạt (phấn đấu)" in ok.text
    assert _measured(site["path"]) == [("dvc", 72.5, "radio", "Tổ radio (trang đơn vị)")]


def test_the_office_records_any_indicator_on_its_owners_page(site: dict[str, object]) -> None:
    client: TestClient = site["client"]  # type: ignore[assignment]
    base = f"/pages/{site['office']}/units/vp"
    page = client.get(base)
    assert _options(page.text) == ["ho-so-mang"]
    ok = client.post(base + "/record", data={"csrf": page_csrf(page.text), "target": "ho-so-mang",
                                             "value": "100", "day": "2025-09-30"})  # fmt: skip
    assert ok.status_code == 200
    assert "Đến ngày 30/09/2025: 100 · Đạt" in ok.text
    # Q1 and Q2 had no value: no data
    assert ok.text.count("Chưa có số liệu") == 2
    assert client.get(f"/pages/{site['vp']}/units/radio").status_code == 404
    assert _measured(site["path"]) == [("ho-so-mang", 100.0, "vp", "Văn phòng (trang đơn vị)")]


def test_a_broken_tokens_file_closes_the_pages(site: dict[str, object]) -> None:
    """Through the feed server's access: 503 while the tokens file is gone or broken
    (never open, never 404-as-public), back to normal once it is good again."""
    client: TestClient = site["client"]  # type: ignore[assignment]
    tokens: Path = site["tokens"]  # type: ignore[assignment]
    base = f"/pages/{site['vp']}/units/vp"
    csrf = page_csrf(client.get(base).text)
    good = tokens.read_bytes()
    tokens.write_text("{ not json", encoding="utf-8")
    assert client.get(base).status_code == 503
    post = client.post(base + "/record", data={"csrf": csrf, "target": "ho-so-mang",
                                               "value": "1"})  # fmt: skip
    assert post.status_code == 503
    assert client.get(f"/feeds/{site['vp']}/units/vp.ics").status_code == 503  # the same access
    tokens.unlink()
    assert client.get(base).status_code == 503
    tokens.write_bytes(good)
    assert client.get(base).status_code == 200
    assert _measured(site["path"]) == []


def test_pages_without_a_feed_server_fail_closed_too(site: dict[str, object]) -> None:
    app = Starlette()
    add_unit_pages(app, site["path"], tokens_path=site["tokens"], clock=lambda: NOW)  # type: ignore[arg-type]
    client = TestClient(app)
    base = f"/pages/{site['vp']}/units/vp"
    assert client.get(base).status_code == 200
    tokens: Path = site["tokens"]  # type: ignore[assignment]
    tokens.write_text("[]", encoding="utf-8")
    assert client.get(base).status_code == 503


def test_an_edited_plan_is_read_again(site: dict[str, object]) -> None:
    """The pages keep the plan as read until its file changes."""
    client: TestClient = site["client"]  # type: ignore[assignment]
    path: Path = site["path"]  # type: ignore[assignment]
    base = f"/pages/{site['vp']}/units/vp"
    assert "trừ hồ sơ mật)" in client.get(base).text
    path.write_text(PLAN.replace("(trừ hồ sơ mật)", "(trừ hồ sơ tối mật)"), encoding="utf-8")
    assert "trừ hồ sơ tối mật" in client.get(base).text
