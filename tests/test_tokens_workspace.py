"""``planflow tokens`` for a plan of a workspace: the printed links are the routes that
``planflow serve WORKSPACE`` answers (``/PLAN-ID/feeds/…``, ``/PLAN-ID/pages/…``), and
the tokens land in the file that server reads.

The oracle is the workspace app itself, asked for exactly the links the command
printed, and the unit's feed rendered independently (``planflow.feeds.unit_feed``
over the plan loaded from the workspace).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("jinja2")
from click.testing import CliRunner
from icalendar import Calendar
from starlette.testclient import TestClient
from tests.workspaces import commune, write

from planflow.cli.main import cli
from planflow.feeds import unit_feed
from planflow.feeds.tokens import TokenStore
from planflow.workspace import Session, load_member, open_workspace
from planflow.workspace.app import create_workspace_app

BASE = "https://lich.tinh.example.vn"
LINK = re.compile(r"https://lich\.tinh\.example\.vn(/\S+)")
VHXH = "Phòng Văn hóa - Xã hội"


@pytest.fixture
def province(tmp_path: Path) -> Path:
    return write(tmp_path / "tinh", {"c0001": commune(1), "c0002": commune(2)})


def _tokens(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["tokens", *args, "--base-url", BASE])
    return result.exit_code, result.stdout, result.stderr


def _links(out: str) -> list[str]:
    """The paths (after the base URL) of the https links printed, in order."""
    return LINK.findall(out)


def _uids(ics: bytes) -> set[str]:
    return {str(e["UID"]) for e in Calendar.from_ical(ics).walk("VEVENT")}


def _expected_uids(root: Path, folder: str, unit: str) -> set[str]:
    session = Session.open(open_workspace(root), use_cache=False)
    member = next(m for m in session.workspace.members if m.folder_name == folder)
    return _uids(unit_feed(load_member(session, member).plan, unit))


def test_printed_links_answer_from_the_workspace_server(province: Path) -> None:
    """A plan folder of the workspace: its feed and page links carry /c0001-2025/ and
    answer 200 with that unit's calendar and page; another plan's prefix is 404."""
    code, out, err = _tokens(str(province / "c0001"), "--unit", "vhxh")
    assert code == 0, err
    feed, page = _links(out)
    secret = TokenStore.load(province / "c0001" / "plan.tokens.json")
    assert [t.unit for t in secret] == ["vhxh"]  # the file serve WORKSPACE reads
    assert feed.startswith("/c0001-2025/feeds/") and feed.endswith("/units/vhxh.ics")
    assert page.startswith("/c0001-2025/pages/") and page.endswith("/units/vhxh")
    assert f"webcal://lich.tinh.example.vn{feed}" in out
    assert not (province / "c0002" / "plan.tokens.json").exists()

    client = TestClient(create_workspace_app(province))
    response = client.get(feed)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == f"{VHXH} – Kế hoạch xã số 1"
    assert _uids(response.content) == _expected_uids(province, "c0001", "vhxh")
    shown = client.get(page)
    assert shown.status_code == 200 and VHXH in shown.text

    # the same secret: not under another plan's prefix, not without the prefix,
    # not for another unit; c0001's public feeds are closed now it has tokens
    for path in (
        feed.replace("/c0001-2025/", "/c0002-2025/"),
        page.replace("/c0001-2025/", "/c0002-2025/"),
        feed.removeprefix("/c0001-2025"),
        feed.replace("/units/vhxh.ics", "/units/vp.ics"),
        "/c0001-2025/feeds/units/vhxh.ics",
    ):
        assert client.get(path).status_code == 404, path
    assert client.get("/c0002-2025/feeds/units/vhxh.ics").status_code == 200  # still public


def test_workspace_with_plan_option_rotate_and_admin(province: Path) -> None:
    """``tokens WORKSPACE --plan ID`` (folder name or plan id) writes that plan's tokens
    file; --all's plan feed, the shared unit's feed and a rotated secret all answer
    under the prefix, and the old secret no longer does."""
    code, out, err = _tokens(str(province), "--plan", "c0002-2025", "--unit", "sonv")
    assert code == 0, err
    sonv_feed, sonv_page = _links(out)
    code, out, err = _tokens(str(province), "--plan", "c0002", "--all", "--label", "Sở")
    assert code == 0, err
    plan_feed, units_feed, units_page = _links(out)
    assert plan_feed.startswith("/c0002-2025/feeds/") and plan_feed.endswith("/plan.ics")
    assert units_feed.endswith("/units/<unit>.ics") and units_page.endswith("/units/<unit>")
    store = TokenStore.load(province / "c0002" / "plan.tokens.json")
    assert [(t.unit, t.all) for t in store] == [("sonv", False), (None, True)]

    client = TestClient(create_workspace_app(province))
    sonv = client.get(sonv_feed)
    assert sonv.status_code == 200 and "Sở Nội vụ tỉnh".encode() in sonv.content
    assert _uids(sonv.content) == _expected_uids(province, "c0002", "sonv")
    assert client.get(sonv_page).status_code == 200
    assert client.get(plan_feed).status_code == 200
    vhxh = client.get(units_feed.replace("<unit>", "vhxh"))
    assert vhxh.status_code == 200
    assert _uids(vhxh.content) == _expected_uids(province, "c0002", "vhxh")
    assert VHXH in client.get(units_page.replace("<unit>", "vhxh")).text

    sonv_token = next(t for t in store if t.unit == "sonv")
    code, out, err = _tokens(str(province), "--plan", "c0002", "--rotate", sonv_token.id)
    assert code == 0, err
    new_feed, new_page = _links(out)
    assert new_feed != sonv_feed and new_feed.startswith("/c0002-2025/feeds/")
    client = TestClient(create_workspace_app(province))
    assert client.get(new_feed).status_code == 200
    assert client.get(new_page).status_code == 200
    assert client.get(sonv_feed).status_code == 404


def test_workspace_without_workspace_file(tmp_path: Path) -> None:
    """Without planflow-workspace.yaml, ``--plan`` gives the prefixed links; the plan
    folder alone gives the plain ones (it may be served alone) and says how to get the
    others."""
    root = write(tmp_path / "tinh", {"xa-a": commune(1, shared=False),
                                     "xa-b": commune(2, shared=False)}, None)  # fmt: skip
    code, out, err = _tokens(str(root), "--plan", "xa-a", "--unit", "vhxh")
    assert code == 0, err
    feed, page = _links(out)
    client = TestClient(create_workspace_app(root))
    assert client.get(feed).status_code == 200 and client.get(page).status_code == 200
    assert feed.startswith("/c0001-2025/")

    code, out, err = _tokens(str(root / "xa-b"), "--unit", "vhxh")
    assert code == 0, err
    plain, _ = _links(out)
    assert plain.startswith("/feeds/") and plain.endswith("/units/vhxh.ics")
    assert f"planflow tokens {root} --plan xa-b" in err
    served_alone = TestClient(_single_app(root / "xa-b"))
    assert served_alone.get(plain).status_code == 200


def _single_app(folder: Path) -> object:
    from planflow.feeds.server import create_app

    return create_app(folder / "plan.yaml", tokens_path=folder / "plan.tokens.json")


def test_workspace_usage_errors(province: Path, tmp_path: Path) -> None:
    """A workspace without --plan, --tokens with a workspace plan, --plan of a plan
    alone, an unknown plan: usage errors (exit 2) that say what to do, no file written."""
    code, _, err = _tokens(str(province), "--unit", "vhxh")
    assert code == 2 and "--plan ID" in err
    code, _, err = _tokens(str(province / "c0001"), "--tokens", str(tmp_path / "t.json"))
    assert code == 2 and "plan.tokens.json" in err
    code, _, err = _tokens(str(province), "--plan", "c0001", "--tokens", str(tmp_path / "t.json"))
    assert code == 2 and "plan.tokens.json" in err
    code, _, err = _tokens(str(province / "c0001"), "--plan", "c0001")
    assert code == 2 and "single plan" in err
    code, _, err = _tokens(str(province), "--plan", "c0009")
    assert code == 2 and "no plan 'c0009'" in err
    assert not list(province.glob("*/plan.tokens.json")) and not (tmp_path / "t.json").exists()
