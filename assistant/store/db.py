"""The store: SQLite through sqlite-utils, the source of truth for decisions and cases.
The only module that talks SQL. The schema changes only through the migrations below,
applied when a store is opened.

Durability: WAL mode, a busy timeout, and write transactions that take the write lock up
front (``BEGIN IMMEDIATE``), so that several processes (two action servers, an import)
can write the same file without losing or duplicating rows."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic_core import to_json
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from assistant.common.free_text import mask_nik
from assistant.common.limits import MAX_RUPIAH
from assistant.store.decision import Decision
from assistant.store.records import (
    Assessment,
    AuditEntry,
    Beneficiary,
    ConflictReport,
    Delivery,
    Referral,
    SafeguardingReport,
    SignOff,
    Subscription,
    Task,
    Transition,
    UmkChange,
    User,
    Village,
)

BUSY_TIMEOUT_MS = 30_000

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


@migrations()
def m002_casework(db: Database) -> None:
    db["decisions"].add_column("subject", str)
    db["decisions"].create_index(["subject"])
    db["users"].create(
        {
            "id": str,
            "name": str,
            "role": str,
            "village_id": str,
            "opted_out": int,
            "created_at": str,
        },
        pk="id",
        not_null={"name", "role"},
        defaults={"opted_out": 0},
    )
    db["villages"].create(
        {
            "id": str,
            "name": str,
            "kecamatan": str,
            "kabupaten": str,
            "province": str,
            "umk": float,
            "umk_year": int,
        },
        pk="id",
        not_null={"name"},
    )
    db["beneficiaries"].create(
        {
            "id": str,
            "name": str,
            "village_id": str,
            "facilitator_id": str,
            "gender": str,
            "disability": int,
            "household_head": int,
            "nik_hash": str,
            "enrolled_on": str,
            "program": str,
            "state": str,
            "state_since": str,
            "welfare_level": str,
        },
        pk="id",
        not_null={"name", "village_id", "facilitator_id", "gender", "state"},
        foreign_keys=[("village_id", "villages", "id"), ("facilitator_id", "users", "id")],
    )
    db["beneficiaries"].create_index(["nik_hash"], unique=True)
    db["beneficiaries"].create_index(["facilitator_id"])
    db["beneficiaries"].create_index(["village_id"])
    db["assessments"].create(
        {
            "id": int,
            "beneficiary_id": str,
            "assessed_on": str,
            "income_monthly": float,
            "umk": float,
            "assets": str,
            "business_status": str,
            "mindset_changed": int,
            "significant_change": int,
            "notes": str,
            "recorded_by": str,
            "decision_id": str,
        },
        pk="id",
        not_null={"beneficiary_id", "assessed_on", "decision_id"},
        foreign_keys=[
            ("beneficiary_id", "beneficiaries", "id"),
            ("decision_id", "decisions", "id"),
        ],
    )
    # one assessment per household per day: re-running an import adds nothing twice
    db["assessments"].create_index(["beneficiary_id", "assessed_on"], unique=True)
    db["transitions"].create(
        {
            "id": int,
            "beneficiary_id": str,
            "from_state": str,
            "to_state": str,
            "decision_id": str,
            "at": str,
            "by": str,
        },
        pk="id",
        not_null={"beneficiary_id", "to_state", "at"},
        foreign_keys=[("beneficiary_id", "beneficiaries", "id")],
    )
    db["transitions"].create_index(["beneficiary_id"])
    db["tasks"].create(
        {
            "id": int,
            "beneficiary_id": str,
            "facilitator_id": str,
            "step": str,
            "title": str,
            "due_on": str,
            "status": str,
            "decision_id": str,
            "done_at": str,
        },
        pk="id",
        not_null={"beneficiary_id", "facilitator_id", "step", "due_on", "status"},
        foreign_keys=[("beneficiary_id", "beneficiaries", "id")],
    )
    db["tasks"].create_index(["facilitator_id", "status", "due_on"])
    db["tasks"].create_index(["beneficiary_id", "status"])
    db["conflicts"].create(
        {
            "id": int,
            "decision_id": str,
            "reporter": str,
            "village_id": str,
            "type": str,
            "category": str,
            "safeguarding": int,
            "status": str,
            "created_at": str,
        },
        pk="id",
        not_null={"decision_id", "type", "category", "status"},
    )


@migrations()
def m003_safeguarding(db: Database) -> None:
    db["safeguarding_reports"].create(
        {
            "id": int,
            "decision_id": str,
            "reporter": str,
            "village_id": str,
            "concerns": str,
            "description": str,
            "status": str,
            "created_at": str,
            "handled_by": str,
            "handled_at": str,
        },
        pk="id",
        not_null={"decision_id", "reporter", "concerns", "status", "created_at"},
    )
    db["safeguarding_reports"].create_index(["status", "created_at"])


@migrations()
def m004_hardening(db: Database) -> None:
    """Koordinators' districts, whole conflict descriptions, and the UMK's history. A UMK
    outside 0 < UMK <= Rp 1 trillion (possible before amounts were bounded) is cleared, so
    that it is asked again instead of crashing every assessment in its village."""
    db["users"].add_column("district", str)
    db["conflicts"].add_column("description", str)
    db["umk_changes"].create(
        {
            "id": int,
            "village_id": str,
            "old_umk": float,
            "new_umk": float,
            "year": int,
            "by": str,
            "at": str,
            "note": str,
        },
        pk="id",
        not_null={"village_id", "by", "at"},
    )
    db["umk_changes"].create_index(["village_id", "id"])
    bad = "umk is not null and (umk <= 0 or umk > ? or umk != umk)"
    now = _now()
    for row in db.query(f"select id, umk, umk_year from villages where {bad}", [MAX_RUPIAH]):
        db["umk_changes"].insert(
            {
                "village_id": row["id"],
                "old_umk": None,  # the old value is not a number worth keeping
                "new_umk": None,
                "year": row["umk_year"],
                "by": "migrasi",
                "at": now,
                "note": "UMK di luar batas dihapus; catat ulang",
            }
        )
    db.execute(f"update villages set umk = null where {bad}", [MAX_RUPIAH])


@migrations()
def m005_household_facts(db: Database) -> None:
    """The facts referrals depend on (age of the head, an elderly member, programs already
    received) and a welfare level only from data. Levels stored before were inferred from
    PENA's two criteria, which the guideline does not support: they are cleared."""
    for column, kind in (
        ("welfare_level_source", str),
        ("dtsen_decile", int),
        ("head_age", int),
        ("elderly_member", int),
        ("other_programs", str),
    ):
        db["beneficiaries"].add_column(column, kind)
    db.execute("update beneficiaries set welfare_level = null")
    db["assessments"].add_column("follow_up", str)


