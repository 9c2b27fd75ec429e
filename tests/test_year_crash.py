"""Exactly once: ``planflow run`` killed with SIGKILL at random points, then run again.

Each scenario starts a fresh state database with some completions recorded, and
runs ``planflow run --notify webhook --notify email`` as a real process against a
loopback HTTP receiver and a loopback SMTP server. The run is killed

* at a random moment of its life (loading, replaying, writing the outbox, delivering),
* inside the webhook notifier, when the receiver has the k-th request but has not
  answered it yet,
* inside the e-mail notifier, when the SMTP server has the k-th message but has
  not said ``250`` yet;

then run again (sometimes killed again) until a run finishes. The receivers must
then hold exactly the deliveries of an uninterrupted run, each idempotency key
(the engine's stable event id) present, none missing, and repeated only for the
one delivery that was in flight at each kill (the receiver drops it by its key);
no completion may be lost.

``PLANFLOW_CRASH_POINTS`` sets the number of scenarios (default 12; 100 before a
release: ``PLANFLOW_CRASH_POINTS=100 python -m pytest tests/test_year_crash.py``).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest

from planflow.jobs.progress_records import mark_done
from planflow.jobs.year import Year
from year_support import (
    Mailbox,
    Webhook,
    child_env,
    plan_text,
    planflow_cmd,
    smtp_receiver,
    webhook_receiver,
    write_plan,
)

pytest.importorskip("aiosmtpd")

POINTS = int(os.environ.get("PLANFLOW_CRASH_POINTS", "12"))
NOW = "2025-03-14T07:00"
DONE = [("viec-1#1", date(2025, 1, 14)), ("viec-5#2", date(2025, 2, 20)), ("viec-9#3", None)]


def _prepare(folder: Path) -> Path:
    path = write_plan(folder, plan_text(12))
    with Year.open(path, now=datetime(2025, 3, 14, 6)) as year:
        for occurrence, day in DONE:
            mark_done(year, occurrence, day=day, note="ghi nhận trước khi chạy")
    return path


def _command(path: Path, hook: Webhook, box: Mailbox) -> list[str]:
    return planflow_cmd(
        "-p", "planflow_webhook", "-p", "planflow_email",
        "run", str(path), "--now", NOW,
        "--notify", "webhook", "--notify", "email",
        "--set", f"webhook.url={hook.url}", "--set", "webhook.retries=0",
        "--set", f"email.host={box.host}", "--set", f"email.port={box.port}",
        "--set", "email.from=UBND xã Bờ Y <ubnd@boy.example.gov.vn>",
    )  # fmt: skip


def _run(cmd: list[str], kill: tuple[str, float] | None, hook: Webhook, box: Mailbox) -> int:
    """Run ``cmd``; ``kill`` is ("after", seconds), ("webhook", k) or ("email", k)."""
    hook.on_request = box.on_message = None
    child = subprocess.Popen(
        cmd, env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )

    def at(k: float) -> object:
        def maybe(number: int) -> None:
            if number == k:
                os.kill(child.pid, signal.SIGKILL)

        return maybe

    if kill is not None and kill[0] == "webhook":
        hook.on_request = at(len(hook.keys) + kill[1])  # type: ignore[assignment]
    if kill is not None and kill[0] == "email":
        box.on_message = at(len(box.keys) + kill[1])  # type: ignore[assignment]
    if kill is not None and kill[0] == "after":
        try:
            child.wait(kill[1])
        except subprocess.TimeoutExpired:
            child.kill()
    _, err = child.communicate(timeout=120)
    if child.returncode not in (0, -signal.SIGKILL):
        raise AssertionError(err.decode(errors="replace"))
    return child.returncode


@pytest.fixture(scope="module")
def receivers():  # type: ignore[no-untyped-def]
    with webhook_receiver(delay=0.002) as hook, smtp_receiver() as box:
        yield hook, box


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, receivers) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """An uninterrupted run: what the receivers must end up with."""
    hook, box = receivers
    path = _prepare(tmp_path_factory.mktemp("reference"))
    started = time.perf_counter()
    assert _run(_command(path, hook, box), None, hook, box) == 0
    seconds = time.perf_counter() - started
    result = {"webhook": list(hook.keys), "email": list(box.keys), "seconds": seconds}
    hook.keys.clear()
    box.keys.clear()
    with Year.open(path) as year:
        result["events"] = sorted(e["id"] for e in year.store.events(year.plan.id))
    return result


def test_the_reference_run_delivers_each_event_once(reference) -> None:  # type: ignore[no-untyped-def]
    hooks, mails = reference["webhook"], reference["email"]
    assert len(hooks) == len(set(hooks)) > 30
    assert len(mails) == len(set(mails)) > 10
    assert set(mails) <= set(hooks) <= set(reference["events"])


@pytest.mark.parametrize("point", range(POINTS))
def test_killed_runs_deliver_everything_exactly_once(
    point: int,
    tmp_path: Path,
    receivers,
    reference,  # type: ignore[no-untyped-def]
) -> None:
    hook, box = receivers
    hook.keys.clear()
    box.keys.clear()
    rng = random.Random(point)
    path = _prepare(tmp_path / "xa")
    cmd = _command(path, hook, box)
    n_hooks, n_mails = len(reference["webhook"]), len(reference["email"])
    kills = 0
    for attempt in range(3):
        if attempt == 2 or (attempt == 1 and rng.random() < 0.5):
            kill = None
        else:
            mode = rng.choice(["after", "webhook", "email"])
            if mode == "after":
                kill = ("after", rng.uniform(0.05, 0.6) * reference["seconds"])
            elif mode == "webhook":
                kill = ("webhook", rng.randint(1, max(1, n_hooks // 2)))
            else:
                kill = ("email", rng.randint(1, max(1, n_mails // 2)))
        code = _run(cmd, kill, hook, box)
        kills += code == -signal.SIGKILL
        if kill is None:
            assert code == 0
            break
    assert kills >= 1  # the first attempt was killed (the later ones may be)
    # every delivery arrived; a key is repeated only for the delivery in flight at a kill
    for got, expected in ((hook.keys, reference["webhook"]), (box.keys, reference["email"])):
        assert set(got) == set(expected)
        repeated = sum(n - 1 for n in Counter(got).values())
        assert repeated <= kills
    with Year.open(path) as year:
        store, plan = year.store, year.plan
        assert store.pending(plan.id) == []
        assert {d.status for d in store.outbox(plan.id)} == {"delivered"}
        assert sorted(e["id"] for e in store.events(plan.id)) == reference["events"]
        assert sorted(f"{t}#{i}" for t, i in store.done(plan.id)) == sorted(o for o, _ in DONE)
    shutil.rmtree(tmp_path / "xa", ignore_errors=True)
