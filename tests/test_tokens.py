"""The private-feed token store and ``planflow tokens``."""

from __future__ import annotations

import hmac
import json
import os
import re
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

import planflow.cli.serve  # noqa: F401  (registers `serve` and `tokens` until cli.py imports it)
from planflow.cli.main import cli
from planflow.feeds.tokens import TokenStore, default_tokens_path, hash_secret, subscription_paths
from planflow.plan.errors import PlanError

EXAMPLE = Path(__file__).parents[1] / "examples" / "boy_2025" / "plan.yaml"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_file_mode_0600_and_hash_only(tmp_path: Path) -> None:
    old = os.umask(0)  # even with a permissive umask
    try:
        store = TokenStore()
        token, secret = store.issue("vhxh", label="Lan")
        path = store.save(tmp_path / "deep" / "tokens.json")
    finally:
        os.umask(old)
    assert _mode(path) == 0o600
    text = path.read_text()
    assert secret not in text
    assert len(secret) == 43 and re.fullmatch(r"[A-Za-z0-9_-]+", secret)
    data = json.loads(text)
    assert data["planflow_tokens"] == 1
    assert data["tokens"] == [
        {"id": token.id, "unit": "vhxh", "all": False, "label": "Lan",
         "created": token.created, "sha256": hash_secret(secret)},
    ]  # fmt: skip
    assert list(tmp_path.joinpath("deep").iterdir()) == [path]  # no temporary file left
    # rewriting keeps 0600 even if someone loosened it
    path.chmod(0o644)
    store.save(path)
    assert _mode(path) == 0o600


def test_roundtrip_and_match(tmp_path: Path) -> None:
    store = TokenStore()
    a, secret_a = store.issue("vhxh", label="phone")
    b, secret_b = store.issue("vhxh", label="laptop")
    admin, secret_admin = store.issue(None, all_feeds=True, label="officer")
    store.save(tmp_path / "t.json")
    loaded = TokenStore.load(tmp_path / "t.json")
    assert list(loaded) == [a, b, admin]
    assert loaded.match(secret_a) == a
    assert loaded.match(secret_b) == b
    assert loaded.match(secret_admin) == admin
    assert len({a.id, b.id, admin.id}) == 3
    assert loaded.for_unit("vhxh") == [a, b]
    assert a.opens("vhxh") and not a.opens("vp") and not a.opens(None)
    assert admin.opens(None) and admin.opens("vp")
    assert loaded.match(secret_a[:-1] + ("A" if secret_a[-1] != "A" else "B")) is None
    assert loaded.match("") is None
    assert loaded.match("x" * 10_000) is None
    assert loaded.match("../../etc/passwd") is None
    assert loaded.match(a.sha256) is None  # the stored hash is no key
    assert subscription_paths(a, secret_a, ["vhxh"]) == [f"/feeds/{secret_a}/units/vhxh.ics"]
    assert subscription_paths(admin, "s" * 43, ["a", "b"])[0] == "/feeds/" + "s" * 43 + "/plan.ics"


def test_constant_time_compare_on_every_token(monkeypatch: pytest.MonkeyPatch) -> None:
    store = TokenStore()
    secrets = [store.issue(unit)[1] for unit in ("vhxh", "vp", "ca", "web")]
    calls: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr("planflow.feeds.tokens.hmac.compare_digest", spy)
    assert store.match(secrets[0]) is not None
    assert len(calls) == 4  # no early exit at the first (matching) token
    assert all(a == hash_secret(secrets[0]) for a, _ in calls)
    calls.clear()
    assert store.match("W" * 43) is None
    assert len(calls) == 4


