"""Importing a whole caseload from CSV (`assistant graduation import FILE.csv`).

The file is read the way offices save it: comma, semicolon (Indonesian Excel) or tab
between columns, found from the header line (or Excel's ``sep=`` line); UTF-8 with or
without BOM, UTF-16/32 with BOM (Excel's "Unicode text"), and Windows-1252 when the file
is not UTF-8. A file that is not text (a renamed XLSX, an image), too big or too long is
refused whole with one sentence (``InputError``).

Every row is checked first; bad rows are reported by line with the reason, and the other
rows are still checked: broken quotes, too many or too few cells, over-long or invisible
control characters, unknown villages and facilitators, dates in the future, a NIK already
registered to a household the importer may not write or to another name or sex.

Then each row registers its household (found again by the salted hash of its NIK) and
records its assessment, which the rules decide. Rows are written in batches, each batch one
transaction holding its new households together with their assessments, so a killed or
failed import leaves whole rows only; re-running the same file adds nothing twice (one
assessment per household per day)."""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.casework import access
from assistant.casework.nik import normalise_nik
from assistant.casework.path import AssessmentPlan
from assistant.casework.service import Casework
from assistant.common.errors import InputError
from assistant.common.limits import (
    MAX_FILE_BYTES,
    MAX_LINE_CHARS,
    MAX_NAME,
    MAX_NOTES,
    MAX_RECORD_LINES,
    MAX_ROWS,
)
from assistant.common.money import parse_rupiah
from assistant.common.texts import text
from assistant.knowledge.models.interventions import BUSINESS_STAGES
from assistant.store.records import Beneficiary, User

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
    # optional: the graduate's follow-up choice (3.3.7) and what referrals depend on
    "tindak_lanjut",
    "usia_kepala",
    "lansia",
    "program_lain",
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

# Bounds of one import file (engineering limits, like those of assistant.common.limits).
# Tried in this order; on a tie the first wins.
DELIMITERS = (",", ";", "\t")

_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
)
# What a file that is not text starts with, and what to call it.
_MAGIC = (
    (b"PK\x03\x04", "XLSX/ODS/ZIP"),
    (b"PK\x05\x06", "ZIP"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "XLS (Excel 97-2003)"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"%PDF-", "PDF"),
    (b"\x1f\x8b", "GZIP"),
    (b"SQLite format 3\x00", "SQLite"),
    (b"\x7fELF", "ELF"),
    (b"{\\rtf", "RTF"),
)
# A complete multi-byte UTF-8 sequence: a file that has one but is not valid UTF-8 mixes
# encodings (reading it as Windows-1252 would garble its names).
_UTF8_SEQUENCE = re.compile(
    rb"(?:[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3})"
    rb"(?![\x80-\xbf])"
)
# Control characters that text files do not have (tab and line breaks excepted).
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BINARY_SAMPLE = 65_536
# Invisible characters no cell may hold: controls (C0, DEL, C1), line and paragraph
# separators, bidirectional overrides. A note may hold tabs and line breaks.
_HIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_HIDDEN_IN_NOTES = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_SEP_LINE = re.compile(r"sep=(.)", re.IGNORECASE)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


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
    income: int
    mindset_changed: bool
    business_status: str | None
    significant_change: bool | None
    notes: str
    follow_up: str | None = None
    head_age: int | None = None
    elderly_member: bool | None = None
    other_programs: list[str] | None = None


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
    """A date written 2026-11-27, 27/11/2026 or 27-11-2026 (ASCII digits only)."""
    return _parse_date(value.strip())


@lru_cache(maxsize=4096)  # a caseload repeats its dates; only good ones are kept
def _parse_date(value: str) -> date:
    if _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    elif value.isascii():
        for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
            try:
                return datetime.strptime(value, pattern).date()
            except ValueError:
                continue
    raise InputError(text("casework.bad_date", value=value[:40]), "tanggal")


def parse_flag(value: str, default: bool | None = None) -> bool | None:
    word = value.strip().lower()
    if not word:
        return default
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise InputError(text("casework.bad_yes_no", value=value[:40]), None)


# --- reading the file ------------------------------------------------------------------


