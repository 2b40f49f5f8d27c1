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

from assistant.casework import Casework
from assistant.errors import InputError
from assistant.money import parse_rupiah
from assistant.nik import normalise_nik
from assistant.records import Beneficiary, User
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
# Below this many rows, starting worker processes costs more than it saves.
PARALLEL_FROM_ROWS = 1000
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
    """Register and assess every row, in file order. Per batch: the new households are
    registered, the rules decide every row with no lock held, then the batch's decisions,
    assessments, transitions and tasks are written in one transaction - so parallel
    workers decide at the same time and a killed import leaves whole batches only."""
    report = ImportReport(rows=len(rows))
    for chunk in _batches(rows, batch):
        households = _register(casework, actor, chunk, report)
        plans = []
        planned: set[tuple[str, date]] = set()
        for row in chunk:
            household = households[row.nik]
            key = (household.id, row.assessed_on)
            if key in planned or casework.store.has_assessment(*key):
                report.skipped += 1
                continue
            plan = casework.plan_assessment(
                actor,
                household,
                income=row.income,
                mindset_changed=row.mindset_changed,
                assessed_on=row.assessed_on,
                significant_change=row.significant_change,
                business_status=row.business_status,
                notes=row.notes,
                channel="impor",
            )
            plans.append(plan)
            if plan.missing:
                report.needs_answer += 1
                continue
            planned.add(key)
            households[row.nik] = plan.moved()  # a later row of the same household follows on
            report.assessments += 1
            report.next_steps[plan.decision.output["next_step"]] += 1
        with casework.store.transaction():
            for plan in plans:
                casework.record(actor, plan)
        if progress:
            progress(len(chunk))
    return report


def _register(
    casework: Casework, actor: User, chunk: list[ImportRow], report: ImportReport
) -> dict[str, Beneficiary]:
    """The households of a batch by NIK, the new ones registered (one short transaction)."""
    households: dict[str, Beneficiary] = {}
    with casework.store.transaction():
        for row in chunk:
            if row.nik in households:
                continue
            found = casework.store.find_beneficiary_by_nik(casework.hash_nik(row.nik))
            if found is None:
                found = casework.register(
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
            households[row.nik] = found
    return households


def split_by_household(rows: list[ImportRow], jobs: int) -> list[list[ImportRow]]:
    """Rows shared out among ``jobs`` workers; all rows of a household (same NIK) go to the
    same worker, in file order, so its assessments are decided one after the other."""
    parts: list[list[ImportRow]] = [[] for _ in range(jobs)]
    for row in rows:
        parts[int(row.nik) % jobs].append(row)
    return [part for part in parts if part]


def _worker(
    database: str, actor_id: str, rows: list[ImportRow], updates: Any, results: Any
) -> None:
    """One import worker (a separate process): its own connection and rules engine."""
    _die_with_parent()
    from assistant.store import Store

    casework = Casework(Store(database))
    try:
        report = run_import(casework, casework.user(actor_id), rows, progress=updates.put)
    except InputError as error:
        results.put(error.to_json())
        return
    results.put(report)


def _die_with_parent() -> None:
    """Linux: a worker is killed when the import it belongs to is killed (SIGKILL included),
    so no orphan keeps writing after its parent is gone."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def run_import_parallel(
    database: Path,
    actor: User,
    rows: list[ImportRow],
    jobs: int,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """The same import on ``jobs`` processes sharing the database file: the rules engine's
    work spreads over the machine's cores; writes take turns, one batch at a time."""
    import multiprocessing
    import queue

    parts = split_by_household(rows, max(1, jobs))
    context = multiprocessing.get_context("spawn")
    updates, results = context.Queue(), context.Queue()
    workers = [
        context.Process(target=_worker, args=(str(database), actor.id, part, updates, results))
        for part in parts
    ]
    for worker in workers:
        worker.start()
    total = ImportReport(rows=len(rows))

    def drain() -> None:
        while True:
            try:
                count = updates.get_nowait()
            except queue.Empty:
                return
            if progress:
                progress(count)

    finished = 0
    while finished < len(workers):
        drain()
        try:
            report = results.get(timeout=0.2)
        except queue.Empty:
            if any(w.exitcode not in (None, 0) for w in workers):
                raise RuntimeError("an import worker failed; see the messages above") from None
            continue
        if isinstance(report, dict):  # a worker stopped on an input error
            for worker in workers:
                worker.terminate()
            raise InputError(report["error"], report["field"])
        finished += 1
        total.new_households += report.new_households
        total.assessments += report.assessments
        total.skipped += report.skipped
        total.needs_answer += report.needs_answer
        total.next_steps.update(report.next_steps)
    for worker in workers:
        worker.join()
    drain()
    return total
