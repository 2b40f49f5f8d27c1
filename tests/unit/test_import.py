"""`assistant graduation import`: bad rows reported by line, re-runs add nothing twice, a
killed import leaves a consistent database, and two writer processes lose nothing."""

from __future__ import annotations

import codecs
import csv
import io
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.casework import importer
from assistant.casework.importer import COLUMNS, read_rows
from assistant.casework.service import Casework
from assistant.common.errors import InputError
from assistant.common.limits import MAX_NAME
from assistant.store.db import Store
from assistant.store.records import User, Village
from tests.support.caseload import VILLAGES, write_caseload
from tests.support.cli import CliResult, run_cli

ASSISTANT = Path(sys.executable).with_name("assistant")
FACILITATORS = ["628111", "628222"]


@pytest.fixture
def db(tmp_path: Path, knowledge) -> Path:
    path = tmp_path / "caseload.db"
    work = Casework(Store(path), knowledge)
    admin = User(id="admin", name="Admin", role="admin")
    work.add_user(None, admin)
    for village, umk in VILLAGES.items():
        work.add_village(admin, Village(id=village, name=village.title(), umk=umk))
    work.add_village(admin, Village(id="tanpa_umk", name="Tanpa UMK"))
    for facilitator in FACILITATORS:
        work.add_user(admin, User(id=facilitator, name=facilitator, role="pendamping"))
    work.store.close()
    return path