def read_text(path: Path) -> str:
    """The file's text, its line breaks made ``\\n``; ``InputError`` for a file that is too
    big, not text, or in an encoding we cannot tell."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise InputError(text("importer.unreadable", path=path.name), "file") from error
    if len(data) > MAX_FILE_BYTES:
        raise InputError(text("importer.too_big", limit=MAX_FILE_BYTES // 2**20), "file")
    content = _decode(data)
    sample = content[:_BINARY_SAMPLE]
    hidden = len(_BINARY.findall(sample))
    if hidden > 8 and hidden * 100 > len(sample):
        raise InputError(text("importer.not_text"), "file")
    return content.replace("\r\n", "\n").replace("\r", "\n")


def _decode(data: bytes) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _strict(data, codec)
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise InputError(text("importer.not_csv", kind=kind), "file")
    guessed = _utf16_without_bom(data)
    if guessed:
        return _strict(data, guessed)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if _UTF8_SEQUENCE.search(data):
            raise InputError(text("importer.encoding"), "file") from None
    # not UTF-8: Excel's "CSV (Comma delimited)" on Windows writes Windows-1252
    return _strict(data, "cp1252")


def _strict(data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        raise InputError(text("importer.encoding"), "file") from None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 written without a BOM: every other byte of ASCII text is a zero."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) * 10 > len(odd) * 4 and even.count(0) * 20 < len(even):
        return "utf-16-le"
    if even.count(0) * 10 > len(even) * 4 and odd.count(0) * 20 < len(odd):
        return "utf-16-be"
    return None


@dataclass
class _Record:
    """One CSV record: its first line, and its cells or why it cannot be read."""

    line: int
    cells: list[str] | None = None
    problem: str | None = None


def _open_quote(line: str, delimiter: str, inside: bool) -> bool:
    """Whether a quoted cell is still open at the end of ``line`` (``inside``: it was open
    at its start), the way the csv module reads quotes (doubled inside a quoted cell)."""
    if '"' not in line:
        return inside
    at, end = 0, len(line)
    while True:
        if inside:
            quote = line.find('"', at)
            if quote < 0:
                return True
            if quote + 1 < end and line[quote + 1] == '"':
                at = quote + 2
                continue
            inside = False
            at = quote + 1
        elif at < end and line[at] == '"':
            inside = True
            at += 1
            continue
        cut = line.find(delimiter, at)
        if cut < 0:
            return False
        at = cut + 1


def _records(lines: list[str], delimiter: str, start: int) -> Iterator[_Record]:
    """The records from line index ``start`` on; blank lines are skipped. A quoted cell may
    span lines (a note with line breaks); one left open is reported on its line, and
    reading goes on with the next line."""
    continues: dict[int, bool] = {}  # line index -> a quoted cell open at its start stays open

    def still_open(at: int) -> bool:
        if at not in continues:
            continues[at] = _open_quote(lines[at], delimiter, True)
        return continues[at]

    index = start
    while index < len(lines):
        line = lines[index]
        number = index + 1
        if not line.strip():
            index += 1
            continue
        too_long = len(line) > MAX_LINE_CHARS
        end, size = index, len(line)
        inside = not too_long and _open_quote(line, delimiter, False)
        while inside and end + 1 < len(lines) and end + 1 - index < MAX_RECORD_LINES:
            size += len(lines[end + 1]) + 1
            if size > MAX_LINE_CHARS:
                too_long = True
                break
            end += 1
            inside = still_open(end)
        if too_long:
            yield _Record(number, problem=text("importer.line_too_long", limit=MAX_LINE_CHARS))
            index += 1
            continue
        if inside:
            yield _Record(number, problem=text("importer.open_quote"))
            index += 1
            continue
        chunk = [f"{part}\n" for part in lines[index : end + 1]]
        try:
            parsed = list(csv.reader(chunk, delimiter=delimiter, strict=True))
        except csv.Error:
            parsed = []
        if len(parsed) != 1:
            yield _Record(number, problem=text("importer.bad_quote"))
            index += 1
            continue
        yield _Record(number, cells=parsed[0])
        index = end + 1


def _column(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.replace("\ufeff", "").strip().lower())


def _delimiter(header: str) -> str:
    """The delimiter that splits the header line into the most known column names."""
    best, score = DELIMITERS[0], -1
    for candidate in DELIMITERS:
        try:
            cells = next(csv.reader([header], delimiter=candidate), [])
        except csv.Error:
            continue
        known = len({_column(cell) for cell in cells} & set(COLUMNS))
        if known > score:
            best, score = candidate, known
    return best


def _split(content: str) -> tuple[_Record, list[_Record]]:
    """The header record and the data records of the file's text."""
    lines = content.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise InputError(text("importer.empty_file", columns=", ".join(REQUIRED)), "file")
    declared = _SEP_LINE.fullmatch(lines[first].strip(" "))
    if declared and declared.group(1) in DELIMITERS:
        delimiter = declared.group(1)
        first += 1
    else:
        delimiter = _delimiter(lines[first][:MAX_LINE_CHARS])
    records = _records(lines, delimiter, first)
    header = next(records, None)
    if header is None:
        raise InputError(text("importer.empty_file", columns=", ".join(REQUIRED)), "file")
    data: list[_Record] = []
    for record in records:
        if record.cells is not None and not any(cell.strip() for cell in record.cells):
            continue  # an empty row (Excel writes ";;;;" for those)
        data.append(record)
        if len(data) > MAX_ROWS:
            limit = f"{MAX_ROWS:,}".replace(",", ".")
            raise InputError(text("importer.too_many_rows", limit=limit), "file")
    return header, data


