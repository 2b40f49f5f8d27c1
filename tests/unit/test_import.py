"""`assistant graduation import`: bad rows reported by line, re-runs add nothing twice, a
killed import leaves a consistent database, and two writer processes lose nothing."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.casework import Casework
from assistant.records import User, Village
from assistant.store import Store
from bench.caseload import VILLAGES, write_caseload

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
    env = {**os.environ, "ASSISTANT_DB": str(db)}
    return subprocess.Popen(
        [str(ASSISTANT), "--as", actor, *args], env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def run(db: Path, *args: str, actor: str = "admin") -> subprocess.CompletedProcess:
    process = assistant(db, *args, actor=actor)
    stdout, stderr = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


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
