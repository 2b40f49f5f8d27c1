"""The audit trail an inspector reads: for one household, every state change, decision,
sign-off, referral update and reminder, with who did it, through which channel and when.

State changes and decisions are already kept in their own tables (``transitions``,
``decisions``); everything else this work adds (sign-offs, referrals, reminders, closed
safeguarding reports) writes an ``audit_log`` row in the same transaction as the change
itself. ``trail`` merges the three, oldest first."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from assistant.casework import access
from assistant.casework.access import Forbidden, require
from assistant.common.texts import text
from assistant.store.db import Store
from assistant.store.records import AuditEntry, User

STATE_CHANGE, DECISION = "perubahan_status", "keputusan"
SIGN_OFF, REFERRAL, REMINDER, SAFEGUARDING, TASK = (
    "tanda_tangan",
    "rujukan",
    "pengingat",
    "perlindungan",
    "tugas",
)


def note(
    store: Store,
    *,
    actor: str,
    channel: str,
    kind: str,
    summary: str,
    household: str | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> int:
    """Write one audit row (call it inside the transaction of the change it records)."""
    return store.add_audit(
        AuditEntry(
            at=at or datetime.now(),
            actor=actor,
            channel=channel,
            household_id=household,
            kind=kind,
            summary=summary,
            detail=detail or {},
        )
    )


def trail(store: Store, actor: User, household_id: str) -> list[AuditEntry]:
    """The whole trail of one household, for someone who may read it (an admin, the
    koordinator of its district, its facilitator); otherwise "not found"."""
    household = store.get_beneficiary(household_id)
    village = store.get_village(household.village_id) if household else None
    if household is None or not access.can_read_audit(actor, household, village):
        raise Forbidden(text("casework.unknown_household", household=household_id), "household")
    entries = list(store.audit_of(household.id))
    channels: dict[str, str] = {}
    for row in store.decisions_about(household.id):
        channels[row["id"]] = row["channel"]
        entries.append(
            AuditEntry(
                at=datetime.fromisoformat(row["created_at"]),
                actor=row["actor"],
                channel=row["channel"],
                household_id=household.id,
                kind=DECISION,
                summary=text("followup.audit_decision", kind=row["kind"], decision=row["id"]),
                detail={"decision_id": row["id"]},
            )
        )
    for change in store.transitions_of(household.id):
        entries.append(
            AuditEntry(
                at=change.at,
                actor=change.by,
                channel=change.channel or channels.get(change.decision_id or "", "-"),
                household_id=household.id,
                kind=STATE_CHANGE,
                summary=text("followup.audit_state", old=change.from_state, new=change.to_state),
                detail={"decision_id": change.decision_id},
            )
        )
    return sorted(entries, key=lambda e: _naive(e.at))


def _naive(at: datetime) -> datetime:
    return at.replace(tzinfo=None)


def export_rows(
    store: Store, actor: User, since: str | None, village: str | None
) -> list[dict[str, Any]]:
    """The audit trail for an export: state changes and the audit log, oldest first."""
    require(access.can_count_all(actor), "export")
    rows: list[dict[str, Any]] = []
    for change in store.transition_rows(since=since, village=village):
        rows.append(
            {
                "at": change["at"],
                "actor": change["actor"],
                "channel": change["channel"],
                "household_id": change["household_id"],
                "village_id": change["village_id"],
                "kind": STATE_CHANGE,
                "summary": text(
                    "followup.audit_state", old=change["from_state"], new=change["to_state"]
                ),
                "detail": json.dumps({"decision_id": change["decision_id"]}),
            }
        )
    for entry in store.audit_rows(since=since, village=village):
        entry.pop("id", None)
        rows.append(entry)
    return sorted(rows, key=lambda r: str(r["at"]))


def lines(entries: list[AuditEntry]) -> list[str]:
    return [
        f"{e.at:%Y-%m-%d %H:%M:%S}  {e.kind:<16} {e.actor:<16} {e.channel:<10} {e.summary}"
        for e in entries
    ]