def read_rows(
    path: Path, casework: Casework, actor: User
) -> tuple[list[ImportRow], list[RowProblem]]:
    """Every row of the file checked; the good ones parsed, the bad ones explained by line.
    A file that cannot be read as a CSV at all raises ``InputError``. Writes nothing."""
    access.require(access.can_register(actor), "register")
    header, records = _split(read_text(path))
    if header.cells is None:
        return [], [RowProblem(header.line, header.problem or "")]
    names = [_column(cell) for cell in header.cells]
    repeated = [c for c in COLUMNS if names.count(c) > 1]
    if repeated:
        return [], [RowProblem(header.line, text("importer.repeated", column=repeated[0]))]
    absent = [c for c in REQUIRED if c not in names]
    if absent:
        return [], [RowProblem(header.line, text("importer.columns", columns=", ".join(absent)))]
    rows: list[ImportRow] = []
    problems: list[RowProblem] = []
    villages = {v.id: v for v in casework.store.list_villages()}
    users = {u.id: u for u in casework.store.list_users()}
    programs = set(casework.knowledge.programs.ids)
    follow_ups = {o.id for o in casework.knowledge.graduation.follow_up_options}
    niks = _NikCheck(casework, actor)
    for record in records:
        if record.cells is None:
            problems.append(RowProblem(record.line, record.problem or ""))
            continue
        if len(record.cells) != len(names):
            problems.append(
                RowProblem(
                    record.line,
                    text("importer.cell_count", found=len(record.cells), expected=len(names)),
                )
            )
            continue
        data = {
            name: cell.strip()
            for name, cell in zip(names, record.cells, strict=True)
            if name in COLUMNS
        }
        try:
            row = _row(record.line, data, villages, users, programs, actor, follow_ups)
            niks.check(row)
        except InputError as error:
            problems.append(RowProblem(record.line, error.message))
            continue
        rows.append(row)
    return rows, problems


class _NikCheck:
    """A NIK already registered must belong to a household the importer may write, under
    the same name (case and spacing aside) and sex; a NIK repeated in the file too. The
    problem names the line, never another facilitator's household (its id, name or
    facilitator)."""

    def __init__(self, casework: Casework, actor: User) -> None:
        self.casework = casework
        self.actor = actor
        self.registered: dict[str, Beneficiary | None] = {}
        self.first: dict[str, ImportRow] = {}

    def check(self, row: ImportRow) -> None:
        if row.nik not in self.registered:
            hashed = self.casework.hash_nik(row.nik)
            self.registered[row.nik] = self.casework.store.find_beneficiary_by_nik(hashed)
        household = self.registered[row.nik]
        if household is not None:
            if not access.can_write(self.actor, household):
                raise InputError(text("importer.nik_not_yours"), "nik")
            if _same_name(household.name) != _same_name(row.name):
                raise InputError(text("importer.nik_other_name"), "nik")
            if household.gender != row.gender:
                raise InputError(text("importer.nik_other_sex"), "nik")
        first = self.first.setdefault(row.nik, row)
        if _same_name(first.name) != _same_name(row.name):
            raise InputError(text("importer.nik_name_line", line=first.line), "nik")
        if first.gender != row.gender:
            raise InputError(text("importer.nik_sex_line", line=first.line), "nik")


