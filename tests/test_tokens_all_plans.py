"""``planflow tokens WORKSPACE --all-plans --links FILE``: a token for every unit without
one in every plan (each plan's own tokens file), the links in a 0600 sheet, a summary.

Oracles: the unit ids read from the plan's YAML (units, groups, the shared ``sonv``),
the hashes in each tokens file, and the workspace app asked for the sheet's links.
"""

from __future__ import annotations

import csv
import stat
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("openpyxl")
from click.testing import CliRunner
from starlette.testclient import TestClient
from tests.workspaces import commune, example_data, write

from planflow.cli.main import cli
from planflow.feeds.tokens import TokenStore
from planflow.workspace.app import create_workspace_app

BASE = "https://lich.tinh.example.vn"
HEADINGS_VI = ["Mã kế hoạch", "Kế hoạch", "Mã đơn vị", "Đơn vị", "Mã token",
               "Đường dẫn lịch (https)", "Đường dẫn lịch (webcal)", "Trang của đơn vị"]  # fmt: skip


def _unit_ids() -> set[str]:
    data = example_data()
    return {u["id"] for u in data["units"]} | {g["id"] for g in data["groups"]} | {"sonv"}


@pytest.fixture
def province(tmp_path: Path) -> Path:
    return write(tmp_path / "tinh", {f"c{i:04d}": commune(i) for i in (1, 2, 3)})


def _tokens(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["tokens", *args])
    return result.exit_code, result.stdout, result.stderr


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_unit_of_every_plan_csv(province: Path, tmp_path: Path) -> None:
    units = _unit_ids()
    code, _, err = _tokens(str(province), "--plan", "c0001", "--unit", "vhxh")
    assert code == 0, err
    sheet = tmp_path / "links.csv"
    code, out, err = _tokens(str(province), "--all-plans", "--links", str(sheet),
                             "--base-url", BASE, "--label", "đợt 1", "--lang", "vi")  # fmt: skip
    assert code == 0, err
    assert _mode(sheet) == 0o600
    with sheet.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == HEADINGS_VI
    by_plan: dict[str, set[str]] = {}
    for plan_id, _title, unit, _name, _id, feed, webcal, page in rows[1:]:
        by_plan.setdefault(plan_id, set()).add(unit)
        assert feed == f"{BASE}/{plan_id}/feeds/{feed.split('/')[5]}/units/{unit}.ics"
        assert webcal == "webcal://" + feed.removeprefix("https://")
        assert page == f"{BASE}/{plan_id}/pages/{feed.split('/')[5]}/units/{unit}"
    # c0001's vhxh had a token already; everything else got one, once
    assert by_plan == {"c0001-2025": units - {"vhxh"}, "c0002-2025": units,
                       "c0003-2025": units}  # fmt: skip
    assert len(rows) - 1 == 3 * len(units) - 1
    for folder, plan_id in (("c0001", "c0001-2025"), ("c0002", "c0002-2025")):
        store = TokenStore.load(province / folder / "plan.tokens.json")
        assert _mode(province / folder / "plan.tokens.json") == 0o600
        assert {t.unit for t in store} == units and len(store) == len(units)
        secrets = [r[5].split("/")[5] for r in rows[1:] if r[0] == plan_id]
        assert all(store.match(s) is not None for s in secrets)
        assert all(store.match(s).label == "đợt 1" for s in secrets)  # type: ignore[union-attr]
    assert "c0002-2025" in out and str(len(units)) in out
    assert "tokens issued" not in err and str(3 * len(units) - 1) in err  # Vietnamese

    client = TestClient(create_workspace_app(province))
    c2_vhxh = next(r for r in rows[1:] if r[0] == "c0002-2025" and r[2] == "vhxh")
    feed, page = c2_vhxh[5].removeprefix(BASE), c2_vhxh[7].removeprefix(BASE)
    response = client.get(feed)
    assert response.status_code == 200 and "Kế hoạch xã số 2".encode() in response.content
    assert client.get(page).status_code == 200 and "Phòng Văn hóa - Xã hội" in client.get(page).text
    assert client.get(feed.replace("c0002-2025", "c0003-2025")).status_code == 404
    c3_sonv = next(r for r in rows[1:] if r[0] == "c0003-2025" and r[2] == "sonv")
    assert client.get(c3_sonv[5].removeprefix(BASE)).status_code == 200

    # again: nothing to issue, no sheet written, tokens files untouched
    again = tmp_path / "again.csv"
    before = (province / "c0003" / "plan.tokens.json").read_bytes()
    code, _, err = _tokens(str(province), "--all-plans", "--links", str(again))
    assert code == 0 and "every unit of every plan has a token already" in err
    assert not again.exists()
    assert (province / "c0003" / "plan.tokens.json").read_bytes() == before


