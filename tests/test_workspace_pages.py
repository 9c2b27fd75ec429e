"""The unit pages of ``planflow serve WORKSPACE``: ``/PLAN-ID/pages/<token>/units/<unit>``.

Each plan with a tokens file beside it has the single-plan server's pages (its own
tokens, CSRF key and state); a plan without one has none. The oracle is the store
itself (what was recorded, under which plan id) and the tokens written here.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("starlette")
pytest.importorskip("jinja2")
from click.testing import CliRunner
from starlette.testclient import TestClient

from planflow.cli.main import cli
from planflow.feeds.progress import DONE, OVERDUE
from planflow.feeds.tokens import TokenStore
from planflow.jobs.pages import csrf_token, page_key
from planflow.jobs.year import Year
from planflow.run.store import Store
from planflow.workspace.app import create_workspace_app
from year_support import open_occurrences, page_csrf, plan_text, write_plan

NOW = datetime(2025, 3, 20, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
PLANS = ("xa-a", "xa-b", "xa-c")  # folders; plan ids xa-a-2025 …; xa-c has no tokens


@pytest.fixture
def province(tmp_path: Path) -> dict[str, object]:
    root = tmp_path / "tinh"
    for folder in PLANS:
        write_plan(root / folder, plan_text(4, plan_id=f"{folder}-2025"))
    secrets: dict[str, object] = {"root": root}
    for folder in PLANS[:2]:
        tokens = TokenStore()
        token, secret = tokens.issue("vhxh", label=f"VH-XH {folder}")
        tokens.save(root / folder / "plan.tokens.json")
        secrets[folder] = (token, secret)
    return secrets


def _app(province: dict[str, object], **options: object) -> TestClient:
    app = create_workspace_app(province["root"], clock=lambda: NOW, **options)  # type: ignore[arg-type]
    return TestClient(app, follow_redirects=False)


def _done(path: Path, db: str | None = None) -> list[tuple[str, str | None]]:
    with Year.open(path, db) as year:
        return sorted((r.occurrence, r.who) for r in year.store.history(year.plan.id))


def test_each_plan_has_its_own_pages_and_state(province: dict[str, object]) -> None:
    """A click on plan A's page lands in A's .planflow/state.db, where ``planflow done``
    records too; A's token opens nothing of B; C (no tokens file) has no pages."""
    root: Path = province["root"]  # type: ignore[assignment]
    client = _app(province)
    token_a, secret_a = province["xa-a"]  # type: ignore[misc]
    _, secret_b = province["xa-b"]  # type: ignore[misc]
    base = f"/xa-a-2025/pages/{secret_a}/units/vhxh"
    page = client.get(base)
    assert page.status_code == 200 and "Phòng Văn hóa - Xã hội" in page.text
    assert "viec-1#3" in open_occurrences(page.text)
    # the key of A's folder, as the single-plan server keeps it
    csrf = page_csrf(page.text)
    assert csrf == csrf_token(page_key(root / "xa-a"), token_a, "vhxh")
    for path in (
        f"/xa-b-2025/pages/{secret_a}/units/vhxh",  # A's token, B's page
        f"/xa-c-2025/pages/{secret_a}/units/vhxh",  # C has no tokens: no pages
        f"/xa-z-2025/pages/{secret_a}/units/vhxh",  # no such plan
        f"/xa-a-2025/pages/{secret_a}/units/radio",
    ):  # not A's token's unit
        assert client.get(path).status_code == 404, path  # fmt: skip
    assert client.post(f"/xa-c-2025/pages/{secret_a}/units/vhxh/done",
                       data={"csrf": csrf, "occurrence": "viec-1#3"}).status_code == 404  # fmt: skip
    ok = client.post(base + "/done", data={"csrf": csrf, "occurrence": "viec-1#3"})
    assert ok.status_code == 303
    assert ok.headers["location"] == base + "?ghi-nhan=viec-1%233"
    assert "viec-1#3" not in open_occurrences(client.get(ok.headers["location"]).text)
    assert _done(root / "xa-a" / "plan.yaml") == [("viec-1#3", "VH-XH xa-a (trang đơn vị)")]
    assert _done(root / "xa-b" / "plan.yaml") == []
    # the command line records into the same store: the page shows it done
    result = CliRunner().invoke(cli, ["done", str(root / "xa-b"), "viec-1#2", "--now",
                                      "2025-03-20T09:00"])  # fmt: skip
    assert result.exit_code == 0, result.output
    page_b = client.get(f"/xa-b-2025/pages/{secret_b}/units/vhxh").text
    assert "viec-1#3" in open_occurrences(page_b) and "viec-1#2" not in open_occurrences(page_b)


def test_one_database_for_every_plan(province: dict[str, object], db_url: str) -> None:
    """``--db``: both plans' clicks in one database, each under its plan id."""
    root: Path = province["root"]  # type: ignore[assignment]
    client = _app(province, db=db_url)
    for folder, occurrence in (("xa-a", "viec-4#2"), ("xa-b", "viec-1#1")):
        _, secret = province[folder]  # type: ignore[misc]
        base = f"/{folder}-2025/pages/{secret}/units/vhxh"
        csrf = page_csrf(client.get(base).text)
        answer = client.post(base + "/done", data={"csrf": csrf, "occurrence": occurrence})
        assert answer.status_code == 303
    with Store(db_url) as store:
        assert [r.occurrence for r in store.history("xa-a-2025")] == ["viec-4#2"]
        assert [r.occurrence for r in store.history("xa-b-2025")] == ["viec-1#1"]
    assert not (root / "xa-a" / ".planflow" / "state.db").exists()


