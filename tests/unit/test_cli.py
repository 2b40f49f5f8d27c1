"""`assistant decide` per DESIGN.md 4.2: JSON in, JSON out; exit 2 with a JSON error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ASSISTANT = Path(sys.executable).with_name("assistant")


def run(args: list[str], stdin: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ASSISTANT), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={"ASSISTANT_DB": str(tmp_path / "cli.db"), "PATH": "/usr/bin:/bin"},
        timeout=60,
    )


def test_socio_cultural_conflict_is_large(tmp_path):
    result = run(["decide", "conflict"], '{"type":"sosial_budaya"}', tmp_path)
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["category"] == "besar"
    assert decision["fired"] and decision["citations"]
    assert {
        "section": "3.3.5",
        "title": "Kerangka Kerja Manajemen dan Resolusi Konflik",
    } in decision["citations"]


def test_input_from_a_file(tmp_path):
    path = tmp_path / "in.json"
    path.write_text('{"type": "komunikasi", "scope": "banyak_pihak"}', encoding="utf-8")
    result = run(["decide", "conflict", "--input", str(path)], "", tmp_path)
    assert json.loads(result.stdout)["category"] == "besar"


@pytest.mark.parametrize(
    ("stdin", "field"),
    [
        ('{"type":"perang"}', "type"),
        ('{"type":"kepentingan","scope":"dunia"}', "scope"),
        ('{"type":"kepentingan","threatens_program":"mungkin"}', "threatens_program"),
        ('{"type":"kepentingan","lokasi":"x"}', "lokasi"),
        ("{}", "type"),
        ("bukan json", None),
        ("[1, 2]", None),
    ],
)
def test_invalid_input_exits_2_with_an_indonesian_json_error(tmp_path, stdin, field):
    result = run(["decide", "conflict"], stdin, tmp_path)
    assert result.returncode == 2
    error = json.loads(result.stdout)
    assert error["field"] == field
    assert error["error"].endswith(".")
    assert "Traceback" not in result.stdout + result.stderr


def test_unknown_kind_exits_2(tmp_path):
    result = run(["decide", "ramalan"], "{}", tmp_path)
    assert result.returncode == 2
    assert json.loads(result.stdout) == {
        "error": "Jenis keputusan 'ramalan' tidak dikenal. Pilih salah satu: approach, needs, "
        "conflict, graduation, program_review, sustainability.",
        "field": "kind",
    }


def test_explain_a_stored_decision(tmp_path):
    decided = json.loads(run(["decide", "conflict"], '{"type":"kepentingan"}', tmp_path).stdout)
    result = run(["explain", decided["decision_id"]], "", tmp_path)
    assert result.returncode == 0
    assert "Bagian 3.3.5" in result.stdout
