"""The store: SQLite through sqlite-utils, the source of truth for decisions (and, later,
cases). The only module that talks SQL. The schema changes only through the migrations
below, applied when a store is opened."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from assistant.decision import Decision

BUSY_TIMEOUT_MS = 10_000

migrations = Migrations("assistant")


@migrations()
def m001_decisions(db: Database) -> None:
    db["decisions"].create(
        {
            "id": str,
            "kind": str,
            "created_at": str,
            "actor": str,
            "channel": str,
            "knowledge_version": str,
            "input": str,
            "output": str,
            "fired": str,
            "citations": str,
            "trace": str,
        },
        pk="id",
        not_null={"kind", "created_at", "actor", "channel", "knowledge_version"},
    )
    db["decisions"].create_index(["kind", "created_at"])
    db["decisions"].create_index(["actor", "created_at"])


JSON_COLUMNS = ("input", "output", "fired", "citations", "trace")


class Store:
    """One SQLite file. Safe to share between threads of one process; several processes
    may write the same file (WAL mode, busy timeout)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(
            str(self.path), check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
        self.db = Database(connection)
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.db.enable_wal()
        self._lock = threading.RLock()
        with self._lock:
            migrations.apply(self.db)

    def close(self) -> None:
        self.db.close()

    # --- decisions -----------------------------------------------------------------

    def save_decision(self, decision: Decision) -> None:
        row = decision.model_dump(mode="json")
        for column in JSON_COLUMNS:
            row[column] = json.dumps(row[column], ensure_ascii=False)
        with self._lock, self.db.atomic():
            self.db["decisions"].insert(row)

    def get_decision(self, decision_id: str) -> Decision | None:
        with self._lock:
            rows = list(self.db["decisions"].rows_where("id = ?", [decision_id]))
        return _decision(rows[0]) if rows else None

    def count_decisions(self, kind: str | None = None) -> int:
        with self._lock:
            if kind is None:
                return self.db["decisions"].count
            return self.db["decisions"].count_where("kind = ?", [kind])

    def recent_decisions(self, limit: int = 20) -> list[Decision]:
        with self._lock:
            rows = self.db["decisions"].rows_where(order_by="created_at desc", limit=limit)
            return [_decision(row) for row in rows]


def _decision(row: dict[str, Any]) -> Decision:
    data = dict(row)
    for column in JSON_COLUMNS:
        data[column] = json.loads(data[column])
    return Decision.model_validate(data)
