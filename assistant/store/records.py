"""Records the store keeps for casework: users, villages, beneficiaries (households),
assessments, case transitions, follow-up tasks and conflict reports."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.common.limits import MAX_NAME, MAX_RUPIAH
from assistant.knowledge.models.interventions import BUSINESS_STAGE

ROLES = ("pejabat_desa", "pendamping", "koordinator", "pelatih", "admin")
Role = Literal["pejabat_desa", "pendamping", "koordinator", "pelatih", "admin"]
Gender = Literal["L", "P"]
TaskStatus = Literal["terbuka", "selesai", "diganti"]


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore")


class User(Record):
    id: str = Field(min_length=1, max_length=64, description="phone number (62...) or another id")
    name: str = Field(min_length=1, max_length=MAX_NAME)
    role: Role
    village_id: str | None = None
    # the district (kabupaten) a koordinator supervises
    district: str | None = None
    # (users.opted_out, a column of version 0.1 databases, is unused: WhatsApp consent lives
    # with the channel's delivery state, assistant/channels/whatsapp_state.py)


class Village(Record):
    id: str = Field(pattern=r"^[a-z0-9_]+$", max_length=64)
    name: str = Field(max_length=MAX_NAME)
    kecamatan: str = Field(default="", max_length=MAX_NAME)
    kabupaten: str = Field(default="", max_length=MAX_NAME)
    province: str = Field(default="", max_length=MAX_NAME)
    umk: float | None = Field(default=None, gt=0, le=MAX_RUPIAH, allow_inf_nan=False)
    umk_year: int | None = Field(default=None, ge=1900, le=2200)


class UmkChange(Record):
    """One change of a village's UMK: who, when, the old and new value, and its year."""

    id: int | None = None
    village_id: str
    old_umk: float | None
    new_umk: float | None
    year: int | None
    by: str
    at: datetime
    note: str = ""


class Beneficiary(Record):
    id: str
    name: str
    village_id: str
    facilitator_id: str
    gender: Gender
    disability: bool = False
    household_head: bool = True
    nik_hash: str | None = None
    enrolled_on: date
    program: str | None = None
    state: str
    state_since: datetime
    # a ladder level (3.3.7) only from data: recorded by a person or from a registry, with
    # where it came from; never inferred from an assessment
    welfare_level: str | None = None
    welfare_level_source: str | None = None
    dtsen_decile: int | None = Field(default=None, ge=1, le=10)
    # facts that decide which programs a household can be referred to (None: not known)
    head_age: int | None = Field(default=None, ge=0, le=130)
    elderly_member: bool | None = None
    other_programs: list[str] | None = None

    @field_validator("other_programs", mode="before")
    @classmethod
    def _programs_from_text(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value


class Assessment(Record):
    id: int | None = None
    beneficiary_id: str
    assessed_on: date
    income_monthly: float = Field(ge=0, le=MAX_RUPIAH, allow_inf_nan=False)
    umk: float = Field(gt=0, le=MAX_RUPIAH, allow_inf_nan=False)
    assets: str = ""
    business_status: BUSINESS_STAGE | None = None
    mindset_changed: bool
    significant_change: bool | None = None
    notes: str = ""
    recorded_by: str
    decision_id: str
    # the graduate's choice (3.3.7): pendampingan_lanjutan, rujukan or keduanya
    follow_up: str | None = None


class Transition(Record):
    id: int | None = None
    beneficiary_id: str
    from_state: str
    to_state: str
    decision_id: str | None
    at: datetime
    by: str
    # the channel the change came through (None in rows written before it was kept)
    channel: str | None = None


class Task(Record):
    id: int | None = None
    beneficiary_id: str
    facilitator_id: str
    step: str
    title: str
    due_on: date
    status: TaskStatus = "terbuka"
    decision_id: str | None = None
    done_at: datetime | None = None


class ConflictReport(Record):
    id: int | None = None
    decision_id: str
    reporter: str
    village_id: str | None = None
    type: str
    category: str
    safeguarding: bool
    status: Literal["baru", "ditindaklanjuti", "selesai"] = "baru"
    created_at: datetime
    # the reporter's whole description (the decision keeps what the rules needed of it)
    description: str | None = None


class SafeguardingReport(Record):
    """A report of harm, kept for an admin's follow-up. The reporter's id is stored for
    that follow-up only and is never repeated in any message to anyone else."""

    id: int | None = None
    decision_id: str
    reporter: str
    village_id: str | None = None
    concerns: list[str]
    description: str = ""
    status: Literal["baru", "ditindaklanjuti"] = "baru"
    created_at: datetime
    handled_by: str | None = None
    handled_at: datetime | None = None
    # what the admin did about it, written when the report is closed
    action_taken: str | None = None

    @field_validator("concerns", mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value


# --- follow-up: sign-off, referrals, reminders, the audit trail ---------------------------

# The household state after a supervisor approved ending its aid (3.3.7, the last step of
# the not-graduated path). Nothing else moves a case there.
AID_ENDED = "bantuan_dihentikan"
SignOffVerdict = Literal["disetujui", "ditolak", "evaluasi_lagi"]
ReferralStatus = Literal["diajukan", "diterima", "ditolak", "selesai"]
REFERRAL_STATUSES: tuple[str, ...] = ("diajukan", "diterima", "ditolak", "selesai")
SendStatus = Literal["mengirim", "terkirim", "ditunda", "gagal", "tidak_pasti"]


class SignOff(Record):
    """A supervisor's decision on ending a household's aid: who, when, why, through which
    channel, and the evidence they were shown (kept as it was at that moment)."""

    id: int | None = None
    beneficiary_id: str
    verdict: SignOffVerdict
    reason: str = ""
    decided_by: str
    decided_at: datetime
    channel: str
    from_state: str
    evidence: dict[str, Any] = {}

    @field_validator("evidence", mode="before")
    @classmethod
    def _evidence_from_text(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value


class Referral(Record):
    """A graduate referred onward (3.3.7 "rujukan ke program lanjutan"), with its status."""

    id: int | None = None
    beneficiary_id: str
    program: str
    referred_on: date
    status: ReferralStatus = "diajukan"
    note: str = ""
    created_by: str
    updated_by: str
    updated_at: datetime
    task_id: int | None = None


class AuditEntry(Record):
    """One line of the audit trail: what changed, who did it, through which channel, when."""

    id: int | None = None
    at: datetime
    actor: str
    channel: str
    household_id: str | None = None
    kind: str
    summary: str
    detail: dict[str, Any] = {}

    @field_validator("detail", mode="before")
    @classmethod
    def _detail_from_text(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value


class Delivery(Record):
    """One pushed message (a task reminder or a weekly summary) in the sent-log: at most
    one per person, kind and day (``day``: the person's local date; for a weekly summary
    the Monday of its week)."""

    id: int | None = None
    person: str
    kind: str
    day: date
    task_set: str = ""
    status: SendStatus
    mode: str | None = None
    message_id: str | None = None
    attempts: int = 0
    error: str | None = None
    claimed_at: datetime
    sent_at: datetime | None = None
    retry_after: datetime | None = None


class Subscription(Record):
    """A village official's weekly summary of their village."""

    person: str
    village_id: str
    kind: str = "ringkasan_mingguan"
    created_at: datetime