@migrations()
def m006_follow_up(db: Database) -> None:
    """Follow-up that reaches people (issue 14): supervisors' sign-offs on ending aid,
    referrals with a status, the audit trail, the reminders' sent-log, the last message
    each person sent (WhatsApp's 24-hour window), weekly-summary subscriptions, and the
    action taken when a safeguarding report is closed."""
    db["sign_offs"].create(
        {
            "id": int,
            "beneficiary_id": str,
            "verdict": str,
            "reason": str,
            "decided_by": str,
            "decided_at": str,
            "channel": str,
            "from_state": str,
            "evidence": str,
        },
        pk="id",
        not_null={"beneficiary_id", "verdict", "decided_by", "decided_at", "channel"},
        foreign_keys=[("beneficiary_id", "beneficiaries", "id")],
    )
    db["sign_offs"].create_index(["beneficiary_id", "id"])
    db["referrals"].create(
        {
            "id": int,
            "beneficiary_id": str,
            "program": str,
            "referred_on": str,
            "status": str,
            "note": str,
            "created_by": str,
            "updated_by": str,
            "updated_at": str,
            "task_id": int,
        },
        pk="id",
        not_null={"beneficiary_id", "program", "referred_on", "status", "created_by"},
        foreign_keys=[("beneficiary_id", "beneficiaries", "id")],
    )
    db["referrals"].create_index(["beneficiary_id", "id"])
    db["audit_log"].create(
        {
            "id": int,
            "at": str,
            "actor": str,
            "channel": str,
            "household_id": str,
            "kind": str,
            "summary": str,
            "detail": str,
        },
        pk="id",
        not_null={"at", "actor", "channel", "kind"},
    )
    db["audit_log"].create_index(["household_id", "id"])
    db["audit_log"].create_index(["at"])
    db["deliveries"].create(
        {
            "id": int,
            "person": str,
            "kind": str,
            "day": str,
            "task_set": str,
            "status": str,
            "mode": str,
            "message_id": str,
            "attempts": int,
            "error": str,
            "claimed_at": str,
            "sent_at": str,
            "retry_after": str,
        },
        pk="id",
        not_null={"person", "kind", "day", "status", "claimed_at"},
        defaults={"attempts": 0},
    )
    # the sent-log's key: one message per person, kind and (local) day
    db["deliveries"].create_index(["person", "kind", "day"], unique=True)
    db["deliveries"].create_index(["status"])
    db["contacts"].create(
        {"person": str, "last_inbound_at": str}, pk="person", not_null={"last_inbound_at"}
    )
    db["subscriptions"].create(
        {"person": str, "kind": str, "village_id": str, "created_at": str},
        pk=("person", "kind"),
        not_null={"village_id", "created_at"},
    )
    db["safeguarding_reports"].add_column("action_taken", str)
    db["transitions"].add_column("channel", str)


