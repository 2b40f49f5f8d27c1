"""State of the WhatsApp channel: handled message ids and opt-outs in a small SQLite file
of its own, and the per-sender rate limit in memory. Standard library only."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

KEEP_IDS_SECONDS = 48 * 3600
MAX_IDS = 100_000
PRUNE_EVERY = 1000  # claims between two clean-ups of old ids

_SCHEMA = """
create table if not exists handled (id text primary key, at real not null);
create index if not exists handled_at on handled (at);
create table if not exists consent (
    number text primary key,
    opted_out integer not null,
    changed_at real not null
);
"""


class ChannelState:
    """Which message ids were handled (so a WhatsApp retry is handled once, also after a
    restart) and which numbers opted out, with the time they did."""

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
        self._db = sqlite3.connect(str(path), timeout=10, check_same_thread=False)
        self._db.execute("pragma journal_mode=wal")
        self._db.executescript(_SCHEMA)
        self.prune()

    def claim(self, message_id: str) -> bool:
        """True the first time this id is seen (then it is remembered), False after."""
        with self._lock, self._db:
            cursor = self._db.execute(
                "insert or ignore into handled (id, at) values (?, ?)", (message_id, self.clock())
            )
            self._claims += 1
        if self._claims % PRUNE_EVERY == 0:
            self.prune()
        return cursor.rowcount == 1

    def prune(self) -> None:
        """Forget ids older than ``keep_seconds`` and all but the newest ``max_ids``."""
        with self._lock, self._db:
            self._db.execute(
                "delete from handled where at < ?", (self.clock() - self.keep_seconds,)
            )
            self._db.execute(
                "delete from handled where id not in "
                "(select id from handled order by at desc limit ?)",
                (self.max_ids,),
            )

    def handled_count(self) -> int:
        with self._lock:
            return self._db.execute("select count(*) from handled").fetchone()[0]

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
