"""The feed server under a careless editor, a broken tokens file, a restart, and a
client that holds connections open (issue 16, faults 6–10). Real HTTP on loopback."""

from __future__ import annotations

import http.client
import logging
import os
import re
import shutil
import socket
import threading
import time
from email.utils import formatdate
from pathlib import Path

import pytest

pytest.importorskip("starlette")
uvicorn = pytest.importorskip("uvicorn")

from planflow.feeds.server import create_app  # noqa: E402
from planflow.feeds.server.http_cache import parse_http_date  # noqa: E402
from planflow.feeds.server.protocol import guarded_protocol  # noqa: E402
from planflow.feeds.tokens import TokenStore  # noqa: E402
from planflow.plan.loading import load  # noqa: E402
from planflow.timeline.occurrences import Timeline  # noqa: E402

EXAMPLE = Path(__file__).parents[1] / "examples" / "boy_2025" / "plan.yaml"
MTIME = 1_740_787_200  # 2025-03-01 00:00:00 UTC


class Live:
    """An app served by uvicorn on a free loopback port, in a thread."""

    def __init__(self, app: object, **options: object) -> None:
        self.app = app
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            app, log_level="warning", lifespan="off", access_log=False, **options
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    def get(
        self, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    @property
    def feeds(self):  # type: ignore[no-untyped-def]
        return self.app.state.feeds  # type: ignore[attr-defined]


def copy_plan(folder: Path, text: str | None = None) -> Path:
    path = folder / "plan.yaml"
    if text is None:
        shutil.copyfile(EXAMPLE, path)
    else:
        path.write_text(text, encoding="utf-8")
    os.utime(path, (MTIME, MTIME))
    return path


def version_b() -> str:
    """The example with another title and one more task: a second complete version."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace(
        'title: "Truyền thông về cải cách hành chính và chuyển đổi số xã Bờ Y năm 2025"',
        'title: "Truyền thông về cải cách hành chính và chuyển đổi số xã Bờ Y năm 2025 (bản B)"',
        1,
    )
    return text.rstrip("\n") + (
        '\n  - id: zz-extra\n    title: "Nhiệm vụ thêm của bản B"\n    lead: vhxh\n'
        "    window: 2025\n    dates: [2025-11-20]\n"
    )


# --- fault 6: a plan rewritten in place is never served half-written ------------


def test_in_place_rewrites_in_chunks_serve_only_complete_versions(tmp_path: Path) -> None:
    """An editor rewrites the plan in place, 700 bytes at a time, alternating two
    versions, while four clients poll. Every response is one whole version: its
    calendar name and its number of events belong together (A: the example's 22
    tasks → 22 events; B: 23), and both versions are seen."""
    a_text, b_text = EXAMPLE.read_text(encoding="utf-8"), version_b()
    events = {
        name: len(Timeline(load(copy_plan(tmp_path / name, text)).plan).duties)
        for name, text in (("a", a_text), ("b", b_text))
        if (tmp_path / name).mkdir() is None
    }
    assert events["b"] == events["a"] + 1
    path = copy_plan(tmp_path, a_text)
    live = Live(create_app(path, check_interval=0.02, settle=0.15, confirm_after=3600))
    stop = threading.Event()
    seen: list[tuple[str, int]] = []
    errors: list[str] = []

    def writer() -> None:
        texts = [b_text.encode(), a_text.encode()]
        for round_ in range(6):
            data = texts[round_ % 2]
            with open(path, "r+b") as stream:
                stream.truncate(0)
                for start in range(0, len(data), 700):
                    stream.write(data[start : start + 700])
                    stream.flush()
                    time.sleep(0.004)
            time.sleep(0.5)  # the file settles; the server loads it
        stop.set()

    def client() -> None:
        while not stop.is_set():
            status, _, body = live.get("/feeds/plan.ics")
            text = body.decode("utf-8")
            name = "b" if "(bản B)" in text.split("BEGIN:VEVENT", 1)[0] else "a"
            count = text.count("BEGIN:VEVENT")
            if status != 200 or count != events[name] or not text.endswith("END:VCALENDAR\r\n"):
                errors.append(f"{status} {name} {count}")
            seen.append((name, count))
            time.sleep(0.005)

    threads = [threading.Thread(target=writer)] + [
        threading.Thread(target=client) for _ in range(4)
    ]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        live.stop()
    assert errors == []
    assert {name for name, _ in seen} == {"a", "b"}
    assert len(seen) > 100


def test_slow_reload_does_not_stall_requests(tmp_path: Path) -> None:
    """While a reload waits for the file to settle (2 s here), requests are answered
    at once from the current version."""
    path = copy_plan(tmp_path)
    live = Live(create_app(path, check_interval=0.01, settle=0.01))
    try:
        _, first, _ = live.get("/feeds/plan.ics")
        live.feeds.settle = 2.0
        path.write_text(version_b(), encoding="utf-8")
        time.sleep(0.05)
        worst = 0.0
        for _ in range(20):
            start = time.perf_counter()
            status, headers, _ = live.get("/feeds/plan.ics")
            worst = max(worst, time.perf_counter() - start)
            assert status == 200 and headers["etag"] == first["etag"]
        assert live.feeds._reloader is not None  # the reload was under way throughout
        assert worst < 1.0
        live.feeds.refresh(wait=True)
        assert live.get("/feeds/plan.ics")[1]["etag"] != first["etag"]
    finally:
        live.stop()


def test_version_that_drops_most_duties_is_held_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A save that keeps only the first task (1 duty of 40) is held back with a
    warning; it is served only once the file has stayed so for confirm_after."""
    path = copy_plan(tmp_path)
    live = Live(create_app(path, check_interval=0.01, settle=0.01, confirm_after=0.6))
    caplog.set_level(logging.WARNING, logger="planflow.feeds.server")
    try:
        before = len(live.feeds.version.timeline.duties)
        _, first, _ = live.get("/feeds/plan.ics")
        text = path.read_text(encoding="utf-8")
        first_task = text.index("\n  - id:", text.index("\ntasks:\n"))
        cut = text.index("\n  - id:", first_task + 1)  # the file ends after the first task
        path.write_text(text[:cut] + "\n", encoding="utf-8")
        live.feeds.refresh(force=True, wait=True)
        assert live.get("/feeds/plan.ics")[1]["etag"] == first["etag"]
        logged = "\n".join(r.getMessage() for r in caplog.records)
        assert re.search(rf"now has 1 duties instead of {before}: held back", logged), logged
        time.sleep(0.7)
        live.feeds.refresh(force=True, wait=True)
        status, headers, body = live.get("/feeds/plan.ics")
        assert status == 200
        assert headers["etag"] != first["etag"] and body.count(b"BEGIN:VEVENT") == 1
    finally:
        live.stop()


# --- fault 8: Last-Modified never goes backwards across a restart ----------------


def test_restart_with_an_older_file_is_not_304(tmp_path: Path) -> None:
    """Serve B (mtime T+1 day), restart on the older A (mtime T) with the same state:
    a client holding B's Last-Modified gets A's bytes (200), dated after B."""
    state = tmp_path / "state.json"
    path = copy_plan(tmp_path, version_b())
    os.utime(path, (MTIME + 86400, MTIME + 86400))
    live = Live(create_app(path, state_path=state, settle=0.01))
    _, b_headers, _ = live.get("/feeds/plan.ics")
    live.stop()
    assert b_headers["last-modified"] == formatdate(MTIME + 86400, usegmt=True)
    copy_plan(tmp_path)  # A, mtime T: older
    live = Live(create_app(path, state_path=state, settle=0.01))
    try:
        status, a_headers, _ = live.get(
            "/feeds/plan.ics", {"If-Modified-Since": b_headers["last-modified"]}
        )
        assert status == 200
        assert a_headers["etag"] != b_headers["etag"]
        a_date, b_date = (parse_http_date(h["last-modified"]) for h in (a_headers, b_headers))
        assert a_date is not None and b_date is not None and a_date > b_date
        # an unchanged feed keeps its date across the restart: 304
        _, unit_a, _ = live.get("/feeds/units/ca.ics")
    finally:
        live.stop()
    live = Live(create_app(path, state_path=state, settle=0.01))
    try:
        status, again, _ = live.get(
            "/feeds/units/ca.ics", {"If-Modified-Since": unit_a["last-modified"]}
        )
        assert status == 304 and again["last-modified"] == unit_a["last-modified"]
    finally:
        live.stop()


def test_without_state_dates_start_at_the_start(tmp_path: Path) -> None:
    """Without a state file, a restart dates feeds no earlier than the start: an old
    If-Modified-Since (the file's mtime, T) gets 200, never a wrong 304."""
    path = copy_plan(tmp_path)
    started = int(time.time())
    live = Live(create_app(path, settle=0.01))
    try:
        status, headers, _ = live.get(
            "/feeds/plan.ics", {"If-Modified-Since": formatdate(MTIME, usegmt=True)}
        )
        assert status == 200
        modified = parse_http_date(headers["last-modified"])
        assert modified is not None and modified >= started
    finally:
        live.stop()


# --- fault 9: tokens fail closed --------------------------------------------------


def test_tokens_file_appearing_makes_feeds_private(tmp_path: Path) -> None:
    """A server started public (no tokens file yet) turns private when `planflow
    tokens` writes the file: the public path 404s, the new token opens its unit;
    deleting the file then closes every feed (503), it never falls back to public."""
    path = copy_plan(tmp_path)
    tokens = tmp_path / "plan.tokens.json"
    live = Live(create_app(path, tokens_path=tokens, public_until_tokens=True,
                           check_interval=0.01, settle=0.01))  # fmt: skip
    try:
        assert live.get("/feeds/units/vhxh.ics")[0] == 200
        store = TokenStore()
        _, secret = store.issue("vhxh")
        store.save(tokens)
        live.feeds.refresh(force=True)
        assert live.get("/feeds/units/vhxh.ics")[0] == 404
        assert live.get(f"/feeds/{secret}/units/vhxh.ics")[0] == 200
        assert live.get(f"/feeds/{secret}/units/ca.ics")[0] == 404
        tokens.unlink()
        live.feeds.refresh(force=True)
        status, headers, body = live.get(f"/feeds/{secret}/units/vhxh.ics")
        assert (status, headers["retry-after"]) == (503, "60")
        assert "Tạm ngừng" in body.decode()
        assert live.get("/feeds/units/vhxh.ics")[0] == 503
    finally:
        live.stop()


def test_corrupt_or_unreadable_tokens_close_the_feeds(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A tokens file that stops parsing, or that cannot be read, closes the feeds
    with the reason logged; a good file opens them again."""
    path = copy_plan(tmp_path)
    tokens = tmp_path / "t.json"
    store = TokenStore()
    _, secret = store.issue("vhxh")
    store.save(tokens)
    good = tokens.read_bytes()
    caplog.set_level(logging.ERROR, logger="planflow.feeds.server")
    live = Live(create_app(path, tokens_path=tokens, check_interval=0.01, settle=0.01))
    try:
        feed = f"/feeds/{secret}/units/vhxh.ics"
        assert live.get(feed)[0] == 200
        tokens.write_text('{"planflow_tokens": 1, "tokens": [{"id": 5}]}')
        live.feeds.refresh(force=True)
        assert live.get(feed)[0] == 503
        assert "not a planflow tokens file" in caplog.text
        tokens.write_bytes(good)
        live.feeds.refresh(force=True)
        assert live.get(feed)[0] == 200
        if os.geteuid() != 0:  # root reads any file
            tokens.chmod(0)
            os.utime(tokens, (MTIME, MTIME))
            live.feeds.refresh(force=True)
            assert live.get(feed)[0] == 503
    finally:
        live.stop()


def test_named_tokens_file_missing_at_start_is_private(tmp_path: Path) -> None:
    """``--tokens FILE`` that does not exist yet: private with no token, not public."""
    path = copy_plan(tmp_path)
    live = Live(create_app(path, tokens_path=tmp_path / "none.json", settle=0.01))
    try:
        assert live.get("/feeds/units/vhxh.ics")[0] == 404
        assert live.get("/feeds/plan.ics")[0] == 404
    finally:
        live.stop()


def test_tokens_file_readable_by_others_is_warned(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Fault 12: `serve` warns about a tokens file others may read."""
    path = copy_plan(tmp_path)
    tokens = tmp_path / "t.json"
    TokenStore().save(tokens)
    tokens.chmod(0o644)
    caplog.set_level(logging.WARNING, logger="planflow.feeds.server")
    create_app(path, tokens_path=tokens, settle=0.01)
    assert "has mode 644: others may read the token hashes; chmod 600 it" in caplog.text


# --- fault 10: HTTP limits when exposed directly -----------------------------------


@pytest.fixture
def guarded(tmp_path: Path):  # type: ignore[no-untyped-def]
    live = Live(
        create_app(copy_plan(tmp_path), settle=0.01),
        http=guarded_protocol(header_timeout=0.5, max_connections=20),
        h11_max_incomplete_event_size=16384,
        limit_concurrency=20,
    )
    yield live
    live.stop()


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    sock.settimeout(seconds)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_huge_header_is_refused(guarded: Live) -> None:
    """A request whose headers pass 16 KiB gets 400 and is closed (once: 200 MB held)."""
    with socket.create_connection(("127.0.0.1", guarded.port)) as sock:
        sock.sendall(b"GET /feeds/plan.ics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536)
        sock.settimeout(5)
        reply = sock.recv(100)
        assert reply.startswith(b"HTTP/1.1 400")
        assert _closed_within(sock, 5)


def test_slow_headers_are_cut(guarded: Live) -> None:
    """A client that connects and sends half a request line is closed after the
    header timeout (0.5 s), well before 3 s; a silent one too."""
    with (
        socket.create_connection(("127.0.0.1", guarded.port)) as slow,
        socket.create_connection(("127.0.0.1", guarded.port)) as silent,
    ):
        slow.sendall(b"GET /feeds/pla")
        start = time.monotonic()
        assert _closed_within(slow, 3) and _closed_within(silent, 3)
        assert time.monotonic() - start < 2.5
    # a normal client is unaffected, and so is a kept-alive connection's second request
    conn = http.client.HTTPConnection("127.0.0.1", guarded.port, timeout=5)
    for _ in range(2):
        conn.request("GET", "/feeds/plan.ics")
        assert conn.getresponse().read().startswith(b"BEGIN:VCALENDAR")
    conn.close()


def test_connections_beyond_the_cap_are_closed(guarded: Live) -> None:
    """With a cap of 20, 30 silent connections leave at most 20 open; the others are
    closed at once."""
    socks = [socket.create_connection(("127.0.0.1", guarded.port)) for _ in range(30)]
    try:
        closed = sum(_closed_within(s, 0.2) for s in socks)
        assert closed >= 10
    finally:
        for s in socks:
            s.close()
