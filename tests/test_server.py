"""The feed server, tested over real HTTP: uvicorn on a loopback port in a thread."""

from __future__ import annotations

import gzip
import http.client
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path

import pytest

pytest.importorskip("starlette")
uvicorn = pytest.importorskip("uvicorn")

import planflow.cli.serve  # noqa: F401, E402  (registers `serve` until cli.py imports it)
from planflow import load_plan  # noqa: E402
from planflow.feeds import plan_feed, unit_feed  # noqa: E402
from planflow.feeds.server import accepts_gzip, create_app, etag_matches, parse_http_date  # noqa: E402
from planflow.feeds.tokens import TokenStore  # noqa: E402
from planflow.plan.errors import PlanFileError  # noqa: E402

EXAMPLE = Path(__file__).parents[1] / "examples" / "boy_2025" / "plan.yaml"
MTIME = 1_740_787_200  # 2025-03-01 00:00:00 UTC: the plan file's mtime in these tests


class Live:
    """An app served by uvicorn on 127.0.0.1 (free port) in a thread."""

    def __init__(self, app: object) -> None:
        self.app = app
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        assert not self.thread.is_alive()

    def request(
        self, path: str, method: str = "GET", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, headers=headers or {})
            resp = conn.getresponse()
            body = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
        finally:
            conn.close()


def _plan_copy(folder: Path) -> Path:
    path = folder / "plan.yaml"
    shutil.copyfile(EXAMPLE, path)
    os.utime(path, (MTIME, MTIME))
    return path


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _plan_copy(tmp_path_factory.mktemp("public"))


@pytest.fixture(scope="module")
def live(plan_file: Path) -> Iterator[Live]:
    # a fresh state file: with --state, Last-Modified is the plan file's mtime at first
    server = Live(create_app(plan_file, state_path=plan_file.parent / "state.json", settle=0.01))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def plan(plan_file: Path):  # type: ignore[no-untyped-def]
    return load_plan(plan_file)


# ----------------------------------------------------------------------- 200, HEAD


def test_plan_feed_is_served_as_exported(live: Live, plan) -> None:  # type: ignore[no-untyped-def]
    status, headers, body = live.request("/feeds/plan.ics")
    assert status == 200
    assert body == plan_feed(plan)
    assert headers["content-type"] == "text/calendar; charset=utf-8"
    assert re.fullmatch(r'"[0-9a-f]{40}"', headers["etag"])  # strong
    assert headers["last-modified"] == formatdate(MTIME, usegmt=True)
    assert headers["vary"] == "Accept-Encoding"
    assert "content-encoding" not in headers
    assert int(headers["content-length"]) == len(body)


def test_unit_feed(live: Live, plan) -> None:  # type: ignore[no-untyped-def]
    status, headers, body = live.request("/feeds/units/vhxh.ics")
    assert status == 200
    assert body == unit_feed(plan, "vhxh")
    other = live.request("/feeds/units/vp.ics")
    assert other[0] == 200
    assert other[1]["etag"] != headers["etag"]


def test_expanded_feed(live: Live, plan) -> None:  # type: ignore[no-untyped-def]
    status, _, body = live.request("/feeds/expanded/units/vhxh.ics")
    assert status == 200
    assert body == unit_feed(plan, "vhxh", expand=True)
    assert b"RRULE" not in body


def test_head(live: Live) -> None:
    _, full, body = live.request("/feeds/units/vhxh.ics")
    status, headers, empty = live.request("/feeds/units/vhxh.ics", "HEAD")
    assert status == 200
    assert empty == b""
    assert headers["content-length"] == str(len(body))
    assert headers["etag"] == full["etag"]
    assert headers["last-modified"] == full["last-modified"]
    assert live.request("/", "HEAD")[0] == 200
    assert live.request("/feeds/units/nope.ics", "HEAD")[0] == 404


