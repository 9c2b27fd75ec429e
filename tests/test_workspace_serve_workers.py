"""Two ``planflow serve DIR --db postgresql://…`` workers behind a real nginx.

The nginx configuration is the one docs/scale.md shows (read from the page; only its
three ports change). Through nginx: the feeds of two plans have the same bytes and
ETag whichever worker answers, conditional requests get 304 from both, and the files
``planflow export DIR`` wrote, served by nginx, are the same bytes; 28 "done" forms
of two plans posted at once (five clicks on one duty of each) are in PostgreSQL
exactly once each, and both workers' pages show them. The oracle is the list of
occurrences posted here and the tokens issued here.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")
pytest.importorskip("jinja2")
import httpx
from click.testing import CliRunner

from planflow.cli.main import cli
from planflow.feeds.tokens import TokenStore
from planflow.jobs.pages import csrf_token, page_key
from planflow.run.store import Store
from year_support import _free_port, child_env, plan_text, planflow_cmd, write_plan

DOC = Path(__file__).resolve().parents[1] / "docs" / "scale.md"
CONF_BLOCK = re.compile(
    r"^<!-- docs-test: write planflow-nginx.conf -->\n```nginx\n(.*?)^```", re.M | re.S
)
PORTS = ("listen 127.0.0.1:8080;", "server 127.0.0.1:8001;", "server 127.0.0.1:8002;")
PLANS = {"xa-a": True, "xa-b": True, "xa-c": False}  # folder → has a tokens file


def nginx_binary() -> str:
    """Debian's nginx, or skip saying how to get it (a failure under PLANFLOW_NO_SKIP)."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None
    )
    if found is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx)")
    return found


def nginx_conf(listen: int, workers: tuple[int, int]) -> str:
    """docs/scale.md's configuration with these ports."""
    conf = CONF_BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert len(conf) == 1, "docs/scale.md has one planflow-nginx.conf"
    text: str = conf[0]
    for old, port in zip(PORTS, (listen, *workers), strict=True):
        assert text.count(old) == 1, old
        text = text.replace(old, old.rsplit(":", 1)[0] + f":{port};")
    return text


