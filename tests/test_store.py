"""The state store on SQLite and on a real PostgreSQL server: schema, history, outbox."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from planflow.run.store import SCHEMA_VERSION, AlreadyDone, NotDone, Store, StoreError
from planflow.run.store.connect import default_url, normalise_url
from planflow.run.store.schema import schema_version

NOW = datetime(2025, 10, 6, 0, 0, tzinfo=UTC)


def _event(eid: str, day: str = "2025-10-06") -> dict[str, object]:
    return {"id": eid, "kind": "due", "time": day, "task": "viec-1", "index": 10}


def test_default_location_is_next_to_the_plan(tmp_path: Path) -> None:
    plan = tmp_path / "xa" / "plan.yaml"
    assert default_url(plan) == f"sqlite:///{tmp_path / 'xa' / '.planflow' / 'state.db'}"
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("state.db").startswith("sqlite:////")


def test_sqlite_file_is_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / ".planflow" / "state.db"
    Store(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_schema_is_versioned_and_reopening_changes_nothing(db_url: str) -> None:
    with Store(db_url) as store:
        assert store.schema_version == SCHEMA_VERSION == 1
    with Store(db_url) as store, store.engine.connect() as conn:
        versions = conn.execute(sa.select(schema_version.c.version)).scalars().all()
        assert versions == [1]
        tables = set(sa.inspect(conn).get_table_names())
    assert {"runs", "completions", "measurements", "events", "outbox", "plan_versions"} <= tables


def test_a_newer_schema_is_refused(db_url: str) -> None:
    with Store(db_url) as store, store.engine.begin() as conn:
        conn.execute(schema_version.insert().values(version=99, applied_at=NOW, description="x"))
    with pytest.raises(StoreError, match="schema version 99"):
        Store(db_url)


def test_completion_history_is_append_only(db_url: str) -> None:
    with Store(db_url) as store:
        store.add_completion("p", "viec-1", 3, day=date(2025, 3, 14), due=None, who="a")
        with pytest.raises(AlreadyDone) as caught:
            store.add_completion("p", "viec-1", 3, day=date(2025, 3, 15), due=None, who="b")
        assert caught.value.record.day == date(2025, 3, 14)
        store.undo_completion("p", "viec-1", 3, reason="nhầm kỳ", who="b")
        with pytest.raises(NotDone):
            store.undo_completion("p", "viec-1", 3, reason="lần nữa", who="b")
        store.add_completion(
            "p", "viec-1", 3, day=date(2025, 3, 16), due=None, who="c", note="làm lại"
        )
        rows = store.history("p")
        assert [(r.action, r.day, r.who) for r in rows] == [
            ("done", date(2025, 3, 14), "a"),
            ("undo", date(2025, 3, 14), "b"),
            ("done", date(2025, 3, 16), "c"),
        ]
        assert rows[1].reason == "nhầm kỳ"
        assert {k: r.day for k, r in store.done("p").items()} == {("viec-1", 3): date(2025, 3, 16)}
        assert store.done("other-plan") == {}


def test_measurements_keep_who_and_when(db_url: str) -> None:
    with Store(db_url) as store:
        store.add_measurement("p", "dx-web-news", 31.5, day=date(2025, 3, 31), who="web")
        (m,) = store.measurements("p")
        assert (m.target, m.value, m.day, m.who) == ("dx-web-news", 31.5, date(2025, 3, 31), "web")
        assert m.recorded_at.tzinfo is not None


def test_a_run_and_its_outbox_are_written_together_or_not_at_all(db_url: str) -> None:
    with Store(db_url) as store:
        kwargs = {
            "plan": "p",
            "plan_hash": "h" * 64,
            "now": NOW,
            "as_of": date(2025, 10, 6),
            "who": "cron",
            "occurrences": {"viec-1#10": "2025-10-06"},
        }
        run_id = store.record_run(
            **kwargs,
            new_events=[(_event("e1"), None)],
            deliveries=[("e1", "webhook", _event("e1")), ("e1", "email", _event("e1"))],
        )
        assert store.emitted_ids("p") == {"e1"}
        assert [(d.event_id, d.notifier, d.status) for d in store.pending("p")] == [
            ("e1", "webhook", "pending"),
            ("e1", "email", "pending"),
        ]
        # the same event again breaks the primary key: nothing of that run may remain
        with pytest.raises(sa.exc.IntegrityError):
            store.record_run(
                **kwargs,
                new_events=[(_event("e2"), None), (_event("e1"), None)],
                deliveries=[("e2", "webhook", _event("e2"))],
            )
        assert [r.id for r in store.runs("p")] == [run_id]
        assert store.emitted_ids("p") == {"e1"}
        assert len(store.outbox("p")) == 2


def test_outbox_marks_delivered_and_gives_up_after_attempts(db_url: str) -> None:
    with Store(db_url) as store:
        store.record_run(
            plan="p",
            plan_hash="h",
            now=NOW,
            as_of=date(2025, 10, 6),
            who="cron",
            occurrences={},
            new_events=[(_event("e1"), None)],
            deliveries=[("e1", "webhook", _event("e1")), ("e1", "email", _event("e1"))],
        )
        first, second = store.pending("p")
        store.mark_delivered(first.id)
        assert store.mark_failed(second.id, "OSError: down", give_up_after=2) == "pending"
        assert store.mark_failed(second.id, "OSError: down", give_up_after=2) == "failed"
        rows = {d.notifier: d for d in store.outbox("p")}
        assert (rows["webhook"].status, rows["webhook"].attempts) == ("delivered", 1)
        assert (rows["email"].status, rows["email"].attempts) == ("failed", 2)
        assert rows["email"].last_error == "OSError: down"
        assert store.pending("p") == []
        assert json.loads(json.dumps(rows["email"].payload)) == _event("e1")


def test_an_unreachable_postgres_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="cannot open the state database"):
        Store("postgresql://nobody@127.0.0.1:1/none")
