"""``planflow serve`` as several worker processes on one database: no record lost or doubled."""

from __future__ import annotations

import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")
pytest.importorskip("jinja2")
import httpx

from planflow.feeds.tokens import TokenStore
from planflow.jobs.pages import csrf_token, page_key
from planflow.jobs.year import Year
from year_support import child_env, plan_text, planflow_cmd, write_plan


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_two_workers_record_every_completion_once(tmp_path: Path, db_url: str) -> None:
    path = write_plan(tmp_path / "xa", plan_text(4))  # vhxh leads viec-1 and viec-4
    tokens = TokenStore()
    token, secret = tokens.issue("vhxh", label="Phòng VH-XH")
    tokens_path = tmp_path / "xa" / "plan.tokens.json"
    tokens.save(tokens_path)
    with Year.open(path, db_url):
        pass  # the schema exists before the workers start, as after the first daily run
    ports = [_port(), _port()]
    workers = [
        subprocess.Popen(
            planflow_cmd(
                "serve",
                str(path),
                "--tokens",
                str(tokens_path),
                "--db",
                db_url,
                "--port",
                str(port),
                "--log-level",
                "warning",
            ),
            env=child_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for port in ports
    ]
    try:
        bases = [f"http://127.0.0.1:{port}/pages/{secret}/units/vhxh" for port in ports]
        deadline = time.monotonic() + 60
        pages: list[str] = []
        for base in bases:
            while True:
                try:
                    pages.append(httpx.get(base).text)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "a worker did not start"
                    time.sleep(0.2)
        assert all("Phòng Văn hóa - Xã hội" in page for page in pages)
        # one key for every worker (PLAN_DIR/.planflow/page.key): either accepts the form
        csrf = csrf_token(page_key(path.parent), token, "vhxh")
        posts = [(bases[n % 2], f"viec-1#{n}") for n in range(1, 13)]
        posts += [(bases[n % 2], "viec-4#1") for n in range(4)]  # four clicks on one duty

        def post(item: tuple[str, str]) -> int:
            base, occurrence = item
            answer = httpx.post(base + "/done", data={"csrf": csrf, "occurrence": occurrence})
            return answer.status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(post, posts))
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(20)
    assert codes[:12] == [303] * 12
    assert sorted(codes[12:]) == [303, 400, 400, 400]  # the others: "already done"
    with Year.open(path, db_url) as year:
        rows = year.store.history(year.plan.id)
    assert sorted(r.occurrence for r in rows) == sorted(
        [f"viec-1#{n}" for n in range(1, 13)] + ["viec-4#1"]
    )
    assert {r.who for r in rows} == {"Phòng VH-XH (trang đơn vị)"}
