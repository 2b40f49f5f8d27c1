"""State of the WhatsApp channel: the messages taken in (``pending`` until their answer
was sent or their failure logged, then ``done``) and the opt-outs, in a small SQLite file
of its own readable by its owner only; the per-sender rate limit in memory. Standard
library only. In scale-out mode (``REDIS_URL`` set) ``whatsapp_shared`` keeps the same
state in Redis instead."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.channels.whatsapp_payloads import Inbound

logger = logging.getLogger(__name__)

KEEP_IDS_SECONDS = 48 * 3600
MAX_IDS = 100_000
PRUNE_EVERY = 1000  # claims between two clean-ups of old ids
PENDING, DONE = "pending", "done"
FILE_MODE = 0o600  # the database and its -wal and -shm files: the owner only

_SCHEMA = """
create table if not exists handled (
    id text primary key,
    at real not null,
    status text not null default 'done',
    sender text,
    kind text,
    body text
);
create table if not exists consent (
    number text primary key,
    opted_out integer not null,
    changed_at real not null
);
"""
# Columns added to the ``handled`` table of a state file written before messages had a
# status (its rows were all handled: they become ``done``).
_ADDED_COLUMNS = {
    "status": "text not null default 'done'",
    "sender": "text",
    "kind": "text",
    "body": "text",
}
_INDEXES = """
create index if not exists handled_at on handled (at);
create index if not exists handled_status on handled (status);
"""


class StateUnavailable(RuntimeError):
    """The shared state (Redis, ``whatsapp_shared``) cannot be reached: the webhook answers
    503 so that WhatsApp delivers the message again later."""


@dataclass(frozen=True)
class Unfinished:
    """A message taken in whose answer was not sent: the server stopped first."""

    message: Inbound
    at: float  # when it arrived (``ChannelState.clock``)


class ChannelState:
    """Which message ids were taken in and whether they were handled (so a WhatsApp retry
    is handled once, also after a restart, and a message a stopped server did not finish
    can be handled by the next one) and which numbers opted out, with the time they did.

    A ``pending`` row keeps the sender, type and text of its message (to handle it again
    after a restart); they are erased when it is ``done``."""

    def __init__(
        self,
        path: Path,
        keep_seconds: float = KEEP_IDS_SECONDS,
        max_ids: int = MAX_IDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.keep_seconds, self.max_ids, self.clock = path, keep_seconds, max_ids, clock
        self._lock = threading.Lock()
        self._claims = 0
        owner_only(path)
        self._db = sqlite3.connect(str(path), timeout=10, check_same_thread=False)
        self._db.execute("pragma journal_mode=wal")
        self._db.executescript(_SCHEMA)
        self._migrate()
        self._db.executescript(_INDEXES)
        self.prune()

    def _migrate(self) -> None:
        columns = {row[1] for row in self._db.execute("pragma table_info(handled)")}
        with self._db:
            for column, definition in _ADDED_COLUMNS.items():
                if column not in columns:
                    self._db.execute(f"alter table handled add column {column} {definition}")

    # --- messages ---------------------------------------------------------------------

    def seen(self, message_id: str) -> bool:
        """This id was taken in before (pending or done)."""
        with self._lock:
            row = self._db.execute("select 1 from handled where id = ?", (message_id,))
            return row.fetchone() is not None

    def claim(self, message: Inbound, done: bool = False) -> bool:
        """Take a message in: True the first time its id is seen, False after. It stays
        ``pending`` until ``finish``; ``done`` records a message dropped at once."""
        row = (message.id, self.clock())
        values = row + ((DONE, None, None, None) if done else (PENDING,) + _fields(message))
        with self._lock, self._db:
            cursor = self._db.execute(
                "insert or ignore into handled (id, at, status, sender, kind, body) "
                "values (?, ?, ?, ?, ?, ?)",
                values,
            )
            self._claims += 1
        if self._claims % PRUNE_EVERY == 0:
            self.prune()
        return cursor.rowcount == 1

    def finish(self, message_id: str) -> None:
        """The message was handled: its answer was sent or its failure logged."""
        with self._lock, self._db:
            self._db.execute(
                "update handled set status = ?, sender = null, kind = null, body = null "
                "where id = ?",
                (DONE, message_id),
            )

    def status(self, message_id: str) -> str | None:
        """``pending``, ``done``, or None for an id never taken in (or forgotten)."""
        with self._lock:
            row = self._db.execute(
                "select status from handled where id = ?", (message_id,)
            ).fetchone()
        return row[0] if row else None

    def unfinished(self) -> list[Unfinished]:
        """The pending messages, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "select id, sender, kind, body, at from handled where status = ? "
                "order by at, rowid",
                (PENDING,),
            ).fetchall()
        return [
            Unfinished(Inbound(message_id, sender or "", kind or "unknown", body), at)
            for message_id, sender, kind, body, at in rows
        ]

    def prune(self) -> None:
        """Forget handled ids older than ``keep_seconds`` and all but the newest
        ``max_ids``; pending ones are kept."""
        with self._lock, self._db:
            self._db.execute(
                "delete from handled where status = ? and at < ?",
                (DONE, self.clock() - self.keep_seconds),
            )
            self._db.execute(
                "delete from handled where status = ? and id not in "
                "(select id from handled order by at desc limit ?)",
                (DONE, self.max_ids),
            )

    def handled_count(self) -> int:
        with self._lock:
            return self._db.execute("select count(*) from handled").fetchone()[0]

    # --- consent ----------------------------------------------------------------------

    def opted_out(self, number: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "select opted_out from consent where number = ?", (number,)
            ).fetchone()
        return bool(row and row[0])

    def set_opted_out(self, number: str, opted_out: bool) -> None:
        with self._lock, self._db:
            self._db.execute(
                "insert into consent (number, opted_out, changed_at) values (?, ?, ?) "
                "on conflict(number) do update set opted_out = excluded.opted_out, "
                "changed_at = excluded.changed_at",
                (number, int(opted_out), self.clock()),
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _fields(message: Inbound) -> tuple[str, str, str | None]:
    return message.sender, message.kind, message.text


def owner_only(path: Path) -> None:
    """Create the database file readable and writable by its owner only before SQLite
    opens it (SQLite gives the -wal and -shm files the database's permissions), and
    narrow an existing one and its -wal and -shm files."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    os.close(descriptor)
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if file.exists() and file.stat().st_mode & 0o777 != FILE_MODE:
                os.chmod(file, FILE_MODE)
        except OSError as error:
            logger.warning("WhatsApp: cannot make %s private: %s", file, error)


@dataclass
class _Bucket:
    tokens: float
    updated: float
    noticed: float | None = None


class RateLimiter:
    """A token bucket per sender: ``per_minute`` messages, refilled evenly over a minute.
    Over the limit, ``should_notice`` is True at most once per ``notice_every`` seconds."""

    def __init__(
        self,
        per_minute: int = 20,
        notice_every: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_senders: int = 10_000,
    ) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.notice_every, self.clock, self.max_senders = notice_every, clock, max_senders
        self._buckets: dict[str, _Bucket] = {}

    def allow(self, sender: str) -> bool:
        bucket = self._bucket(sender)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return True
        return False

    def should_notice(self, sender: str) -> bool:
        bucket, now = self._bucket(sender), self.clock()
        if bucket.noticed is not None and now - bucket.noticed < self.notice_every:
            return False
        bucket.noticed = now
        return True

    def _bucket(self, sender: str) -> _Bucket:
        now = self.clock()
        bucket = self._buckets.get(sender)
        if bucket is None:
            if len(self._buckets) >= self.max_senders:
                self._forget_idle(now)
            bucket = self._buckets[sender] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        return bucket

    def _forget_idle(self, now: float) -> None:
        """Drop senders whose bucket is full again and who got no notice lately."""
        full_after = self.capacity / self.rate if self.rate else 0.0
        for sender, bucket in list(self._buckets.items()):
            quiet = bucket.noticed is None or now - bucket.noticed >= self.notice_every
            if quiet and now - bucket.updated >= full_after:
                del self._buckets[sender]
