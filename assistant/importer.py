"""Importing a whole caseload from CSV (`assistant graduation import FILE.csv`).

Every row is checked first; bad rows are reported by line with the reason. Then each row
registers its household (found again by the salted hash of its NIK) and records its
assessment, which the rules decide. Rows are written in batches, each batch one
transaction, so a killed import leaves whole rows only; re-running the same file adds
nothing twice (one assessment per household per day)."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from assistant.casework import AlreadyAssessed, Casework
from assistant.errors import InputError
from assistant.money import parse_rupiah
from assistant.nik import normalise_nik
from assistant.records import User
from assistant.texts import text

COLUMNS = (
    "nama",
    "nik",
    "desa",
    "pendamping",
    "jenis_kelamin",
    "disabilitas",
    "kepala_keluarga",
    "program",
    "tanggal_daftar",
    "tanggal_asesmen",
    "pendapatan",
    "pola_pikir_berubah",
    "status_usaha",
    "perubahan_berarti",
    "catatan",
)
REQUIRED = (
    "nama",
    "nik",
    "desa",
    "pendamping",
    "jenis_kelamin",
    "tanggal_asesmen",
    "pendapatan",
    "pola_pikir_berubah",
)
BATCH = 200
_YES = {"ya", "y", "iya", "yes", "true", "1", "benar"}
_NO = {"tidak", "tdk", "t", "no", "false", "0", "bukan", "gak", "ga"}


@dataclass
class ImportRow:
    line: int
    name: str
    nik: str
    village_id: str
    facilitator_id: str
    gender: str
    disability: bool
    household_head: bool
    program: str | None
    enrolled_on: date
    assessed_on: date
    income: float
    mindset_changed: bool
    business_status: str | None
    significant_change: bool | None
    notes: str


@dataclass
class RowProblem:
    line: int
    reason: str


@dataclass
class ImportReport:
    rows: int = 0
    new_households: int = 0
    assessments: int = 0
    skipped: int = 0
    needs_answer: int = 0
    next_steps: Counter[str] = field(default_factory=Counter)


def parse_date(value: str) -> date:
    value = value.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise InputError(text("casework.bad_date", value=value), "tanggal")


def parse_flag(value: str, default: bool | None = None) -> bool | None:
    word = value.strip().lower()
    if not word:
        return default
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise InputError(text("casework.bad_yes_no", value=value), None)


def read_rows(
    path: Path, casework: Casework, actor: User
) -> tuple[list[ImportRow], list[RowProblem]]:
    """Every row of the file checked; the good ones parsed, the bad ones explained."""
    rows: list[ImportRow] = []
    problems: list[RowProblem] = []
    villages = {v.id: v for v in casework.store.list_villages()}
    users = {u.id: u for u in casework.store.list_users()}
    programs = set(casework.knowledge.programs.ids)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        headers = [h.strip().lower() for h in reader.fieldnames or []]
        absent = [c for c in REQUIRED if c not in headers]
        if absent:
            return [], [RowProblem(1, text("importer.columns", columns=", ".join(absent)))]
        for number, raw in enumerate(reader, start=2):
            data = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
            try:
                rows.append(_row(number, data, villages, users, programs, actor))
            except InputError as error:
                problems.append(RowProblem(number, error.message))
    return rows, problems


def _row(
    line: int,
    data: dict[str, str],
    villages: dict[str, Any],
    users: dict[str, User],
    programs: set[str],
    actor: User,
) -> ImportRow:
    for column in REQUIRED:
        if not data.get(column):
            raise InputError(text("importer.empty", column=column), column)
    village = villages.get(data["desa"])
    if village is None:
        raise InputError(text("casework.unknown_village", village=data["desa"]), "desa")
    if village.umk is None:
        raise InputError(text("importer.no_umk", village=village.id), "desa")
    facilitator = users.get(data["pendamping"])
    if facilitator is None or facilitator.role not in ("pendamping", "pelatih"):
        raise InputError(
            text("casework.unknown_facilitator", user=data["pendamping"]), "pendamping"
        )
    if actor.role == "pendamping" and facilitator.id != actor.id:
        raise InputError(text("importer.not_yours", user=facilitator.id), "pendamping")
    gender = data["jenis_kelamin"].upper()[:1]
    if gender not in ("L", "P"):
        raise InputError(text("importer.gender", value=data["jenis_kelamin"]), "jenis_kelamin")
    program = data.get("program") or None
    if program and program not in programs:
        raise InputError(text("errors.unknown_program", program=program), "program")
    status = data.get("status_usaha") or None
    if status and status not in ("belum_ada", "pemula", "berjalan"):
        raise InputError(text("importer.status", value=status), "status_usaha")
    return ImportRow(
        line=line,
        name=data["nama"],
        nik=normalise_nik(data["nik"]),
        village_id=village.id,
        facilitator_id=facilitator.id,
        gender=gender,
        disability=bool(parse_flag(data.get("disabilitas", ""), False)),
        household_head=bool(parse_flag(data.get("kepala_keluarga", ""), True)),
        program=program,
        enrolled_on=parse_date(data["tanggal_daftar"])
        if data.get("tanggal_daftar")
        else parse_date(data["tanggal_asesmen"]),
        assessed_on=parse_date(data["tanggal_asesmen"]),
        income=parse_rupiah(data["pendapatan"], "pendapatan"),
        mindset_changed=bool(parse_flag(data["pola_pikir_berubah"])),
        business_status=status,
        significant_change=parse_flag(data.get("perubahan_berarti", "")),
        notes=data.get("catatan", ""),
    )


def _batches(rows: list[ImportRow], size: int) -> Iterator[list[ImportRow]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def run_import(
    casework: Casework,
    actor: User,
    rows: list[ImportRow],
    progress: Callable[[int], None] | None = None,
    batch: int = BATCH,
) -> ImportReport:
    """Register and assess every row, in file order, a batch per transaction."""
    report = ImportReport(rows=len(rows))
    for chunk in _batches(rows, batch):
        with casework.store.transaction():
            for row in chunk:
                household = casework.store.find_beneficiary_by_nik(casework.hash_nik(row.nik))
                if household is None:
                    household = casework.register(
                        actor,
                        name=row.name,
                        village_id=row.village_id,
                        gender=row.gender,
                        enrolled_on=row.enrolled_on,
                        nik=row.nik,
                        disability=row.disability,
                        household_head=row.household_head,
                        program=row.program,
                        facilitator_id=row.facilitator_id,
                    )
                    report.new_households += 1
                try:
                    result = casework.assess(
                        actor,
                        household.id,
                        income=row.income,
                        mindset_changed=row.mindset_changed,
                        assessed_on=row.assessed_on,
                        significant_change=row.significant_change,
                        business_status=row.business_status,
                        notes=row.notes,
                        channel="impor",
                    )
                except AlreadyAssessed:
                    report.skipped += 1
                    continue
                if result.missing:
                    report.needs_answer += 1
                else:
                    report.assessments += 1
                    report.next_steps[result.output["next_step"]] += 1
        if progress:
            progress(len(chunk))
    return report
