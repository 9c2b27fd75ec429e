"""The unit pages of ``planflow serve``: token-scoped, CSRF-protected, in a real browser."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("starlette")
pytest.importorskip("jinja2")

import httpx

from planflow.feeds.server import create_app
from planflow.feeds.tokens import TokenStore
from planflow.jobs.pages import add_unit_pages
from planflow.jobs.year import Year
from year_support import open_occurrences, page_csrf, write_plan

NOW = datetime(2025, 3, 20, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def site(tmp_path: Path) -> dict[str, object]:
    path = write_plan(tmp_path / "xa")
    tokens = TokenStore()
    _, vhxh = tokens.issue("vhxh", label="Phòng VH-XH")
    _, office = tokens.issue(None, label="Văn phòng", all_feeds=True)
    tokens_path = tmp_path / "xa" / "plan.tokens.json"
    tokens.save(tokens_path)
    app = create_app(path, tokens_path=tokens_path)
    add_unit_pages(app, path, tokens_path=tokens_path, clock=lambda: NOW)
    return {"app": app, "path": path, "vhxh": vhxh, "office": office}


@pytest.fixture
def server(site: dict[str, object]) -> Iterator[str]:
    uvicorn = pytest.importorskip("uvicorn")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(site["app"], host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(10)


def test_tokens_open_only_their_units_pages(site: dict[str, object], server: str) -> None:
    client = httpx.Client(base_url=server)
    vhxh, office = site["vhxh"], site["office"]
    page = client.get(f"/pages/{vhxh}/units/vhxh")
    assert page.status_code == 200
    assert "Phòng Văn hóa - Xã hội" in page.text and "Tình hình đến ngày 20/03/2025" in page.text
    # overdue first: viec-1 is due 14/03 and led by vhxh; nothing of the other units' duties
    assert open_occurrences(page.text)[0] == "viec-1#3"
    assert all(o.startswith("viec-1#") for o in open_occurrences(page.text))
    assert client.get(f"/pages/{vhxh}/units/radio").status_code == 404
    assert client.get("/pages/" + "x" * 43 + "/units/vhxh").status_code == 404
    assert client.get(f"/pages/{office}/units/radio").status_code == 200
    assert client.get(f"/pages/{office}/units/nope").status_code == 404


def test_forged_forms_are_refused_and_real_ones_recorded(
    site: dict[str, object], server: str
) -> None:
    client = httpx.Client(base_url=server, follow_redirects=False)
    vhxh = site["vhxh"]
    base = f"/pages/{vhxh}/units/vhxh"
    csrf = page_csrf(client.get(base).text)
    forged = client.post(base + "/done", data={"occurrence": "viec-1#3", "note": "giả"})
    assert forged.status_code == 403
    wrong = client.post(base + "/done", data={"occurrence": "viec-1#3", "csrf": "0" * 64})
    assert wrong.status_code == 403
    other = client.post(base + "/done", data={"occurrence": "viec-2#3", "csrf": csrf})
    assert other.status_code == 403 and "không do đơn vị này chủ trì" in other.text
    with Year.open(site["path"]) as year:  # type: ignore[arg-type]
        assert year.store.history(year.plan.id) == []
    ok = client.post(
        base + "/done",
        data={"occurrence": "viec-1#3", "csrf": csrf, "note": "Đã phát", "evidence": ""},
    )
    assert ok.status_code == 303
    assert ok.headers["location"] == base + "?ghi-nhan=viec-1%233"
    after = client.get(ok.headers["location"]).text
    assert "viec-1#3" not in open_occurrences(after)
    assert "Đã ghi nhận hoàn thành viec-1#3." in after
    with Year.open(site["path"]) as year:  # type: ignore[arg-type]
        (row,) = year.store.history(year.plan.id)
    assert (row.occurrence, row.by_unit, row.note) == ("viec-1#3", "vhxh", "Đã phát")
    assert row.who == "Phòng VH-XH (trang đơn vị)" and row.day == NOW.date()


def test_mark_a_duty_done_in_chromium(site: dict[str, object], server: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Chromium not installed (apt-get install -y chromium)")
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
    vhxh = site["vhxh"]
    feed_url = f"{server}/feeds/{vhxh}/expanded/units/vhxh.ics"
    before = httpx.get(feed_url)
    assert before.status_code == 200
    assert "SUMMARY:✔" not in before.text  # nothing recorded yet
    assert "SUMMARY:⚠ Quá hạn: Việc số 1" in before.text  # viec-1#3 is overdue
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=args)
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        page.goto(f"{server}/pages/{vhxh}/units/vhxh")
        assert page.locator("h1").inner_text() == "Phòng Văn hóa - Xã hội"
        item = page.locator('#open li[data-occurrence="viec-1#3"]')
        assert item.locator(".tag").inner_text() == "Quá hạn"
        item.locator('input[name="note"]').fill("Đã phát sóng chuyên mục tháng 3")
        item.locator('input[name="evidence"]').fill("https://boy.example.gov.vn/tin/31")
        item.locator("button").click()
        page.wait_for_url(re.compile(r".*ghi-nhan=.*"))
        assert page.locator('#open li[data-occurrence="viec-1#3"]').count() == 0
        assert page.locator('[role="status"]').inner_text() == "Đã ghi nhận hoàn thành viec-1#3."
        recent = page.locator('#recent li[data-occurrence="viec-1#3"]').inner_text()
        assert "Đã phát sóng chuyên mục tháng 3" in recent and "Phòng VH-XH" in recent
        # the unit's feed changed: the occurrence is marked done, with a new ETag
        after = httpx.get(feed_url)
        assert after.headers["etag"] != before.headers["etag"]
        assert after.text.count("SUMMARY:✔ Việc số 1") == 1
        assert "SUMMARY:⚠ Quá hạn: Việc số 1" not in after.text
        again = httpx.get(feed_url, headers={"If-None-Match": after.headers["etag"]})
        assert again.status_code == 304  # no change of state, no change of feed
        # a wrong token gets the same 404 as a wrong feed link
        answer = page.goto(f"{server}/pages/{'y' * 43}/units/vhxh")
        assert answer is not None and answer.status == 404
        browser.close()