def _same_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def _check_cells(data: dict[str, str]) -> None:
    for column, value in data.items():
        notes = column == "catatan"
        if (_HIDDEN_IN_NOTES if notes else _HIDDEN).search(value):
            raise InputError(text("importer.hidden", column=column), column)
        limit = MAX_NOTES if notes else MAX_NAME
        if len(value) > limit:
            raise InputError(
                text("importer.too_long", column=column, length=len(value), limit=limit), column
            )


def _row(
    line: int,
    data: dict[str, str],
    villages: dict[str, Any],
    users: dict[str, User],
    programs: set[str],
    actor: User,
    follow_ups: set[str],
) -> ImportRow:
    _check_cells(data)
    for column in REQUIRED:
        if not data.get(column):
            raise InputError(text("importer.empty", column=column), column)
    village = villages.get(data["desa"])
    if village is None:
        raise InputError(text("casework.unknown_village", village=data["desa"]), "desa")
    if village.umk is None:
        raise InputError(text("importer.no_umk", village=village.id), "desa")
    facilitator = users.get(data["pendamping"])
    if facilitator is None or not access.accompanies(facilitator):
        raise InputError(
            text("casework.unknown_facilitator", user=data["pendamping"]), "pendamping"
        )
    if not access.can_register_for(actor, facilitator):
        raise InputError(text("importer.not_yours", user=facilitator.id), "pendamping")
    gender = data["jenis_kelamin"].upper()[:1]
    if gender not in ("L", "P"):
        raise InputError(text("importer.gender", value=data["jenis_kelamin"]), "jenis_kelamin")
    program = data.get("program") or None
    if program and program not in programs:
        raise InputError(text("errors.unknown_program", program=program), "program")
    status = data.get("status_usaha") or None
    if status and status not in BUSINESS_STAGES:
        raise InputError(text("importer.status", value=status), "status_usaha")
    nik = normalise_nik(data["nik"])  # 16 ASCII digits
    assessed_on = parse_date(data["tanggal_asesmen"])
    if assessed_on > date.today():
        raise InputError(text("importer.future", date=assessed_on.isoformat()), "tanggal_asesmen")
    enrolled_on = parse_date(data["tanggal_daftar"]) if data.get("tanggal_daftar") else assessed_on
    if enrolled_on > assessed_on:
        raise InputError(
            text(
                "importer.enrolled_after",
                enrolled=enrolled_on.isoformat(),
                assessed=assessed_on.isoformat(),
            ),
            "tanggal_daftar",
        )
    return ImportRow(
        line=line,
        name=data["nama"],
        nik=nik,
        village_id=village.id,
        facilitator_id=facilitator.id,
        gender=gender,
        disability=bool(parse_flag(data.get("disabilitas", ""), False)),
        household_head=bool(parse_flag(data.get("kepala_keluarga", ""), True)),
        program=program,
        enrolled_on=enrolled_on,
        assessed_on=assessed_on,
        income=parse_rupiah(data["pendapatan"], "pendapatan"),
        mindset_changed=bool(parse_flag(data["pola_pikir_berubah"])),
        business_status=status,
        significant_change=parse_flag(data.get("perubahan_berarti", "")),
        notes=data.get("catatan", ""),
        follow_up=_follow_up(data.get("tindak_lanjut", ""), follow_ups),
        head_age=_age(data.get("usia_kepala", "")),
        elderly_member=parse_flag(data.get("lansia", "")),
        other_programs=_programs(data.get("program_lain", ""), programs),
    )


def _follow_up(value: str, options: set[str]) -> str | None:
    chosen = value.strip().lower()
    if not chosen:
        return None
    if chosen not in options:
        raise InputError(
            text("importer.follow_up", value=value, options=", ".join(sorted(options))),
            "tindak_lanjut",
        )
    return chosen


def _age(value: str) -> int | None:
    if not value.strip():
        return None
    if not value.strip().isascii() or not value.strip().isdigit() or int(value) > 130:
        raise InputError(text("casework.bad_age"), "usia_kepala")
    return int(value)