JSON_COLUMNS = ("input", "output", "fired", "citations", "trace")


def private_file(path: Path) -> None:
    """Create ``path`` (if missing) readable and writable by its owner only, and take the
    other permissions off an existing one. SQLite gives its -wal and -shm files the
    database file's permissions."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(descriptor)
    os.chmod(path, 0o600)


class Store:
    """One SQLite file. Safe to share between threads of one process; several processes
    may write the same file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        private_file(self.path)
        connection = sqlite3.connect(
            str(self.path), check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
        self.db = Database(connection)
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.db.enable_wal()
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA foreign_keys = ON")
        self._lock = threading.RLock()
        self._insert_sql: dict[tuple[str, tuple[str, ...]], str] = {}
        with self._lock:
            migrations.apply(self.db)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """One write transaction holding the write lock from its start. Nested uses join
        the outer transaction."""
        with self._lock:
            conn = self.db.conn
            if conn.in_transaction:
                yield self
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def _reading(self) -> Iterator[Database]:
        with self._lock:
            yield self.db

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        """A plain INSERT on the hot path (sqlite-utils introspects the table per call)."""
        columns = tuple(row)
        sql = self._insert_sql.get((table, columns))
        if sql is None:
            names = ", ".join(f"[{c}]" for c in columns)
            sql = f"insert into [{table}] ({names}) values ({', '.join('?' * len(columns))})"
            self._insert_sql[(table, columns)] = sql
        with self.transaction():
            cursor = self.db.conn.execute(
                sql, [_masked(c, _sql_value(row[c])) for c in columns]
            )
            return int(cursor.lastrowid or 0)

    def _one(self, sql: str, args: list[Any]) -> dict[str, Any] | None:
        with self._lock:
            cursor = self.db.conn.execute(sql, args)
            row = cursor.fetchone()
            if row is None:
                return None
            return dict(zip([d[0] for d in cursor.description], row, strict=True))

    # --- decisions -----------------------------------------------------------------

    def save_decision(self, decision: Decision, subject: str | None = None) -> None:
        # pydantic's own serializer writes each JSON column directly (a hot path: one
        # decision per assessment in an import)
        row = {
            "id": decision.id,
            "kind": decision.kind,
            "created_at": decision.created_at.isoformat(),
            "actor": decision.actor,
            "channel": decision.channel,
            "knowledge_version": decision.knowledge_version,
            **{column: to_json(getattr(decision, column)).decode() for column in JSON_COLUMNS},
            "subject": subject,
        }
        self._insert("decisions", row)

    def get_decision(self, decision_id: str) -> Decision | None:
        with self._reading() as db:
            rows = list(db["decisions"].rows_where("id = ?", [decision_id]))
        return _decision(rows[0]) if rows else None

    def decision_subject(self, decision_id: str) -> str | None:
        """The household a decision concerns (None for general guidance)."""
        row = self._one("select subject from decisions where id = ?", [decision_id])
        return row["subject"] if row else None

    def count_decisions(self, kind: str | None = None) -> int:
        with self._reading() as db:
            if kind is None:
                return db["decisions"].count
            return db["decisions"].count_where("kind = ?", [kind])

    def recent_decisions(self, limit: int = 20) -> list[Decision]:
        with self._reading() as db:
            rows = db["decisions"].rows_where(order_by="created_at desc", limit=limit)
            return [_decision(row) for row in rows]

    def decision_rows(
        self, since: str | None = None, village: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Decisions for export, oldest first (village: via the household they concern)."""
        where, args = _where([("d.created_at >= ?", since), ("b.village_id = ?", village)])
        sql = (
            "select d.id, d.kind, d.created_at, d.actor, d.channel, d.knowledge_version, "
            "d.subject, b.village_id, d.input, d.output, d.fired, d.citations "
            "from decisions d left join beneficiaries b on b.id = d.subject "
            f"where {where} order by d.created_at"
        )
        with self._reading() as db:
            yield from (dict(row) for row in db.query(sql, args))

    # --- users and villages --------------------------------------------------------

    def add_user(self, user: User) -> None:
        row = user.model_dump()
        row["created_at"] = datetime.now().isoformat(timespec="seconds")
        with self.transaction():
            self.db["users"].insert(row)

    def upsert_user(self, user: User) -> None:
        with self.transaction():
            self.db["users"].upsert(user.model_dump(), pk="id")

    def mirror_user(self, user: User) -> None:
        """Keep a copy of ``user`` (e.g. a trainer's in the sandbox); writes only when stale."""
        if self.get_user(user.id) != user:
            self.upsert_user(user)

    def get_user(self, user_id: str) -> User | None:
        row = self._one("select * from users where id = ?", [user_id])
        return User.model_validate(row) if row else None

    def list_users(self) -> list[User]:
        with self._reading() as db:
            return [User.model_validate(r) for r in db["users"].rows_where(order_by="id")]

    def count_users(self) -> int:
        with self._reading() as db:
            return db["users"].count

    def add_village(self, village: Village, by: str = "") -> None:
        """A new village; a UMK given with it starts the village's UMK history."""
        with self.transaction():
            self.db["villages"].insert(village.model_dump())
            if village.umk is not None:
                self._insert(
                    "umk_changes",
                    UmkChange(
                        village_id=village.id,
                        old_umk=None,
                        new_umk=village.umk,
                        year=village.umk_year,
                        by=by or "?",
                        at=datetime.now(),
                        note="desa ditambahkan",
                    ).model_dump(mode="json", exclude={"id"}),
                )

    def upsert_village(self, village: Village) -> None:
        with self.transaction():
            self.db["villages"].upsert(village.model_dump(), pk="id")

    def get_village(self, village_id: str) -> Village | None:
        row = self._one("select * from villages where id = ?", [village_id])
        return Village.model_validate(row) if row else None

    def list_villages(self) -> list[Village]:
        with self._reading() as db:
            return [Village.model_validate(r) for r in db["villages"].rows_where(order_by="id")]

    def set_umk(
        self, village_id: str, umk: float | None, year: int | None, by: str, note: str = ""
    ) -> None:
        """Change a village's UMK and keep the change (old and new value, who, when)."""
        with self.transaction():
            old = self._one("select umk from villages where id = ?", [village_id])
            self.db["villages"].update(village_id, {"umk": umk, "umk_year": year})
            self._insert(
                "umk_changes",
                UmkChange(
                    village_id=village_id,
                    old_umk=old["umk"] if old else None,
                    new_umk=umk,
                    year=year,
                    by=by,
                    at=datetime.now(),
                    note=note,
                ).model_dump(mode="json", exclude={"id"}),
            )

    def umk_history(self, village_id: str) -> list[UmkChange]:
        with self._reading() as db:
            rows = db["umk_changes"].rows_where("village_id = ?", [village_id], order_by="id")
            return [UmkChange.model_validate(r) for r in rows]

    def has_nik_hashes(self) -> bool:
        """Whether any household was registered with a NIK (then the salt must not change)."""
        found = self._one("select 1 as found from beneficiaries where nik_hash is not null", [])
        return found is not None

    # --- beneficiaries -------------------------------------------------------------

    def add_beneficiary(self, beneficiary: Beneficiary) -> None:
        self._insert("beneficiaries", beneficiary.model_dump(mode="json"))

    def get_beneficiary(self, beneficiary_id: str) -> Beneficiary | None:
        row = self._one("select * from beneficiaries where id = ?", [beneficiary_id])
        return Beneficiary.model_validate(row) if row else None

    def find_beneficiary_by_nik(self, nik_hash: str) -> Beneficiary | None:
        row = self._one("select * from beneficiaries where nik_hash = ?", [nik_hash])
        return Beneficiary.model_validate(row) if row else None

    def list_beneficiaries(
        self,
        facilitator: str | None = None,
        village: str | None = None,
        name_like: str | None = None,
        limit: int | None = None,
    ) -> list[Beneficiary]:
        where, args = self._households_where(facilitator, village, name_like)
        with self._reading() as db:
            rows = db["beneficiaries"].rows_where(where, args, order_by="name", limit=limit)
            return [Beneficiary.model_validate(r) for r in rows]

    def count_households(
        self, facilitator: str | None = None, village: str | None = None
    ) -> int:
        where, args = self._households_where(facilitator, village, None)
        with self._reading() as db:
            return db["beneficiaries"].count_where(where, args)

    @staticmethod
    def _households_where(
        facilitator: str | None, village: str | None, name_like: str | None
    ) -> tuple[str, list[Any]]:
        return _where(
            [
                ("facilitator_id = ?", facilitator),
                ("village_id = ?", village),
                ("lower(name) like ?", f"%{name_like.lower()}%" if name_like else None),
            ]
        )

    def beneficiaries_named(
        self,
        words: list[str],
        facilitator: str | None = None,
        village: str | None = None,
        limit: int = 50,
    ) -> list[Beneficiary]:
        """Households whose name contains any of ``words`` (a first look for a name in a
        message: the caller picks the best match), never more than ``limit``."""
        words = [w.lower() for w in words if w][:20]
        if not words:
            return []
        named = " or ".join("lower(name) like ?" for _ in words)
        where, args = _where(
            [("facilitator_id = ?", facilitator), ("village_id = ?", village)],
            base=f"({named})",
        )
        with self._reading() as db:
            rows = db["beneficiaries"].rows_where(
                where, [f"%{w}%" for w in words] + args, order_by="name", limit=limit
            )
            return [Beneficiary.model_validate(r) for r in rows]

    def count_beneficiaries(self) -> int:
        with self._reading() as db:
            return db["beneficiaries"].count

    def move_case(self, beneficiary_id: str, state: str) -> None:
        with self.transaction():
            self.db.conn.execute(
                "update beneficiaries set state = ?, state_since = ? where id = ?",
                [state, _now(), beneficiary_id],
            )

    def set_household_facts(self, beneficiary_id: str, facts: dict[str, Any]) -> None:
        """Change what is known about a household (see ``Beneficiary``); None clears."""
        allowed = {
            "head_age",
            "elderly_member",
            "other_programs",
            "disability",
            "welfare_level",
            "welfare_level_source",
            "dtsen_decile",
        }
        changes = {k: _sql_value(v) for k, v in facts.items() if k in allowed}
        if changes:
            with self.transaction():
                self.db["beneficiaries"].update(beneficiary_id, changes)

    def record_follow_up(self, beneficiary_id: str, follow_up: str) -> None:
        """The graduate's follow-up choice, chosen when the graduation was communicated,
        kept with the assessment that graduated them."""
        with self.transaction():
            self.db.conn.execute(
                "update assessments set follow_up = ? where id = (select id from assessments "
                "where beneficiary_id = ? order by assessed_on desc, id desc limit 1)",
                [follow_up, beneficiary_id],
            )

    def latest_follow_up(self, beneficiary_id: str) -> str | None:
        """The follow-up recorded with a household's latest assessment."""
        row = self._one(
            "select follow_up from assessments where beneficiary_id = ? "
            "order by assessed_on desc, id desc limit 1",
            [beneficiary_id],
        )
        return row["follow_up"] if row else None

    def latest_graduation(self, beneficiary_id: str) -> Decision | None:
        """The graduation decision of a household's latest assessment."""
        row = self._one(
            "select decision_id from assessments where beneficiary_id = ? "
            "order by assessed_on desc, id desc limit 1",
            [beneficiary_id],
        )
        return self.get_decision(row["decision_id"]) if row else None

    # --- assessments and transitions -----------------------------------------------

    def has_assessment(self, beneficiary_id: str, assessed_on: date) -> bool:
        found = self._one(
            "select 1 as found from assessments where beneficiary_id = ? and assessed_on = ?",
            [beneficiary_id, assessed_on.isoformat()],
        )
        return found is not None

    def add_assessment(self, assessment: Assessment) -> int:
        return self._insert("assessments", assessment.model_dump(mode="json", exclude={"id"}))

    def assessments_of(self, beneficiary_id: str) -> list[Assessment]:
        with self._reading() as db:
            rows = db["assessments"].rows_where(
                "beneficiary_id = ?", [beneficiary_id], order_by="assessed_on, id"
            )
            return [Assessment.model_validate(r) for r in rows]

    def add_transition(self, transition: Transition) -> None:
        self._insert("transitions", transition.model_dump(mode="json", exclude={"id"}))

    def transitions_of(self, beneficiary_id: str) -> list[Transition]:
        with self._reading() as db:
            rows = db["transitions"].rows_where(
                "beneficiary_id = ?", [beneficiary_id], order_by="id"
            )
            return [Transition.model_validate(r) for r in rows]

    # --- tasks ---------------------------------------------------------------------

    def add_tasks(self, tasks: list[Task]) -> None:
        with self.transaction():
            for task in tasks:
                self._insert("tasks", task.model_dump(mode="json", exclude={"id"}))

    def supersede_open_tasks(self, beneficiary_id: str) -> None:
        with self.transaction():
            self.db.conn.execute(
                "update tasks set status = 'diganti' "
                "where beneficiary_id = ? and status = 'terbuka'",
                [beneficiary_id],
            )

    def open_tasks(
        self,
        facilitator: str | None = None,
        until: date | None = None,
        beneficiary: str | None = None,
    ) -> list[Task]:
        where, args = _where(
            [
                ("facilitator_id = ?", facilitator),
                ("beneficiary_id = ?", beneficiary),
                ("due_on <= ?", until.isoformat() if until else None),
            ],
            base="status = 'terbuka'",
        )
        with self._reading() as db:
            rows = db["tasks"].rows_where(where, args, order_by="due_on, id")
            return [Task.model_validate(r) for r in rows]

    def count_due_tasks(self, village: str, step: str, until: date) -> int:
        """Open tasks of one step, due by ``until``, for the households of a village."""
        row = self._one(
            "select count(*) as due from tasks t join beneficiaries b on b.id = t.beneficiary_id "
            "where t.status = 'terbuka' and t.step = ? and t.due_on <= ? and b.village_id = ?",
            [step, until.isoformat(), village],
        )
        return int(row["due"]) if row else 0

    def get_task(self, task_id: int) -> Task | None:
        with self._reading() as db:
            rows = list(db["tasks"].rows_where("id = ?", [task_id]))
        return Task.model_validate(rows[0]) if rows else None

    def finish_task(self, task_id: int) -> None:
        with self.transaction():
            self.db["tasks"].update(task_id, {"status": "selesai", "done_at": _now()})

    # --- conflicts -----------------------------------------------------------------

    def add_conflict(self, report: ConflictReport) -> int:
        with self.transaction():
            row = report.model_dump(mode="json", exclude={"id"})
            table = self.db["conflicts"].insert({c: _masked(c, v) for c, v in row.items()})
            return int(table.last_pk)

    def conflicts(self, status: str | None = None) -> list[ConflictReport]:
        where, args = ("status = ?", [status]) if status else ("1 = 1", [])
        with self._reading() as db:
            rows = db["conflicts"].rows_where(where, args, order_by="id")
            return [ConflictReport.model_validate(r) for r in rows]

    # --- safeguarding --------------------------------------------------------------

    def add_safeguarding_report(self, report: SafeguardingReport) -> int:
        return self._insert("safeguarding_reports", report.model_dump(mode="json", exclude={"id"}))

    def safeguarding_reports(self, status: str | None = None) -> list[SafeguardingReport]:
        where, args = ("status = ?", [status]) if status else ("1 = 1", [])
        with self._reading() as db:
            rows = db["safeguarding_reports"].rows_where(where, args, order_by="id")
            return [SafeguardingReport.model_validate(r) for r in rows]

    def close_safeguarding_report(
        self, report_id: int, by: str, action: str | None = None
    ) -> bool:
        with self.transaction():
            cursor = self.db.conn.execute(
                "update safeguarding_reports set status = 'ditindaklanjuti', handled_by = ?, "
                "handled_at = ?, action_taken = ? where id = ? and status = 'baru'",
                [by, _now(), _masked("action_taken", action), report_id],
            )
            return cursor.rowcount == 1

    # --- reports -------------------------------------------------------------------

    def case_rows(
        self, village: str | None = None, since: str | None = None
    ) -> list[dict[str, Any]]:
        """One row per household with what reports and exports need (no NIK hash)."""
        where, args = _where([("b.village_id = ?", village), ("b.state_since >= ?", since)])
        sql = (
            "select b.id, b.name, b.village_id, v.name as village, b.facilitator_id, b.gender, "
            "b.disability, b.household_head, b.enrolled_on, b.program, b.state, b.state_since, "
            "b.welfare_level, b.welfare_level_source "
            "from beneficiaries b left join villages v on v.id = b.village_id "
            f"where {where} order by b.village_id, b.name"
        )
        with self._reading() as db:
            return [dict(row) for row in db.query(sql, args)]


    # --- follow-up: audit trail ----------------------------------------------------

    def add_audit(self, entry: AuditEntry) -> int:
        row = entry.model_dump(mode="json", exclude={"id"})
        return self._insert("audit_log", row)

    def audit_of(self, household_id: str) -> list[AuditEntry]:
        with self._reading() as db:
            rows = db["audit_log"].rows_where("household_id = ?", [household_id], order_by="id")
            return [AuditEntry.model_validate(r) for r in rows]

    def audit_rows(
        self, since: str | None = None, village: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """The audit trail for export, oldest first (village: via the household)."""
        where, args = _where([("a.at >= ?", since), ("b.village_id = ?", village)])
        sql = (
            "select a.id, a.at, a.actor, a.channel, a.household_id, b.village_id, a.kind, "
            "a.summary, a.detail from audit_log a "
            "left join beneficiaries b on b.id = a.household_id "
            f"where {where} order by a.id"
        )
        with self._reading() as db:
            yield from (dict(row) for row in db.query(sql, args))

    def decisions_about(self, subject: str) -> list[dict[str, Any]]:
        """Who decided what about one household, and through which channel."""
        sql = (
            "select id, kind, channel, actor, created_at from decisions where subject = ? "
            "order by created_at"
        )
        with self._reading() as db:
            return [dict(row) for row in db.query(sql, [subject])]

    def transition_rows(
        self, since: str | None = None, village: str | None = None
    ) -> list[dict[str, Any]]:
        """Every state change with the channel of the decision behind it (if any)."""
        where, args = _where([("t.at >= ?", since), ("b.village_id = ?", village)])
        sql = (
            "select t.at, t.by as actor, coalesce(t.channel, d.channel, '-') as channel, "
            "t.beneficiary_id as household_id, b.village_id, t.from_state, t.to_state, "
            "t.decision_id from transitions t "
            "join beneficiaries b on b.id = t.beneficiary_id "
            "left join decisions d on d.id = t.decision_id "
            f"where {where} order by t.id"
        )
        with self._reading() as db:
            return [dict(row) for row in db.query(sql, args)]

    # --- follow-up: sign-off of ending aid -----------------------------------------

    def add_sign_off(self, sign_off: SignOff) -> int:
        return self._insert("sign_offs", sign_off.model_dump(mode="json", exclude={"id"}))

    def sign_offs_of(self, beneficiary_id: str) -> list[SignOff]:
        with self._reading() as db:
            rows = db["sign_offs"].rows_where("beneficiary_id = ?", [beneficiary_id], order_by="id")
            return [SignOff.model_validate(r) for r in rows]

    def households_in_state(self, state: str) -> list[Beneficiary]:
        with self._reading() as db:
            rows = db["beneficiaries"].rows_where("state = ?", [state], order_by="state_since")
            return [Beneficiary.model_validate(r) for r in rows]

    # --- follow-up: referrals ------------------------------------------------------

    def add_referral(self, referral: Referral) -> int:
        return self._insert("referrals", referral.model_dump(mode="json", exclude={"id"}))

    def get_referral(self, referral_id: int) -> Referral | None:
        row = self._one("select * from referrals where id = ?", [referral_id])
        return Referral.model_validate(row) if row else None

    def set_referral_status(self, referral_id: int, status: str, by: str, note: str) -> None:
        with self.transaction():
            self.db.conn.execute(
                "update referrals set status = ?, updated_by = ?, updated_at = ?, "
                "note = case when ? = '' then note else ? end where id = ?",
                [status, by, _now(), note, _masked("note", note), referral_id],
            )

    def referrals_of(self, beneficiary_id: str) -> list[Referral]:
        with self._reading() as db:
            rows = db["referrals"].rows_where("beneficiary_id = ?", [beneficiary_id], order_by="id")
            return [Referral.model_validate(r) for r in rows]

    def referral_rows(self, village: str | None = None) -> list[dict[str, Any]]:
        """One row per referral with its household's village and facilitator."""
        where, args = _where([("b.village_id = ?", village)])
        sql = (
            "select r.id, r.beneficiary_id, b.village_id, b.facilitator_id, r.program, "
            "r.referred_on, r.status from referrals r "
            f"join beneficiaries b on b.id = r.beneficiary_id where {where} order by r.id"
        )
        with self._reading() as db:
            return [dict(row) for row in db.query(sql, args)]

    # --- follow-up: reminders --------------------------------------------------------

    def due_task_rows(self, until: date) -> list[dict[str, Any]]:
        """Open tasks due by ``until`` with what a reminder needs: the household's name
        and its village's province (for the time zone)."""
        sql = (
            "select t.id, t.facilitator_id, t.beneficiary_id, t.step, t.title, t.due_on, "
            "b.name as household, b.village_id, v.province from tasks t "
            "join beneficiaries b on b.id = t.beneficiary_id "
            "left join villages v on v.id = b.village_id "
            "where t.status = 'terbuka' and t.due_on <= ? order by t.facilitator_id, t.due_on, t.id"
        )
        with self._reading() as db:
            return [dict(row) for row in db.query(sql, [until.isoformat()])]

    def task_rows_of(self, beneficiary_id: str) -> list[dict[str, Any]]:
        """Every task of a household, done or not, oldest first."""
        with self._reading() as db:
            rows = db["tasks"].rows_where("beneficiary_id = ?", [beneficiary_id], order_by="id")
            return list(rows)

    def last_task_id(self, beneficiary_id: str) -> int | None:
        row = self._one(
            "select max(id) as id from tasks where beneficiary_id = ?", [beneficiary_id]
        )
        return int(row["id"]) if row and row["id"] is not None else None

    def postpone_task(self, task_id: int, due_on: date) -> None:
        with self.transaction():
            self.db["tasks"].update(task_id, {"due_on": due_on.isoformat()})

    def claim_delivery(
        self, person: str, kind: str, day: date, task_set: str, now: datetime
    ) -> Delivery | None:
        """Take the sent-log's row for (person, kind, day) before sending: a new row, or
        one a rate limit put off whose time has come. None when the row exists otherwise
        (sent, being sent, failed or uncertain): nothing is sent twice."""
        stamp = now.isoformat(timespec="seconds")
        with self.transaction():
            cursor = self.db.conn.execute(
                "insert or ignore into deliveries (person, kind, day, task_set, status, "
                "attempts, claimed_at) values (?, ?, ?, ?, 'mengirim', 1, ?)",
                [person, kind, day.isoformat(), task_set, stamp],
            )
            if cursor.rowcount != 1:
                cursor = self.db.conn.execute(
                    "update deliveries set status = 'mengirim', attempts = attempts + 1, "
                    "claimed_at = ?, task_set = ? where person = ? and kind = ? and day = ? "
                    "and status = 'ditunda' and (retry_after is null or retry_after <= ?)",
                    [stamp, task_set, person, kind, day.isoformat(), stamp],
                )
                if cursor.rowcount != 1:
                    return None
            row = self._one(
                "select * from deliveries where person = ? and kind = ? and day = ?",
                [person, kind, day.isoformat()],
            )
        return Delivery.model_validate(row)

    def finish_delivery(
        self,
        delivery_id: int,
        status: str,
        mode: str = "",
        message_id: str | None = None,
        error: str = "",
        retry_after: datetime | None = None,
    ) -> None:
        with self.transaction():
            self.db.conn.execute(
                "update deliveries set status = ?, mode = ?, message_id = ?, error = ?, "
                "retry_after = ?, sent_at = case when ? = 'terkirim' then ? else sent_at end "
                "where id = ?",
                [
                    status,
                    mode,
                    message_id,
                    error[:500],
                    retry_after.isoformat(timespec="seconds") if retry_after else None,
                    status,
                    _now(),
                    delivery_id,
                ],
            )

    def unsettled_deliveries(self, claimed_before: datetime) -> list[Delivery]:
        """Rows still ``mengirim`` claimed before this time: a run stopped between taking
        the row and logging the answer (see assistant/casework/reminders.py)."""
        with self._reading() as db:
            rows = db["deliveries"].rows_where(
                "status = 'mengirim' and claimed_at < ?",
                [claimed_before.isoformat(timespec="seconds")],
                order_by="id",
            )
            return [Delivery.model_validate(r) for r in rows]

    def deliveries(self, person: str | None = None) -> list[Delivery]:
        where, args = _where([("person = ?", person)])
        with self._reading() as db:
            rows = db["deliveries"].rows_where(where, args, order_by="id")
            return [Delivery.model_validate(r) for r in rows]

    def count_deliveries(self, since: datetime, person: str | None = None) -> int:
        """Messages sent or possibly sent (claimed, uncertain) since ``since``."""
        where, args = _where(
            [("person = ?", person)],
            base="status in ('terkirim', 'mengirim', 'tidak_pasti') and claimed_at >= ?",
        )
        row = self._one(
            f"select count(*) as n from deliveries where {where}",
            [since.isoformat(timespec="seconds"), *args],
        )
        return int(row["n"]) if row else 0

    def note_inbound(self, person: str, at: datetime) -> None:
        """The person wrote to us at ``at`` (opens WhatsApp's 24-hour window)."""
        with self.transaction():
            self.db.conn.execute(
                "insert into contacts (person, last_inbound_at) values (?, ?) "
                "on conflict(person) do update set last_inbound_at = "
                "max(last_inbound_at, excluded.last_inbound_at)",
                [person, at.isoformat(timespec="seconds")],
            )

    def last_inbound(self, person: str) -> datetime | None:
        row = self._one("select last_inbound_at from contacts where person = ?", [person])
        return datetime.fromisoformat(row["last_inbound_at"]) if row else None

    def subscribe(self, subscription: Subscription) -> None:
        with self.transaction():
            self.db["subscriptions"].upsert(
                subscription.model_dump(mode="json"), pk=("person", "kind")
            )

    def unsubscribe(self, person: str, kind: str) -> bool:
        with self.transaction():
            cursor = self.db.conn.execute(
                "delete from subscriptions where person = ? and kind = ?", [person, kind]
            )
            return cursor.rowcount == 1

    def subscriptions(self, kind: str) -> list[Subscription]:
        with self._reading() as db:
            rows = db["subscriptions"].rows_where("kind = ?", [kind], order_by="person")
            return [Subscription.model_validate(r) for r in rows]


def _where(conditions: list[tuple[str, Any]], base: str = "1 = 1") -> tuple[str, list[Any]]:
    """A WHERE clause and its arguments from (clause, value) pairs; unset values are skipped."""
    chosen = [(clause, value) for clause, value in conditions if value]
    return " and ".join([base] + [clause for clause, _ in chosen]), [v for _, v in chosen]


# Columns that hold a NIK on purpose (its salted hash); every other text is masked.
_NIK_COLUMNS = frozenset({"nik_hash"})


def _masked(column: str, value: Any) -> Any:
    """A NIK typed into free text (a report, a note, a decision's input) is never stored:
    16-digit runs become [NIK] (assistant.common.free_text)."""
    if isinstance(value, str) and column not in _NIK_COLUMNS:
        return mask_nik(value)
    return value


def _sql_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def _decision(row: dict[str, Any]) -> Decision:
    data = dict(row)
    data.pop("subject", None)
    for column in JSON_COLUMNS:
        data[column] = json.loads(data[column])
    return Decision.model_validate(data)