def test_xlsx_sheet_and_a_broken_plan(province: Path, tmp_path: Path) -> None:
    """A plan with an error is told (FILE:LINE) and skipped, exit 1; the others get
    their tokens, in an xlsx sheet under the workspace's name."""
    from openpyxl import load_workbook

    broken = province / "c0003" / "plan.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "\n  - nope: [\n", encoding="utf-8")
    sheet = tmp_path / "links.xlsx"
    code, out, err = _tokens(str(province), "--all-plans", "--links", str(sheet),
                             "--base-url", BASE, "--lang", "vi")  # fmt: skip
    assert code == 1
    assert f"{broken}:" in err or "c0003/plan.yaml:" in err
    assert _mode(sheet) == 0o600
    ws = load_workbook(sheet).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == "Tỉnh thử" and values[2] == HEADINGS_VI
    plans = {row[0] for row in values[3:]}
    assert plans == {"c0001-2025", "c0002-2025"}
    assert len(values) - 3 == 2 * len(_unit_ids())
    assert not (province / "c0003" / "plan.tokens.json").exists()
    assert "c0003" not in out


def test_all_plans_refusals(province: Path, tmp_path: Path) -> None:
    """Usage errors (exit 2) that write nothing."""
    taken = tmp_path / "taken.csv"
    taken.write_text("earlier secrets\n", encoding="utf-8")
    cases = [
        (["--all-plans"], "--links"),
        (["--links", str(tmp_path / "x.csv")], "--all-plans"),
        (["--all-plans", "--links", str(tmp_path / "x.csv"), "--plan", "c0001"], "--plan"),
        (["--all-plans", "--links", str(tmp_path / "x.csv"), "--unit", "vhxh"], "--unit"),
        (["--all-plans", "--links", str(tmp_path / "x.txt")], ".csv or .xlsx"),
        (["--all-plans", "--links", str(taken)], "exists"),
    ]
    for args, said in cases:
        code, _, err = _tokens(str(province), *args)
        assert code == 2 and said in err, (args, err)
    code, _, err = _tokens(
        str(province / "c0001"), "--all-plans", "--links", str(tmp_path / "x.csv")
    )
    assert code == 2 and "workspace" in err
    assert taken.read_text(encoding="utf-8") == "earlier secrets\n"
    assert not list(province.glob("*/plan.tokens.json")) and not list(tmp_path.glob("x.*"))


def test_a_plan_id_twice_is_skipped_as_the_server_skips_it(tmp_path: Path) -> None:
    """The server serves the first plan (in folder order) of an id; the second gets no
    tokens and is named, exit 1."""
    root = write(tmp_path / "tinh", {"a": commune(1), "b": commune(1), "c": commune(2)})
    sheet = tmp_path / "links.csv"
    code, _, err = _tokens(str(root), "--all-plans", "--links", str(sheet))
    assert code == 1 and "b/plan.yaml: plan id 'c0001-2025' is also the id of a/plan.yaml" in err
    assert (root / "a" / "plan.tokens.json").exists() and (root / "c" / "plan.tokens.json").exists()
    assert not (root / "b" / "plan.tokens.json").exists()
    with sheet.open(encoding="utf-8-sig", newline="") as stream:
        plans = [row[0] for row in csv.reader(stream)][1:]
    assert sorted(set(plans)) == ["c0001-2025", "c0002-2025"]
    assert plans.count("c0001-2025") == len(_unit_ids())