@pytest.fixture
def site() -> Iterator[Path]:
    """A folder nginx's workers (user nobody when the tests run as root) can read:
    pytest's tmp_path is private to its owner."""
    folder = Path(tempfile.mkdtemp(prefix="planflow-nginx-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _wait(url: str, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(url, timeout=5)
            return
        except httpx.TransportError:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                pytest.fail(f"{what} stopped: {err[-2000:]}")
            assert time.monotonic() < deadline, f"{what} did not start"
            time.sleep(0.1)


def _recent(html: str) -> set[str]:
    block = html.split('<ul id="recent">', 1)[1].split("</ul>", 1)[0]
    return set(re.findall(r'data-occurrence="([^"]*)"', block))


def test_workers_behind_nginx(site: Path, postgres: object) -> None:
    nginx = nginx_binary()
    db = str(postgres.database("planflow_ws_workers"))  # type: ignore[attr-defined]
    root = site / "tinh"
    secrets: dict[str, str] = {}
    csrf: dict[str, str] = {}
    for folder, private in PLANS.items():
        write_plan(root / folder, plan_text(4, plan_id=f"{folder}-2025"))
        if private:
            tokens = TokenStore()
            token, secrets[folder] = tokens.issue("vhxh", label=f"VH-XH {folder}")
            tokens.save(root / folder / "plan.tokens.json")
            # the forms' field, from the key in the plan's folder that every worker reads
            # (today every duty of 2025 is past its next one: the page offers no form)
            csrf[folder] = csrf_token(page_key(root / folder), token, "vhxh")
    exported = CliRunner().invoke(cli, ["export", str(root), "--out", str(site / "static")])
    assert exported.exit_code == 0, exported.output
    ports = (_free_port(), _free_port())
    listen = _free_port()
    (site / "planflow-nginx.conf").write_text(nginx_conf(listen, ports), encoding="utf-8")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for port in ports:  # both at once on a fresh database: one creates the schema
            command = planflow_cmd("serve", str(root), "--db", db, "--port", str(port),
                                   "--log-level", "warning")  # fmt: skip
            procs.append(subprocess.Popen(command, env=child_env(), stdout=subprocess.DEVNULL,
                                          stderr=subprocess.PIPE))  # fmt: skip
        procs.append(subprocess.Popen(
            [nginx, "-p", str(site), "-c", str(site / "planflow-nginx.conf"),
             "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        ))  # fmt: skip
        for port, proc in zip(ports, procs, strict=False):
            _wait(f"http://127.0.0.1:{port}/", proc, "a worker")
        _wait(f"http://127.0.0.1:{listen}/", procs[2], "nginx")
        with httpx.Client(base_url=f"http://127.0.0.1:{listen}", timeout=30) as proxy:
            _feeds_alike(proxy, ports, secrets, site)
            _indexes(proxy)
            posted = _post_at_once(proxy, secrets, csrf)
            _pages_show(ports, secrets, posted)
        log = (site / "access.log").read_text()
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(20)
    # round robin: both workers answered feeds and forms
    upstreams = Counter(line.split()[-1] for line in log.splitlines() if line.split()[-1] != "-")
    assert set(upstreams) == {f"127.0.0.1:{port}" for port in ports}
    assert min(upstreams.values()) >= 20, upstreams
    _stored_once(db, root, posted)


def _feeds_alike(proxy: httpx.Client, ports: tuple[int, int], secrets: dict[str, str],
                 site: Path) -> None:  # fmt: skip
    """Same bytes and ETag from nginx (either worker), each worker, and the exported file."""
    feeds = {
        "/xa-c-2025/feeds/plan.ics": "xa-c-2025/plan.ics",  # public
        f"/xa-a-2025/feeds/{secrets['xa-a']}/units/vhxh.ics": "xa-a-2025/units/vhxh.ics",
    }
    for path, static in feeds.items():
        direct = [httpx.get(f"http://127.0.0.1:{port}{path}") for port in ports]
        through = [proxy.get(path) for _ in range(4)]
        answers = direct + through
        assert {a.status_code for a in answers} == {200}
        assert len({a.content for a in answers}) == 1 and b"BEGIN:VCALENDAR" in answers[0].content
        assert len({a.headers["etag"] for a in answers}) == 1
        etag = answers[0].headers["etag"]
        again = [proxy.get(path, headers={"If-None-Match": etag}) for _ in range(4)]
        assert [a.status_code for a in again] == [304] * 4
        assert (site / "static" / static).read_bytes() == answers[0].content
        from_file = proxy.get(f"/static/{static}")
        assert from_file.status_code == 200 and from_file.content == answers[0].content
    assert proxy.get("/xa-a-2025/feeds/plan.ics").status_code == 404  # private plan


def _indexes(proxy: httpx.Client) -> None:
    index = proxy.get("/").text
    assert all(f'/{folder}-2025/"' in index for folder in PLANS)
    for folder in PLANS:
        page = proxy.get(f"/{folder}-2025/")
        assert page.status_code == 200 and "Kế hoạch thử nghiệm" in page.text
    assert "/xa-c-2025/feeds/units/vhxh.ics" in proxy.get("/xa-c-2025/").text
    assert "/feeds/units/" not in proxy.get("/xa-a-2025/").text  # private: no links


def _post_at_once(proxy: httpx.Client, secrets: dict[str, str],
                  csrf: dict[str, str]) -> dict[str, list[str]]:  # fmt: skip
    """Per plan, nine duties clicked once and one clicked five times, all at once."""
    posted = {
        "xa-a": [f"viec-1#{n}" for n in range(1, 10)] + ["viec-4#1"],
        "xa-b": [f"viec-4#{n}" for n in range(1, 10)] + ["viec-1#12"],
    }
    forms = []
    for folder, occurrences in posted.items():
        base = f"/{folder}-2025/pages/{secrets[folder]}/units/vhxh"
        assert _recent(proxy.get(base).text) == set()
        clicks = occurrences[:-1] + [occurrences[-1]] * 5
        forms += [(base, {"csrf": csrf[folder], "occurrence": o}) for o in clicks]

    def post(form: tuple[str, dict[str, str]]) -> tuple[str, int]:
        answer = proxy.post(form[0] + "/done", data=form[1])
        return form[1]["occurrence"], answer.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(post, forms))
    assert len(codes) == 28
    for folder, occurrences in posted.items():
        mine = codes[:14] if folder == "xa-a" else codes[14:]
        assert [c for o, c in mine if o != occurrences[-1]] == [303] * 9
        # the other four clicks on the same duty: "already done", nothing recorded
        assert sorted(c for o, c in mine if o == occurrences[-1]) == [303, 400, 400, 400, 400]
    return posted


def _pages_show(ports: tuple[int, int], secrets: dict[str, str],
                posted: dict[str, list[str]]) -> None:  # fmt: skip
    for port in ports:
        for folder, occurrences in posted.items():
            url = f"http://127.0.0.1:{port}/{folder}-2025/pages/{secrets[folder]}/units/vhxh"
            assert _recent(httpx.get(url).text) == set(occurrences)


def _stored_once(db: str, root: Path, posted: dict[str, list[str]]) -> None:
    with Store(db) as store:
        for folder, occurrences in posted.items():
            rows = store.history(f"{folder}-2025")
            assert sorted(r.occurrence for r in rows) == sorted(occurrences)
            assert {r.who for r in rows} == {f"VH-XH {folder} (trang đơn vị)"}
        assert store.history("xa-c-2025") == []
    # and as `planflow history` reads it
    result = CliRunner().invoke(cli, ["history", str(root / "xa-b"), "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    assert sorted(r["occurrence"] for r in json.loads(result.output)) == sorted(posted["xa-b"])
