"""Decisions are stored in a real SQLite file with everything needed to audit them."""

from __future__ import annotations

import json
import sqlite3

from assistant.store.db import Store


def test_a_decision_is_stored_with_its_whole_record(service, store, knowledge):
    decision = service.decide(
        "conflict",
        {"type": "kepentingan", "description": "dana dibagi gak merata"},
        actor="628123",
        channel="rest",
    )
    connection = sqlite3.connect(store.path)
    connection.row_factory = sqlite3.Row
    row = connection.execute("select * from decisions where id = ?", [decision.id]).fetchone()
    assert row["kind"] == "conflict"
    assert row["actor"] == "628123" and row["channel"] == "rest"
    assert row["knowledge_version"] == knowledge.version
    assert json.loads(row["output"])["category"] == "sedang"
    assert "konflik.tipe.kepentingan" in json.loads(row["fired"])
    assert {"section": "3.3.5", "title": "Kerangka Kerja Manajemen dan Resolusi Konflik"} in (
        json.loads(row["citations"])
    )
    assert json.loads(row["input"])["description"] == "dana dibagi gak merata"
    assert json.loads(row["trace"])[0]["rule"] == "konflik.tipe.kepentingan"
    assert row["created_at"]
    connection.close()


def test_a_stored_decision_reads_back_equal(service, store):
    decision = service.decide("conflict", {"type": "sosial_budaya"}, actor="a", channel="cli")
    assert store.get_decision(decision.id) == decision
    assert store.get_decision("tidak-ada") is None


def test_reopening_applies_no_migration_twice(tmp_path):
    path = tmp_path / "x.db"
    Store(path).close()
    store = Store(path)
    names = [r["name"] for r in store.db["_sqlite_migrations"].rows]
    assert names == sorted(set(names), key=names.index)
    assert store.db.journal_mode == "wal"
    store.close()