def assistant(db: Path, *args: str, actor: str = "admin") -> subprocess.Popen:
    """The installed binary as a real process: for the tests that kill an import or run
    two writers at once (one process can only be killed, or write concurrently with
    another, if it is a process of its own)."""
    env = {**os.environ, "ASSISTANT_DB": str(db)}
    return subprocess.Popen(
        [str(ASSISTANT), "--as", actor, *args], env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def run(db: Path, *args: str, actor: str = "admin") -> CliResult:
    """One command at a time, in this process."""
    return run_cli(["--as", actor, *args], env={"ASSISTANT_DB": str(db)})


def counts(db: Path) -> dict[str, int]:
    connection = sqlite3.connect(db)
    try:
        return {
            table: connection.execute(f"select count(*) from {table}").fetchone()[0]
            for table in ("beneficiaries", "assessments", "transitions", "decisions", "tasks")
        }
    finally:
        connection.close()


def assert_consistent(db: Path) -> None:
    """Whole rows only: every assessment has its decision, transition and tasks; no
    decision about a household lacks its assessment; each case is where its last
    transition put it."""
    connection = sqlite3.connect(db)
    try:
        assert connection.execute("pragma integrity_check").fetchone()[0] == "ok"
        orphans = {
            "assessment without decision": "select count(*) from assessments a left join "
            "decisions d on d.id = a.decision_id where d.id is null",
            "decision without assessment": "select count(*) from decisions d left join "
            "assessments a on a.decision_id = d.id where d.subject is not null and a.id is null",
            "assessment without transition": "select count(*) from assessments a left join "
            "transitions t on t.decision_id = a.decision_id where t.id is null",
            "assessment without tasks": "select count(*) from assessments a where not exists "
            "(select 1 from tasks k where k.decision_id = a.decision_id)",
            "state not from last transition": "select count(*) from beneficiaries b where "
            "b.state != coalesce((select to_state from transitions t where t.beneficiary_id = "
            "b.id order by t.id desc limit 1), 'terdaftar')",
            "duplicate assessments": "select count(*) from (select beneficiary_id, assessed_on "
            "from assessments group by 1, 2 having count(*) > 1)",
        }
        for problem, sql in orphans.items():
            assert connection.execute(sql).fetchone()[0] == 0, problem
    finally:
        connection.close()


def test_bad_rows_are_reported_by_line_and_nothing_is_written(db, tmp_path):
    good = write_caseload(tmp_path / "good.csv", 5, FACILITATORS)
    rows = list(csv.DictReader(good.open(encoding="utf-8")))
    rows[1]["nik"] = "12345"
    rows[2]["pendapatan"] = "dua juta"
    rows[3]["desa"] = "tanpa_umk"
    rows[4]["pendamping"] = "orang_asing"
    bad = tmp_path / "bad.csv"
    with bad.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = run(db, "graduation", "import", str(bad))
    assert result.returncode == 2
    assert "4 baris salah" in result.stderr
    for line, reason in ((3, "NIK harus 16 angka"), (4, "dua juta"), (5, "UMK desa 'tanpa_umk'"),
                         (6, "orang_asing")):
        assert f"baris {line}: " in result.stderr and reason in result.stderr
    assert counts(db)["assessments"] == 0
    skipped = run(db, "graduation", "import", str(bad), "--lewati-salah")
    assert skipped.returncode == 0, skipped.stderr
    assert counts(db)["assessments"] == 1


def test_re_running_the_same_file_adds_nothing_twice(db, tmp_path):
    caseload = write_caseload(tmp_path / "c.csv", 60, FACILITATORS, assessments_per_household=2)
    first = run(db, "graduation", "import", str(caseload))
    assert first.returncode == 0, first.stderr
    assert "60 rumah tangga baru" in first.stdout
    before = counts(db)
    assert (before["beneficiaries"], before["assessments"]) == (60, 120)
    again = run(db, "graduation", "import", str(caseload))
    assert "0 rumah tangga baru, 0 penilaian tercatat, 120 sudah ada" in again.stdout
    assert counts(db) == before
    assert_consistent(db)


def test_a_facilitator_imports_only_their_own_caseload(db, tmp_path):
    caseload = write_caseload(tmp_path / "c.csv", 4, FACILITATORS)
    result = run(db, "graduation", "import", str(caseload), actor="628111")
    assert result.returncode == 2
    assert "hanya boleh mengimpor dampingan sendiri" in result.stderr


def test_an_import_killed_halfway_leaves_whole_rows_and_the_rerun_completes(db, tmp_path):
    caseload = write_caseload(tmp_path / "big.csv", 3000, FACILITATORS)
    process = assistant(db, "graduation", "import", str(caseload))
    deadline = time.monotonic() + 120
    while counts(db)["assessments"] < 600:
        assert process.poll() is None, process.stderr.read()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    time.sleep(1.5)
    halfway = counts(db)
    time.sleep(1.5)
    assert counts(db) == halfway  # no worker process survived its import
    assert 0 < halfway["assessments"] < 3000
    assert_consistent(db)

    finished = run(db, "graduation", "import", str(caseload))
    assert finished.returncode == 0, finished.stderr
    after = counts(db)
    assert (after["beneficiaries"], after["assessments"]) == (3000, 3000)
    assert after["decisions"] == 3000
    assert f"{halfway['assessments']} sudah ada" in finished.stdout
    assert_consistent(db)


def test_two_writer_processes_lose_nothing(db, tmp_path):
    one = write_caseload(tmp_path / "one.csv", 1000, FACILITATORS, seed=1, nik_start=0)
    two = write_caseload(tmp_path / "two.csv", 1000, FACILITATORS, seed=2, nik_start=10_000)
    writers = [assistant(db, "graduation", "import", str(path)) for path in (one, two)]
    for writer in writers:
        stdout, stderr = writer.communicate(timeout=300)
        assert writer.returncode == 0, stderr
    assert counts(db)["beneficiaries"] == 2000
    assert counts(db)["assessments"] == 2000
    assert counts(db)["decisions"] == 2000
    assert_consistent(db)


# --- hostile and real-world files (security review) ------------------------------------

HEADER = list(COLUMNS)


@pytest.fixture
def work(db: Path, knowledge) -> Casework:
    casework = Casework(Store(db), knowledge)
    yield casework
    casework.store.close()


def row(n: int, /, **cells: str) -> dict[str, str]:
    """A good caseload row (NIK 32010000000000NN), with ``cells`` changed."""
    return {
        "nama": "Siti Aminah",
        "nik": f"{3201000000000000 + n:016d}",
        "desa": "sukamaju",
        "pendamping": "628111",
        "jenis_kelamin": "P",
        "disabilitas": "tidak",
        "kepala_keluarga": "ya",
        "program": "pena",
        "tanggal_daftar": "2026-01-15",
        "tanggal_asesmen": "2026-03-01",
        "pendapatan": "2.500.000",
        "pola_pikir_berubah": "ya",
        "status_usaha": "pemula",
        "perubahan_berarti": "",
        "catatan": "",
        **cells,
    }


def csv_text(rows: list[dict[str, str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def read(work: Casework, path: Path, actor: str = "admin"):
    return read_rows(path, work, work.user(actor))


def problems_by_line(problems) -> dict[int, str]:
    assert all(p.line >= 1 and p.reason for p in problems)
    return {p.line: p.reason for p in problems}


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_csv_dialects_delimiter_is_found_from_the_header(work, tmp_path, delimiter):
    path = tmp_path / "c.csv"
    rows = [row(1, nama="Siti; Aminah, S.Pd"), row(2, nama="Ani Lestari", jenis_kelamin="P")]
    path.write_text(csv_text(rows, delimiter), encoding="utf-8")
    good, problems = read(work, path)
    assert problems == []
    assert [r.name for r in good] == ["Siti; Aminah, S.Pd", "Ani Lestari"]


def test_csv_dialects_excel_sep_line_names_the_delimiter(work, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("sep=;\r\n" + csv_text([row(1)], ";"), encoding="utf-8")
    good, problems = read(work, path)
    assert problems == [] and good[0].line == 3


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32"])
def test_csv_encodings_unicode_files_are_read(work, tmp_path, encoding):
    path = tmp_path / "c.csv"
    text = csv_text([row(1, nama="Renée Ñoño Wibowo", catatan="café, “kutip”")])
    data = text.encode(encoding)
    if encoding == "utf-16-le":  # what Excel's "Unicode text" writes: BOM, UTF-16 LE, tabs
        data = codecs.BOM_UTF16_LE + csv_text([row(1, nama="Renée Ñoño")], "\t").encode(encoding)
    path.write_bytes(data)
    good, problems = read(work, path)
    assert problems == []
    assert good[0].name.startswith("Renée Ñoño")


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_csv_encodings_windows_1252_files_are_read(work, tmp_path, encoding):
    path = tmp_path / "c.csv"
    path.write_bytes(csv_text([row(1, nama="Renée Ölander")], ";").encode(encoding))
    good, problems = read(work, path)
    assert problems == [] and good[0].name == "Renée Ölander"


def test_csv_encodings_a_file_mixing_encodings_is_refused_naming_utf8(work, tmp_path):
    path = tmp_path / "c.csv"
    mixed = csv_text([row(1, nama="Renée")]).encode("utf-8") + "Ölander".encode("cp1252")
    path.write_bytes(mixed)
    with pytest.raises(InputError) as refused:
        read(work, path)
    assert "CSV UTF-8" in refused.value.message


def test_csv_encodings_binary_files_are_one_clear_error(work, db, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(HEADER)
    xlsx = tmp_path / "caseload.csv"  # an XLSX renamed .csv
    book.save(xlsx)
    png = tmp_path / "foto.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    noise = tmp_path / "noise.csv"
    noise.write_bytes(random.Random(7).randbytes(5000))
    for path in (xlsx, png, noise):
        with pytest.raises(InputError) as refused:
            read(work, path)
        assert "CSV UTF-8" in refused.value.message
    result = run(db, "graduation", "import", str(xlsx))
    assert result.returncode == 2
    assert "bukan CSV" in result.stdout and "Traceback" not in result.stderr


def test_broken_lines_are_line_errors_and_the_other_lines_are_still_checked(work, tmp_path):
    lines = csv_text([row(n) for n in range(1, 13)]).split("\r\n")
    # lines[k] is file line k + 1; lines[0] is the header
    lines[1] = lines[1].replace("Siti Aminah", "S" * 200_000)  # over csv.field_size_limit
    lines[2] = lines[2].replace("Siti Aminah", '"Siti" Aminah')  # broken quote
    lines[3] = lines[3].replace("Siti Aminah", "Siti\x00Aminah")  # NUL byte
    lines[4] = lines[4] + ",extra"  # more cells than the header
    lines[5] = lines[5].rsplit(",", 1)[0]  # fewer cells
    lines[6] = lines[6].replace("Siti Aminah", "N" * (MAX_NAME + 1))  # a name too long
    lines[7] = lines[7] + "x" * 2_001  # a note too long (catatan is last; at most 2,000)
    lines[8] = lines[8].replace("Siti Aminah", "Siti\x1b[2JAminah")  # a terminal escape
    lines[9] = lines[9].replace("Siti Aminah", '"Siti Aminah')  # a quote never closed
    path = tmp_path / "c.csv"
    path.write_text("\r\n".join(lines), encoding="utf-8")
    good, problems = read(work, path)
    found = problems_by_line(problems)
    assert set(found) == {2, 3, 4, 5, 6, 7, 8, 9, 10}
    assert "terlalu panjang" in found[2]
    assert "kutip" in found[3] and "kutip" in found[10]
    assert "karakter tak terlihat" in found[4] and "karakter tak terlihat" in found[9]
    assert f"{len(COLUMNS) + 1} kolom" in found[5]
    assert f"{len(COLUMNS) - 1} kolom" in found[6]
    assert "'nama' terlalu panjang" in found[7] and "'catatan' terlalu panjang" in found[8]
    assert [r.line for r in good] == [11, 12, 13]


def test_broken_lines_a_note_may_span_lines_inside_quotes(work, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(csv_text([row(1, catatan="baris satu\nbaris dua"), row(2)]), encoding="utf-8")
    good, problems = read(work, path)
    assert problems == []
    assert good[0].notes == "baris satu\nbaris dua" and good[1].line == 4


def test_broken_lines_files_over_the_bounds_are_refused_whole(work, tmp_path, monkeypatch):
    path = tmp_path / "c.csv"
    path.write_text(csv_text([row(n) for n in range(1, 6)]), encoding="utf-8")
    monkeypatch.setattr(importer, "MAX_ROWS", 4)
    with pytest.raises(InputError) as refused:
        read(work, path)
    assert "lebih dari 4 baris" in refused.value.message
    monkeypatch.setattr(importer, "MAX_ROWS", 5)
    assert len(read(work, path)[0]) == 5
    monkeypatch.setattr(importer, "MAX_FILE_BYTES", path.stat().st_size - 1)
    with pytest.raises(InputError) as refused:
        read(work, path)
    assert "terlalu besar" in refused.value.message


def test_nik_ownership_and_conflicts_are_reported_per_line(work, tmp_path):
    admin = work.user("admin")
    other = work.register(
        admin, name="Budi Santoso", village_id="sukamaju", gender="L",
        nik=row(1)["nik"], facilitator_id="628222",
    )
    work.register(
        admin, name="Siti Aminah", village_id="sukamaju", gender="P",
        nik=row(2)["nik"], facilitator_id="628111",
    )
    path = tmp_path / "c.csv"
    path.write_text(
        csv_text(
            [
                row(1, nama="Budi Santoso", jenis_kelamin="L"),  # 2: another facilitator's
                row(2, nama="  siti   AMINAH "),  # 3: the same person, written differently
                row(2, nama="Siti Rahayu"),  # 4: another name
                row(2, jenis_kelamin="L"),  # 5: another sex
                row(3, nama="Ani Lestari"),  # 6
                row(3, nama="Ani Wibowo", tanggal_asesmen="2026-04-01"),  # 7: another name
                row(3, nama="ani lestari", jenis_kelamin="L"),  # 8: another sex
                row(3, nama="ANI LESTARI", tanggal_asesmen="2026-05-01"),  # 9: the same
            ]
        ),
        encoding="utf-8",
    )
    good, problems = read(work, path, actor="628111")
    found = problems_by_line(problems)
    assert set(found) == {2, 4, 5, 7, 8}
    assert "tidak boleh Anda ubah" in found[2]
    for secret in (other.id, "Budi", "628222"):
        assert all(secret not in reason for reason in found.values())
    assert "nama lain" in found[4] and "jenis kelamin lain" in found[5]
    assert "baris 6" in found[7] and "nama lain" in found[7]
    assert "baris 6" in found[8] and "jenis kelamin lain" in found[8]
    assert [r.line for r in good] == [3, 6, 9]


def test_future_assessment_dates_are_refused_on_their_line(work, tmp_path):
    today = date.today()
    path = tmp_path / "c.csv"
    path.write_text(
        csv_text(
            [
                row(1, tanggal_asesmen=(today + timedelta(days=1)).isoformat()),
                row(2, tanggal_asesmen=today.isoformat(), tanggal_daftar=today.isoformat()),
                row(3, tanggal_daftar="2026-03-02", tanggal_asesmen="2026-03-01"),
                row(4, tanggal_asesmen="31/02/2026"),
            ]
        ),
        encoding="utf-8",
    )
    good, problems = read(work, path)
    found = problems_by_line(problems)
    assert set(found) == {2, 4, 5}
    assert "belum lewat" in found[2]
    assert "sesudah tanggal asesmen" in found[4]
    assert [r.line for r in good] == [3]


def test_broken_lines_non_ascii_digits_in_niks_and_dates_are_line_errors(work, tmp_path):
    arabic = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    full_width = str.maketrans("0123456789", "０１２３４５６７８９")
    path = tmp_path / "c.csv"
    path.write_text(
        csv_text(
            [
                row(1, nik=row(1)["nik"].translate(arabic)),
                row(2, nik=row(2)["nik"].translate(full_width)),
                row(3, tanggal_asesmen="2026-03-01".translate(arabic)),
                row(4, pendapatan="2500000".translate(full_width)),
                row(5, nik="3201-0000-0000-0005"),
            ]
        ),
        encoding="utf-8",
    )
    good, problems = read(work, path)
    found = problems_by_line(problems)
    assert set(found) == {2, 3, 4, 5}
    assert "NIK harus 16 angka" in found[2] and "NIK harus 16 angka" in found[3]
    assert [(r.line, r.nik) for r in good] == [(6, "3201000000000005")]


def test_a_failed_import_leaves_no_household_without_its_assessment(work, tmp_path, monkeypatch):
    path = tmp_path / "c.csv"
    path.write_text(csv_text([row(n) for n in range(1, 6)]), encoding="utf-8")
    rows, problems = read(work, path)
    assert problems == [] and len(rows) == 5
    plan = work.plan_assessment
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise InputError("gagal di tengah", None)
        return plan(*args, **kwargs)

    monkeypatch.setattr(work, "plan_assessment", failing)
    with pytest.raises(InputError):
        importer.run_import(work, work.user("admin"), rows)
    assert counts(work.store.path)["beneficiaries"] == 0
    monkeypatch.setattr(work, "plan_assessment", plan)
    report = importer.run_import(work, work.user("admin"), rows)
    assert (report.new_households, report.assessments) == (5, 5)
    assert_consistent(work.store.path)