def _programs(value: str, known: set[str]) -> list[str] | None:
    """ "pkh; bpnt" or "pkh, bpnt": programs already received; "-" or "tidak ada": none."""
    words = [w.strip().lower() for w in value.replace(";", ",").split(",") if w.strip()]
    if not words:
        return None
    if words in (["-"], ["tidak ada"], ["tidak"], ["0"]):
        return []
    for word in words:
        if word not in known:
            raise InputError(text("errors.unknown_program", program=word), "program_lain")
    return list(dict.fromkeys(words))


# --- writing ---------------------------------------------------------------------------


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
    """Register and assess every row, in file order. Per batch: the rules decide every row
    with no lock held (a household not yet registered is decided as it will be), then the
    batch's new households, decisions, assessments, transitions and tasks are written in one
    transaction - so parallel workers decide at the same time, and a killed or failed
    import leaves whole batches only (never a household without its assessment)."""
    report = ImportReport(rows=len(rows))
    for chunk in _batches(rows, batch):
        households: dict[str, Beneficiary] = {}
        new: dict[str, ImportRow] = {}  # NIK -> the row that registers its household
        plans: list[tuple[str, AssessmentPlan]] = []
        planned: set[tuple[str, date]] = set()
        for row in chunk:
            if row.nik not in households:
                found = casework.store.find_beneficiary_by_nik(casework.hash_nik(row.nik))
                if found is None:
                    found = _unregistered(casework, row)
                    new[row.nik] = row
                households[row.nik] = found
            household = households[row.nik]
            key = (household.id, row.assessed_on)
            if key in planned or (row.nik not in new and casework.store.has_assessment(*key)):
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
                follow_up=row.follow_up,
            )
            plans.append((row.nik, plan))
            if plan.assessment is None:
                report.needs_answer += 1
                continue
            planned.add(key)
            households[row.nik] = plan.moved()  # a later row of the same household follows on
            report.assessments += 1
            report.next_steps[plan.decision.output["next_step"]] += 1
        assessed = {nik for nik, plan in plans if plan.assessment is not None}
        with casework.store.transaction():
            registered: dict[str, str] = {}
            for nik, row in new.items():
                if nik in assessed:  # a household is registered with its assessment only
                    registered[nik] = _register(casework, actor, row).id
                    report.new_households += 1
            for nik, plan in plans:
                if plan.assessment is None:
                    continue  # still waiting for an answer: counted, nothing stored
                if nik in new:
                    plan = _rebind(plan, registered[nik])
                casework.record(actor, plan)
        if progress:
            progress(len(chunk))
    return report


def _unregistered(casework: Casework, row: ImportRow) -> Beneficiary:
    """The household a row will register, as the rules see it before it is written."""
    return Beneficiary(
        id=f"baru-{row.line}",
        name=row.name.strip(),
        village_id=row.village_id,
        facilitator_id=row.facilitator_id,
        gender=row.gender,  # type: ignore[arg-type]
        disability=row.disability,
        household_head=row.household_head,
        enrolled_on=row.enrolled_on,
        program=row.program,
        state=casework.knowledge.graduation.initial_state,
        state_since=datetime.now(),
        head_age=row.head_age,
        elderly_member=row.elderly_member,
        other_programs=row.other_programs,
    )


def _register(casework: Casework, actor: User, row: ImportRow) -> Beneficiary:
    """Register a row's household (inside the batch's transaction). Another import that
    registered the same NIK since the batch was decided stops this one; run it again."""
    if casework.store.find_beneficiary_by_nik(casework.hash_nik(row.nik)) is not None:
        raise InputError(text("importer.raced", line=row.line), "nik")
    return casework.register(
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
        head_age=row.head_age,
        elderly_member=row.elderly_member,
        other_programs=row.other_programs,
    )


def _rebind(plan: AssessmentPlan, household_id: str) -> AssessmentPlan:
    """A plan decided for a household before it was registered, moved to its real id."""
    update = {"beneficiary_id": household_id}
    return AssessmentPlan(
        plan.household.model_copy(update={"id": household_id}),
        plan.decision,
        plan.assessment.model_copy(update=update) if plan.assessment else None,
        [task.model_copy(update=update) for task in plan.tasks],
        plan.missing,
    )


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
    from assistant.store.db import Store

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