def test_gzip(live: Live) -> None:
    _, plain, body = live.request("/feeds/plan.ics")
    status, headers, zipped = live.request(
        "/feeds/plan.ics", headers={"Accept-Encoding": "br, gzip;q=0.8"}
    )
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert gzip.decompress(zipped) == body
    assert len(zipped) < len(body) / 4
    assert headers["etag"] == plain["etag"][:-1] + '-gzip"'
    assert headers["vary"] == "Accept-Encoding"
    refused = live.request("/feeds/plan.ics", headers={"Accept-Encoding": "gzip;q=0, br"})
    assert "content-encoding" not in refused[1]
    assert refused[2] == body
    head = live.request("/feeds/plan.ics", "HEAD", headers={"Accept-Encoding": "gzip"})
    assert head[1]["content-length"] == str(len(zipped))
    assert head[2] == b""


def test_accepts_gzip() -> None:
    assert accepts_gzip("gzip")
    assert accepts_gzip("deflate, GZIP")
    assert accepts_gzip("*")
    assert accepts_gzip("x-gzip;q=0.5")
    assert not accepts_gzip("gzip;q=0")
    assert not accepts_gzip("gzip;q=0.000")
    assert not accepts_gzip("*, gzip;q=0")
    assert not accepts_gzip("identity")
    assert not accepts_gzip("")
    assert not accepts_gzip(None)
    assert not accepts_gzip("gzip;q=nonsense")


# --------------------------------------------------------------- conditional GETs


def test_if_none_match(live: Live) -> None:
    path = "/feeds/units/vhxh.ics"
    _, headers, _ = live.request(path)
    etag = headers["etag"]
    status, h304, body = live.request(path, headers={"If-None-Match": etag})
    assert status == 304
    assert body == b""
    assert h304["etag"] == etag
    assert h304["last-modified"] == headers["last-modified"]
    assert h304["vary"] == "Accept-Encoding"
    assert live.request(path, headers={"If-None-Match": '"0123"'})[0] == 200
    assert live.request(path, headers={"If-None-Match": "*"})[0] == 304
    assert live.request(path, headers={"If-None-Match": f'"x", W/{etag}'})[0] == 304
    assert live.request(path, "HEAD", headers={"If-None-Match": etag})[0] == 304
    # another feed's tag does not match
    other = live.request("/feeds/units/vp.ics")[1]["etag"]
    assert live.request(path, headers={"If-None-Match": other})[0] == 200
    # gzip variant: its own tag matches; the identity tag of the same bytes too
    zipped = {"Accept-Encoding": "gzip"}
    gz_tag = live.request(path, headers=zipped)[1]["etag"]
    assert gz_tag != etag
    assert live.request(path, headers={**zipped, "If-None-Match": gz_tag})[0] == 304
    assert live.request(path, headers={"If-None-Match": gz_tag})[0] == 304
    # If-None-Match wins over If-Modified-Since
    later = formatdate(MTIME + 3600, usegmt=True)
    mismatch = {"If-None-Match": '"0123"', "If-Modified-Since": later}
    assert live.request(path, headers=mismatch)[0] == 200


def test_if_modified_since(live: Live) -> None:
    path = "/feeds/plan.ics"

    def status(value: str) -> int:
        return live.request(path, headers={"If-Modified-Since": value})[0]

    assert status(formatdate(MTIME - 1, usegmt=True)) == 200  # older
    assert status(formatdate(MTIME, usegmt=True)) == 304  # equal
    assert status(formatdate(MTIME + 86400, usegmt=True)) == 304  # newer (in the past)
    assert status("Sat, 01 Mar 2025 00:00:00 GMT") == 304
    assert status("Saturday, 01-Mar-25 00:00:00 GMT") == 304  # RFC 850
    assert status("not a date") == 200
    assert status("") == 200
    assert status("Mon, 99 Foo 2025 99:99:99 GMT") == 200
    assert status(formatdate(time.time() + 86400 * 365, usegmt=True)) == 200  # future: ignored


def test_parse_http_date() -> None:
    assert parse_http_date("Sat, 01 Mar 2025 00:00:00 GMT") == MTIME
    assert parse_http_date("Sat Mar  1 00:00:00 2025") == MTIME  # asctime
    assert parse_http_date("garbage") is None
    assert etag_matches(" * ", ['"a"'])
    assert not etag_matches('"b"', ['"a"'])


