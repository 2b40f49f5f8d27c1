"""Fuzzing the caseload import with generated bad CSV files (fixed seed, so a failure is
found again by its case number).

Each file goes through ``read_rows``, and the rows that pass through ``run_import``; every
fifth file also goes through `assistant graduation import` as offices run it. Whatever the
file, the invariant holds:

- no exception escapes but ``InputError``, and it says something;
- every problem has a line number and a non-empty reason;
- reading writes nothing, and the command writes nothing when any line has a problem;
- no household is left registered without its assessment, and every assessment has its
  decision, transition and tasks."""

from __future__ import annotations

import csv
import io
import random
import sqlite3
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.casework.importer import COLUMNS, read_rows, run_import
from assistant.casework.service import Casework
from assistant.cli.main import main
from assistant.common.errors import InputError
from assistant.store.db import Store
from assistant.store.records import User, Village
from tests.unit.test_import import assert_consistent, counts

SEED = 20260527
CASES = 600
CLI_EVERY = 5
OTHER_NIK = "3209999999999999"  # a household of another facilitator (628222)
NAMES = ["Siti Aminah", "Budi Santoso", "Renée Ölander", "Dewi Lestari", "Ñoño Saputra", "Ani"]
ENCODINGS = [
    "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252",
    "latin-1", "cp1251", "shift_jis", "gb18030", "mac_roman", "cp437", "utf-7",
]
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture
def work(tmp_path: Path, knowledge, monkeypatch) -> Casework:
    monkeypatch.setenv("ASSISTANT_SANDBOX_DB", str(tmp_path / "sandbox.db"))
    casework = Casework(Store(tmp_path / "fuzz.db"), knowledge)
    admin = User(id="admin", name="Admin", role="admin")
    casework.add_user(None, admin)
    casework.add_village(admin, Village(id="sukamaju", name="Sukamaju", umk=2_500_000))
    casework.add_village(admin, Village(id="mekarsari", name="Mekarsari", umk=2_700_000))
    casework.add_village(admin, Village(id="tanpa_umk", name="Tanpa UMK"))
    for facilitator in ("628111", "628222"):
        casework.add_user(admin, User(id=facilitator, name=facilitator, role="pendamping"))
    other = casework.register(
        admin, name="Budi Santoso", village_id="sukamaju", gender="L", nik=OTHER_NIK,
        facilitator_id="628222",
    )
    casework.assess(
        admin, other.id, income="2 jt", mindset_changed=False, assessed_on=date(2026, 1, 5)
    )
    yield casework
    casework.store.close()


