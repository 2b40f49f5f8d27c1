"""`assistant report graduation` and `assistant export` on a real caseload."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from assistant.casework.service import Casework
from assistant.store.db import Store
from assistant.store.records import User, Village
from tests.support.caseload import VILLAGES, write_caseload
from tests.support.cli import CliResult, run_cli


@pytest.fixture(scope="module")
def db(tmp_path_factory, knowledge) -> Path:
    folder = tmp_path_factory.mktemp("report")
    path = folder / "report.db"
    work = Casework(Store(path), knowledge)
    admin = User(id="admin", name="Admin", role="admin")
    work.add_user(None, admin)
    for village, umk in VILLAGES.items():
        work.add_village(admin, Village(id=village, name=village.title(), umk=umk))
    work.add_user(admin, User(id="628111", name="Rina", role="pendamping"))
    work.add_user(admin, User(id="628333", name="Kades", role="pejabat_desa",
                              village_id="sukamaju"))
    work.store.close()
    caseload = write_caseload(folder / "c.csv", 120, ["628111"])
    imported = run(path, "admin", "graduation", "import", str(caseload))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    return path


def run(db: Path, actor: str, *args: str) -> CliResult:
    return run_cli(["--as", actor, *args], env={"ASSISTANT_DB": str(db)})


def test_report_counts_by_step_level_village_gender_and_disability(db, tmp_path):
    png = tmp_path / "graduasi.png"
    result = run(db, "admin", "report", "graduation", "--png", str(png))
    assert result.returncode == 0, result.stderr
    assert "Laporan graduasi: 120 rumah tangga" in result.stdout
    for heading in ("Menurut langkah", "Menurut tingkat kesejahteraan", "Menurut desa"):
        assert heading in result.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads(run(db, "admin", "report", "graduation", "--json").stdout)
    assert data["total"] == 120
    by_state = data["state"]
    assert sum(g.get("L", 0) + g.get("P", 0) for g in by_state.values()) == 120
    assert sum(g.get("disabilitas", 0) for g in by_state.values()) >= 1


def test_a_village_official_counts_only_their_village(db):
    own = json.loads(run(db, "628333", "report", "graduation", "--json").stdout)
    assert set(own["village"]) == {"Sukamaju"}
    refused = run(db, "628333", "report", "graduation", "--desa", "tanjung")
    assert refused.returncode == 2
    assert run(db, "628333", "export", "cases").returncode == 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports(db, tmp_path, fmt):
    out = tmp_path / f"kasus.{fmt}"
    result = run(db, "admin", "export", "cases", "--village", "sukamaju", "--format", fmt,
                 "--out", str(out))
    assert result.returncode == 0, result.stderr
    if fmt == "csv":
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
    else:
        sheet = load_workbook(out).active
        values = list(sheet.values)
        rows = [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    assert rows and {row["village_id"] for row in rows} == {"sukamaju"}
    assert "nik_hash" not in rows[0]
    decisions = tmp_path / f"keputusan.{fmt}"
    result = run(db, "admin", "export", "decisions", "--since", "2000-01-01", "--format", fmt,
                 "--out", str(decisions))
    assert result.returncode == 0 and "120 baris" in result.stdout