def test_the_feeds_mark_what_the_pages_record(province: dict[str, object]) -> None:
    """A's private expanded feed shows the click at once; C's public feed has no marks."""
    client = _app(province)
    _, secret = province["xa-a"]  # type: ignore[misc]
    feed = f"/xa-a-2025/feeds/{secret}/expanded/units/vhxh.ics"
    before = client.get(feed).content.decode()
    # on 20/03 the March occurrences (due 14/03) of what vhxh leads (viec-1, viec-4)
    # and coordinates (viec-3) are overdue
    assert f"SUMMARY:{DONE}" not in before and before.count(f"SUMMARY:{OVERDUE}") == 3
    base = f"/xa-a-2025/pages/{secret}/units/vhxh"
    csrf = page_csrf(client.get(base).text)
    answer = client.post(base + "/done", data={"csrf": csrf, "occurrence": "viec-1#3"})
    assert answer.status_code == 303
    after = client.get(feed).content.decode()
    assert after.count(f"SUMMARY:{DONE}") == 1 and after.count(f"SUMMARY:{OVERDUE}") == 2
    assert "⚠ Quá hạn" not in client.get("/xa-c-2025/feeds/expanded/units/vhxh.ics").text


def test_a_broken_tokens_file_closes_that_plan_only(province: dict[str, object]) -> None:
    root: Path = province["root"]  # type: ignore[assignment]
    client = _app(province)
    _, secret_a = province["xa-a"]  # type: ignore[misc]
    _, secret_b = province["xa-b"]  # type: ignore[misc]
    base = f"/xa-a-2025/pages/{secret_a}/units/vhxh"
    csrf = page_csrf(client.get(base).text)
    tokens = root / "xa-a" / "plan.tokens.json"
    good = tokens.read_bytes()
    tokens.write_text("{ not json", encoding="utf-8")
    server = client.app.state.workspace.in_memory("xa-a-2025")  # type: ignore[attr-defined]
    server.refresh(force=True)
    assert client.get(base).status_code == 503
    assert client.post(base + "/done", data={"csrf": csrf, "occurrence": "viec-1#3"}
                       ).status_code == 503  # fmt: skip
    assert client.get(f"/xa-a-2025/feeds/{secret_a}/units/vhxh.ics").status_code == 503
    assert client.get(f"/xa-b-2025/pages/{secret_b}/units/vhxh").status_code == 200
    tokens.unlink()
    server.refresh(force=True)
    assert client.get(base).status_code == 503
    tokens.write_bytes(good)
    server.refresh(force=True)
    assert client.get(base).status_code == 200
    assert _done(root / "xa-a" / "plan.yaml") == []


def test_tokens_made_while_serving_open_pages(province: dict[str, object]) -> None:
    """C turns private as soon as ``planflow tokens`` writes its file (never stays public)."""
    root: Path = province["root"]  # type: ignore[assignment]
    client = _app(province)
    assert client.get("/xa-c-2025/feeds/units/vhxh.ics").status_code == 200
    tokens = TokenStore()
    _, secret = tokens.issue("vhxh")
    tokens.save(root / "xa-c" / "plan.tokens.json")
    client.app.state.workspace.in_memory("xa-c-2025").refresh(force=True)  # type: ignore[attr-defined]
    assert client.get("/xa-c-2025/feeds/units/vhxh.ics").status_code == 404
    assert client.get(f"/xa-c-2025/pages/{secret}/units/vhxh").status_code == 200


def test_an_edited_plan_and_an_evicted_one(province: dict[str, object]) -> None:
    """The pages follow the plan version the feeds serve; a plan dropped from memory is
    loaded again with its pages, and the forms made before still work."""
    root: Path = province["root"]  # type: ignore[assignment]
    client = _app(province, max_plans=1)
    ws = client.app.state.workspace  # type: ignore[attr-defined]
    _, secret_a = province["xa-a"]  # type: ignore[misc]
    _, secret_b = province["xa-b"]  # type: ignore[misc]
    base = f"/xa-a-2025/pages/{secret_a}/units/vhxh"
    csrf = page_csrf(client.get(base).text)
    plan = root / "xa-a" / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("Việc số 1:", "Việc số 1 (sửa):"),
                    encoding="utf-8")  # fmt: skip
    ws.in_memory("xa-a-2025").refresh(force=True, wait=True)
    assert "Việc số 1 (sửa):" in client.get(base).text
    assert client.get(f"/xa-b-2025/pages/{secret_b}/units/vhxh").status_code == 200
    assert ws.live == ["xa-b-2025"]  # A left memory
    answer = client.post(base + "/done", data={"csrf": csrf, "occurrence": "viec-1#1"})
    assert answer.status_code == 303 and ws.live == ["xa-a-2025"]
    assert _done(plan) == [("viec-1#1", "VH-XH xa-a (trang đơn vị)")]


def test_serve_workspace_options(province: dict[str, object]) -> None:
    """--tokens/--state stay refused; a database that cannot be reached is said at once."""
    root = str(province["root"])
    runner = CliRunner()
    refused = runner.invoke(cli, ["serve", root, "--tokens", "t.json"])
    assert refused.exit_code == 2 and "plan.tokens.json" in refused.output
    down = runner.invoke(cli, ["serve", root, "--db", "postgresql://nobody@127.0.0.1:1/x"])
    assert down.exit_code == 1 and "cannot open the state database" in down.output