# ------------------------------------------------------------------------- 404s


TRAVERSALS = [
    "/feeds/units/nope.ics",
    "/feeds/units/VHXH.ics",
    "/feeds/units/vhxh",
    "/feeds/units/vhxh.ics/",
    "/feeds/units/.ics",
    "/feeds/units/../plan.ics",
    "/feeds/units/..%2Fplan.ics",
    "/feeds/units/%2e%2e/plan.ics",
    "/feeds/units/%2e%2e%2f%2e%2e%2fetc%2fpasswd.ics",
    "/feeds/../feeds/plan.ics",
    "/feeds/%2e%2e/feeds/plan.ics",
    "/feeds/units/..%5c..%5cplan.ics",
    "/feeds/units/vhxh%00.ics",
    "/feeds/units/vhxh%2F.ics",
    "/feeds/units/%2Fetc%2Fpasswd.ics",
    "/feeds/units/%3Cscript%3E.ics",
    "/feeds/units/%ff%fe.ics",
    "/feeds/units/v%20hxh.ics",
    "/feeds/units/vhxh.ics%00",
    "//feeds/plan.ics",
    "/feeds//plan.ics",
    "/feeds/plan.ics/..",
    "/feeds/x/plan.ics",
    "/feeds/units/" + "a" * 6000 + ".ics",
    "/" + "feeds/" * 1000,
    "/plan.ics",
    "/feeds",
    "/favicon.ico",
    "/.planflow-feed-state.json",
    "/plan.yaml",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_not_found(live: Live, path: str) -> None:
    status, headers, body = live.request(path)
    assert status == 404
    assert body == "404 Not Found / Không tìm thấy\n".encode()
    assert headers["cache-control"] == "no-store"


def test_index_lists_every_unit(live: Live, plan) -> None:  # type: ignore[no-untyped-def]
    status, headers, body = live.request("/", headers={"Host": "lich.example.vn"})
    page = body.decode()
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    for unit in plan.units:
        assert f"http://lich.example.vn/feeds/units/{unit.id}.ics" in page
        assert f"webcal://lich.example.vn/feeds/units/{unit.id}.ics" in page
    assert "https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Flich.example.vn" in page
    assert "https://outlook.live.com/calendar/0/addfromweb?url=" in page
    assert "&amp;name=" in page
    assert "Đăng ký" in page and "Subscribe" in page


def test_index_escapes_everything(tmp_path: Path) -> None:
    path = _plan_copy(tmp_path)
    text = path.read_text(encoding="utf-8")
    title = re.search(r"^  title: .*$", text, re.M)
    assert title is not None
    path.write_text(text.replace(title.group(0), '  title: "<script>alert(1)</script> & co"'))
    live = Live(create_app(path, base_url='https://x.vn/"><b>', settle=0.01))
    try:
        page = live.request("/")[2].decode()
    finally:
        live.stop()
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page


# ------------------------------------------------------------------------ tokens


@pytest.fixture
def private(tmp_path: Path) -> Iterator[tuple[Live, Path, dict[str, str]]]:
    path = _plan_copy(tmp_path)
    tokens_path = tmp_path / "secret" / "tokens.json"
    store = TokenStore()
    secrets = {}
    for name, unit in (("lan", "vhxh"), ("phone", "vhxh"), ("vp", "vp")):
        token, secret = store.issue(unit, label=name)
        secrets[name] = secret
        secrets[name + ".id"] = token.id
    secrets["admin"] = store.issue(None, all_feeds=True)[1]
    store.save(tokens_path)
    live = Live(create_app(path, tokens_path=tokens_path, check_interval=0.05, settle=0.01))
    yield live, tokens_path, secrets
    live.stop()


def test_tokens_required(private: tuple[Live, Path, dict[str, str]]) -> None:
    live, _, s = private
    assert live.request("/feeds/units/vhxh.ics")[0] == 404
    assert live.request("/feeds/plan.ics")[0] == 404
    status, headers, body = live.request(f"/feeds/{s['lan']}/units/vhxh.ics")
    assert status == 200
    assert body.startswith(b"BEGIN:VCALENDAR")
    assert headers["cache-control"] == "private, no-cache"
    assert live.request(f"/feeds/{s['phone']}/units/vhxh.ics")[0] == 200  # several per unit
    assert live.request(f"/feeds/{s['lan']}/expanded/units/vhxh.ics")[0] == 200
    assert live.request(f"/feeds/{s['admin']}/plan.ics")[0] == 200
    assert live.request(f"/feeds/{s['admin']}/units/vp.ics")[0] == 200
    assert live.request(f"/feeds/{s['admin']}/units/vhxh.ics", "HEAD")[0] == 200


def test_tokens_rejected_like_unknown_paths(private: tuple[Live, Path, dict[str, str]]) -> None:
    live, _, s = private
    unknown = live.request("/no/such/path")
    wrong = [
        f"/feeds/{s['lan']}/units/vp.ics",  # another unit's feed
        f"/feeds/{s['lan']}/plan.ics",  # plan feed needs an admin token
        f"/feeds/{s['lan'][:-1]}x/units/vhxh.ics",
        f"/feeds/{s['lan'].upper()}/units/vhxh.ics",
        "/feeds/" + "A" * 43 + "/units/vhxh.ics",
        f"/feeds/{s['lan']}%2Funits/vhxh.ics",
        f"/feeds/{s['lan.id']}/units/vhxh.ics",  # the id is not the secret
        f"/feeds/{s['admin']}/units/nope.ics",
        "/feeds/" + "a" * 5000 + "/units/vhxh.ics",
    ]
    for path in wrong:
        status, headers, body = live.request(path)
        assert (status, body) == (unknown[0], unknown[2]), path
        assert headers == {**unknown[1], "date": headers["date"]}, path


def test_private_index_leaks_no_link(private: tuple[Live, Path, dict[str, str]]) -> None:
    live, tokens_path, s = private
    page = live.request("/")[2].decode()
    assert "riêng tư" in page and "private" in page
    assert "/feeds/" not in page and "webcal" not in page
    secrets = [v for k, v in s.items() if not k.endswith(".id")]
    for secret in secrets:
        assert secret not in page
    assert all(secret not in tokens_path.read_text() for secret in secrets)


def test_revoke_and_rotate_while_serving(private: tuple[Live, Path, dict[str, str]]) -> None:
    live, tokens_path, s = private
    store = TokenStore.load(tokens_path)
    store.revoke(s["lan.id"])
    _, new_secret = store.rotate(s["vp.id"])
    store.save(tokens_path)
    time.sleep(0.1)
    assert _poll(live, f"/feeds/{s['lan']}/units/vhxh.ics", 404)
    assert live.request(f"/feeds/{s['phone']}/units/vhxh.ics")[0] == 200
    assert live.request(f"/feeds/{s['vp']}/units/vp.ics")[0] == 404
    assert live.request(f"/feeds/{new_secret}/units/vp.ics")[0] == 200
    # a broken tokens file closes every feed (fails closed), until it is good again
    good = tokens_path.read_bytes()
    tokens_path.write_text("{not json")
    assert _poll(live, f"/feeds/{new_secret}/units/vp.ics", 503)
    assert live.request(f"/feeds/{s['phone']}/units/vhxh.ics")[0] == 503
    assert live.request("/feeds/units/vhxh.ics")[0] == 503  # never public
    tokens_path.write_bytes(good)
    assert _poll(live, f"/feeds/{new_secret}/units/vp.ics", 200)


def _poll(live: Live, path: str, want: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if live.request(path)[0] == want:
            return True
        time.sleep(0.05)
    return False


# ------------------------------------------------------------------- concurrency


def test_concurrent_clients(live: Live) -> None:
    etag = live.request("/feeds/plan.ics")[1]["etag"]
    variants = [
        ("/feeds/plan.ics", {}, 200),
        ("/feeds/plan.ics", {"If-None-Match": etag}, 304),
        ("/feeds/units/vhxh.ics", {"Accept-Encoding": "gzip"}, 200),
        ("/feeds/units/nope.ics", {}, 404),
        ("/feeds/expanded/units/ca.ics", {}, 200),
    ]
    errors: list[str] = []
    counts = [0] * 50

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=30)
        try:
            for i in range(20):
                path, headers, want = variants[(n + i) % len(variants)]
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status != want:
                    errors.append(f"{path}: {resp.status}")
                counts[n] += 1
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sum(counts) == 1000


# ------------------------------------------------------------------------ reload


def test_reload_and_keep_last_good(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = _plan_copy(tmp_path)
    live = Live(create_app(path, check_interval=0.05, settle=0.05))
    try:
        _, first, body = live.request("/feeds/units/vhxh.ics")
        _, other, _ = live.request("/feeds/units/ca.ics")
        assert "Phiên bản mới".encode() not in body
        text = path.read_text(encoding="utf-8")
        old_title = 'title: "Tổ chức triển khai thực hiện Đề án'  # a task vhxh leads
        assert old_title in text
        edited = text.replace(old_title, 'title: "Phiên bản mới Đề án', 1)
        path.write_text(edited, encoding="utf-8")
        os.utime(path, (MTIME - 86400, MTIME - 86400))  # mtime moved backwards
        _reloaded(live)
        status, _, body2 = live.request("/feeds/plan.ics")
        assert status == 200
        assert "Phiên bản mới".encode() in body2
        _, second, _ = live.request("/feeds/units/vhxh.ics")
        assert second["etag"] != first["etag"]
        # changed bytes: Last-Modified moves on, never back
        before, after = (parse_http_date(h["last-modified"]) for h in (first, second))
        assert before is not None and after is not None and after > before
        # a feed whose bytes did not change keeps its ETag and Last-Modified
        _, same, _ = live.request("/feeds/units/ca.ics")
        if same["etag"] == other["etag"]:
            assert same["last-modified"] == other["last-modified"]
        good = live.request("/feeds/plan.ics")[1]["etag"]

        caplog.set_level(logging.ERROR, logger="planflow.feeds.server")
        path.write_text(edited.replace("lead: vhxh", "lead: vhhx", 1), encoding="utf-8")
        _reloaded(live)
        status, kept, body3 = live.request("/feeds/plan.ics")
        assert status == 200
        assert kept["etag"] == good
        assert body3 == body2
        logged = "\n".join(r.getMessage() for r in caplog.records)
        assert re.search(rf"{re.escape(str(path))}:\d+:\d+: .*vhhx", logged), logged
        assert "last good version" in logged

        path.write_text(text, encoding="utf-8")  # fixed again
        _reloaded(live)
        assert _poll_etag(live, "/feeds/plan.ics", good)
    finally:
        live.stop()


def _reloaded(live: Live) -> None:
    """Look at the plan file now and wait for the background reload to finish."""
    live.app.state.feeds.refresh(force=True, wait=True)  # type: ignore[attr-defined]


def _poll_etag(live: Live, path: str, old: str, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if live.request(path)[1]["etag"] != old:
            return True
        time.sleep(0.05)
    return False


def test_bad_plan_at_start(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("plan: [unclosed\n", encoding="utf-8")
    with pytest.raises(PlanFileError):
        create_app(path)


# --------------------------------------------------------------------------- CLI


def test_serve_without_the_extra(monkeypatch: pytest.MonkeyPatch, plan_file: Path) -> None:
    from click.testing import CliRunner

    from planflow.cli.main import cli

    monkeypatch.setitem(sys.modules, "uvicorn", None)
    result = CliRunner().invoke(cli, ["serve", str(plan_file)])
    assert result.exit_code == 1
    assert "pip install 'planflow[serve]'" in result.output


def test_serve_command(tmp_path: Path) -> None:
    path = _plan_copy(tmp_path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code = "import planflow.cli.serve; from planflow.cli.main import main; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", str(path), "--port", str(port),
         "--base-url", "https://lich.example.vn", "--log-level", "warning"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/")
                resp = conn.getresponse()
                page = resp.read().decode()
                break
            except OSError:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert resp.status == 200
        assert "https://lich.example.vn/feeds/units/vhxh.ics" in page
    finally:
        proc.terminate()
        proc.wait(10)