def test_revoke_and_rotate() -> None:
    store = TokenStore()
    a, secret_a = store.issue("vhxh", label="Lan")
    b, secret_b = store.issue("vhxh", label="Minh")
    assert store.revoke(a.id) == a
    assert store.match(secret_a) is None
    assert store.match(secret_b) == b
    new, new_secret = store.rotate(b.id)
    assert (new.id, new.unit, new.label) == (b.id, b.unit, b.label)
    assert new_secret != secret_b
    assert store.match(secret_b) is None
    assert store.match(new_secret) == new
    with pytest.raises(PlanError, match="no token with id"):
        store.revoke(a.id)
    with pytest.raises(PlanError):
        store.rotate("ffffffff")
    with pytest.raises(ValueError, match="one unit"):
        store.issue(None)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"planflow_tokens": 2, "tokens": []}',
        '{"planflow_tokens": 1}',
        '{"planflow_tokens": 1, "tokens": [{"id": "zz", "unit": "a", "sha256": "00"}]}',
        '{"planflow_tokens": 1, "tokens": [{"id": "0123abcd", "sha256": "' + "0" * 64 + '"}]}',
        '{"planflow_tokens": 1, "tokens": [7]}',
    ],
)
def test_bad_files(tmp_path: Path, text: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(text)
    with pytest.raises(PlanError):
        TokenStore.load(path)


def test_missing_file() -> None:
    assert len(TokenStore.load("/nonexistent/t.json")) == 0
    with pytest.raises(PlanError):
        TokenStore.load("/nonexistent/t.json", missing_ok=False)


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def plan_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "plan"
    folder.mkdir()
    shutil.copyfile(EXAMPLE, folder / "plan.yaml")
    return folder


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_issue_list_revoke_rotate(plan_dir: Path) -> None:
    path = default_tokens_path(plan_dir / "plan.yaml")
    assert path == plan_dir / "plan.tokens.json"
    base = "https://lich.example.vn"
    code, out, err = _run("tokens", str(plan_dir), "--unit", "vhxh", "--label", "Lan",
                          "--base-url", base)  # fmt: skip
    assert code == 0, err
    secret = re.search(r"https://lich\.example\.vn/feeds/([A-Za-z0-9_-]{43})/units/vhxh\.ics", out)
    assert secret is not None
    assert f"webcal://lich.example.vn/feeds/{secret.group(1)}/units/vhxh.ics" in out
    assert _mode(path) == 0o600
    assert secret.group(1) not in path.read_text()
    assert "shown only now" in err

    # no option: every unit without a token gets one; again: nothing to do
    code, out, _ = _run("tokens", str(plan_dir))
    assert code == 0
    store = TokenStore.load(path)
    units = {t.unit for t in store}
    assert len(store) == len(units) and "vp" in units
    assert len(store.for_unit("vhxh")) == 1
    code, _, err = _run("tokens", str(plan_dir))
    assert code == 0 and "every unit has a token" in err

    code, out, _ = _run("tokens", str(plan_dir), "--all", "--label", "văn phòng")
    assert code == 0 and "/plan.ics" in out
    code, out, err = _run("tokens", str(plan_dir), "--list")
    assert code == 0
    store = TokenStore.load(path)
    for token in store:
        assert token.id in out
        assert token.sha256 not in out
    assert secret.group(1) not in out
    assert "* (all feeds)" in out and "văn phòng" in out

    lan = next(t for t in store if t.label == "Lan")
    code, out, _ = _run("tokens", str(plan_dir), "--rotate", lan.id)
    assert code == 0 and "old secret no longer works" in out
    rotated = TokenStore.load(path)
    assert rotated.match(secret.group(1)) is None
    code, out, _ = _run("tokens", str(plan_dir), "--revoke", lan.id)
    assert code == 0 and f"revoked {lan.id}" in out
    assert lan.id not in {t.id for t in TokenStore.load(path)}
    code, _, err = _run("tokens", str(plan_dir), "--revoke", lan.id)
    assert code == 1 and "no token with id" in err


def test_cli_errors(plan_dir: Path) -> None:
    code, _, err = _run("tokens", str(plan_dir), "--unit", "vhhx")
    assert code == 2 and "vhxh" in err
    code, _, err = _run("tokens", str(plan_dir), "--list", "--revoke", "x")
    assert code == 2
    code, _, err = _run("tokens", str(plan_dir), "--tokens", str(plan_dir / "plan.yaml"))
    assert code == 2 and "cannot be the plan file" in err
    assert not (plan_dir / "plan.tokens.json").exists()
    code, _, err = _run("tokens", str(plan_dir), "--list")
    assert code == 0 and "no tokens yet" in err