class Generator:
    """Bad caseload files, one per case: a plausible file, then one to three mutations."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used_niks: list[str] = [OTHER_NIK]

    # --- a plausible file ----------------------------------------------------------------

    def nik(self, case: int, n: int) -> str:
        roll = self.rng.random()
        if roll < 0.08:
            return OTHER_NIK
        if roll < 0.2:
            return self.rng.choice(self.used_niks)
        nik = f"{3300000000000000 + case * 10 + n:016d}"
        self.used_niks.append(nik)
        return nik

    def rows(self, case: int) -> list[dict[str, str]]:
        rng = self.rng
        rows = []
        for n in range(rng.randint(1, 6)):
            assessed = date(2025, 1, 1) + timedelta(days=rng.randint(0, 480))
            rows.append(
                {
                    "nama": rng.choice(NAMES),
                    "nik": self.nik(case, n),
                    "desa": rng.choice(["sukamaju", "mekarsari"]),
                    "pendamping": rng.choice(["628111", "628111", "628222"]),
                    "jenis_kelamin": rng.choice("LP"),
                    "disabilitas": rng.choice(["ya", "tidak", ""]),
                    "kepala_keluarga": rng.choice(["ya", "tidak", ""]),
                    "program": rng.choice(["pena", "pkh", ""]),
                    "tanggal_daftar": rng.choice(["", "2024-12-01", "01/12/2024"]),
                    "tanggal_asesmen": assessed.isoformat(),
                    "pendapatan": rng.choice(["2.500.000", "1,8 jt", "3100000", "750rb"]),
                    "pola_pikir_berubah": rng.choice(["ya", "tidak"]),
                    "status_usaha": rng.choice(["belum_ada", "pemula", "berjalan", ""]),
                    "perubahan_berarti": rng.choice(["ya", "tidak", ""]),
                    "catatan": rng.choice(["", "kunjungan rumah", "baris satu\nbaris dua"]),
                }
            )
        return rows

    def table(self, case: int) -> tuple[list[str], list[list[str]]]:
        rows = self.rows(case)
        return list(COLUMNS), [[row.get(c, "") for c in COLUMNS] for row in rows]

    # --- hostile values ------------------------------------------------------------------

    def garbage(self) -> str:
        rng = self.rng
        alphabet = "abc ;,\t\"'\x00\x01\x1b\x7f\x85\u2028\u202e\ufeff\u200b😀é\n\r="
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))

    def hostile(self, column: str) -> str:
        rng = self.rng
        today = date.today()
        common: list[Callable[[], str]] = [
            lambda: "",
            lambda: "   ",
            lambda: "S" * rng.choice([201, 2001, 10_001, 140_000]),
            self.garbage,
            lambda: rng.choice(["=1+1", "=cmd|' /C calc'!A0", "@SUM(A1)", "+62", "-1"]),
            lambda: "Siti\x00Aminah",
            lambda: rng.choice(['a"b', '"', '""', '"abc', 'abc"', '"a""b"c']),
        ]
        specific: dict[str, list[Callable[[], str]]] = {
            "pendapatan": [
                lambda: rng.choice(["1e400", "9" * 400, "9" * 30, "-5", "NaN", "inf", "1e16"]),
                lambda: rng.choice(["0,00001", "Rp 999.999.999.999.999", "0", "2,5 jt jt"]),
                lambda: "2500000".translate(rng.choice([ARABIC_INDIC, FULL_WIDTH])),
            ],
            "tanggal_asesmen": [
                lambda: rng.choice(["31/02/2026", "2026-13-01", "0000-00-00", "9999-12-31"]),
                lambda: (today + timedelta(days=rng.randint(1, 900))).isoformat(),
                lambda: "2026-01-15".translate(rng.choice([ARABIC_INDIC, FULL_WIDTH])),
            ],
            "tanggal_daftar": [
                lambda: rng.choice(["2026-02-30", "2099-01-01", "kemarin"]),
                lambda: today.isoformat(),
            ],
            "nik": [
                lambda: "3201234567890123".translate(rng.choice([ARABIC_INDIC, FULL_WIDTH])),
                lambda: rng.choice(["320123456789012", "32012345678901234", "3201-2345-6789-0123"]),
                lambda: rng.choice(self.used_niks),
                lambda: "3201234567890123\u200b",
            ],
            "desa": [lambda: rng.choice(["tanpa_umk", "tidak_ada", "SUKAMAJU"])],
            "pendamping": [lambda: rng.choice(["628222", "orang_asing", "admin"])],
            "jenis_kelamin": [lambda: rng.choice(["X", "laki-laki", "perempuan", "l"])],
            "program": [lambda: rng.choice(["tidak_ada", "PENA"])],
            "pola_pikir_berubah": [lambda: rng.choice(["mungkin", "YA", "1"])],
            "nama": [lambda: rng.choice(["\u202eanimA itiS", "  siti   aminah ", "ⓢⓘⓣⓘ"])],
        }
        return rng.choice(common + specific.get(column, []))()

    # --- mutations of a file -------------------------------------------------------------

    def render(self, header: list[str], body: list[list[str]], delimiter: str) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(body)
        return buffer.getvalue()

    def file(self, case: int) -> bytes:
        rng = self.rng
        header, body = self.table(case)
        kind = rng.randrange(10)
        if kind == 0:
            return rng.randbytes(rng.randint(0, 3000))
        for _ in range(rng.randint(1, 3)):
            self.mutate_table(header, body)
        delimiter = rng.choice([",", ",", ";", "\t"])
        content = self.render(header, body, delimiter)
        for _ in range(rng.randint(0, 2)):
            content = self.mutate_text(content)
        encoding = rng.choice(ENCODINGS) if rng.random() < 0.3 else "utf-8"
        data = content.encode(encoding, errors="replace")
        if rng.random() < 0.15:
            data = self.mutate_bytes(data)
        return data

    def mutate_table(self, header: list[str], body: list[list[str]]) -> None:
        rng = self.rng
        roll = rng.randrange(8)
        if roll <= 3 and body:  # a hostile cell
            column = rng.randrange(len(header))
            row = rng.choice(body)
            if column < len(row):  # an earlier mutation may have widened the header
                row[column] = self.hostile(header[column])
        elif roll == 4:  # the header
            change = rng.randrange(5)
            if change == 0:
                header.append(rng.choice(header))
                for line in body:
                    line.append(rng.choice(line))
            elif change == 1 and header:
                at = rng.randrange(len(header))
                del header[at]
                for line in body:
                    del line[at]
            elif change == 2:
                header[rng.randrange(len(header))] = ""
            elif change == 3:
                header[:] = [h.upper().replace("_", " ") for h in header]
            else:
                header[0] = "\ufeff" + header[0]
        elif roll == 5 and body:  # a cell too many or too few
            line = rng.choice(body)
            if rng.random() < 0.5:
                line.append("tambahan")
            elif line:
                line.pop()
        elif roll == 6 and body:  # the same household again
            body.append(list(rng.choice(body)))
        else:  # rows shuffled, some empty
            rng.shuffle(body)
            body.insert(rng.randint(0, len(body)), [""] * len(header))

    def mutate_text(self, content: str) -> str:
        rng = self.rng
        roll = rng.randrange(8)
        if roll == 0 and content:  # truncated
            return content[: rng.randrange(len(content))]
        if roll == 1:  # delimiters mixed up
            return content.replace(",", rng.choice([";", "|", "\t", ""]), rng.randint(1, 20))
        if roll == 2:  # a stray quote
            at = rng.randrange(len(content) + 1)
            return content[:at] + '"' + content[at:]
        if roll == 3:  # a NUL byte or another control character
            at = rng.randrange(len(content) + 1)
            return content[:at] + rng.choice("\x00\x01\x0b\x0c\x1a\x7f") + content[at:]
        if roll == 4:  # old Mac or Unix line ends, blank lines
            return content.replace("\r\n", rng.choice(["\r", "\n", "\n\n", "\r\n\r\n"]))
        if roll == 5:  # Excel's sep= line
            return f"sep={rng.choice(';,|')}\r\n" + content
        if roll == 6:  # a line lost
            lines = content.split("\r\n")
            if len(lines) > 1:
                del lines[rng.randrange(len(lines))]
            return "\r\n".join(lines)
        return content + self.garbage()

    def mutate_bytes(self, data: bytes) -> bytes:
        rng = self.rng
        if not data:
            return rng.randbytes(10)
        buffer = bytearray(data)
        for _ in range(rng.randint(1, 5)):
            buffer[rng.randrange(len(buffer))] = rng.randrange(256)
        return bytes(buffer)


def half_registered(db: Path) -> int:
    connection = sqlite3.connect(db)
    try:
        return connection.execute(
            "select count(*) from beneficiaries b where not exists "
            "(select 1 from assessments a where a.beneficiary_id = b.id)"
        ).fetchone()[0]
    finally:
        connection.close()


def test_import_fuzz(work: Casework, tmp_path: Path) -> None:
    generator = Generator(SEED)
    db = work.store.path
    outcomes: Counter[str] = Counter()
    runner = CliRunner()
    for case in range(CASES):
        data = generator.file(case)
        path = tmp_path / f"fuzz-{case}.csv"
        path.write_bytes(data)
        actor = work.user(generator.rng.choice(["admin", "admin", "628111"]))
        context = f"case {case} as {actor.id}: {data[:300]!r}"
        before = counts(db)
        try:
            rows, problems = read_rows(path, work, actor)
        except InputError as error:
            assert error.message.strip(), context
            rows, problems = [], None
        assert counts(db) == before, f"reading wrote something; {context}"
        if problems is not None:
            for problem in problems:
                assert isinstance(problem.line, int) and problem.line >= 1, context
                assert problem.reason.strip(), context
        if case % CLI_EVERY == 0:
            result = runner.invoke(main, ["--db", str(db), "--as", actor.id, "graduation",
                                          "import", str(path)])
            assert result.exit_code in (0, 2), f"{result.exception!r}; {context}"
            assert result.exception is None or isinstance(result.exception, SystemExit), context
            if problems or problems is None:
                assert result.exit_code == 2, context
                assert counts(db) == before, f"written despite a bad line; {context}"
        if rows:
            try:
                run_import(work, actor, rows)
                outcomes["imported"] += 1
            except InputError as error:
                assert error.message.strip(), context
                outcomes["import stopped"] += 1
        outcomes["refused whole" if problems is None else
                 "with line problems" if problems else "clean"] += 1
        assert half_registered(db) == 0, f"a household without its assessment; {context}"
    assert_consistent(db)
    generated = sum(outcomes[k] for k in ("refused whole", "with line problems", "clean"))
    assert generated == CASES >= 500
    print(f"\nimport fuzz: {generated} generated CSV files (seed {SEED}): {dict(outcomes)}")
    # the generator reaches every path: whole-file refusals, line problems, clean imports
    assert outcomes["refused whole"] > 20 and outcomes["with line problems"] > 100
    assert outcomes["imported"] > 50
