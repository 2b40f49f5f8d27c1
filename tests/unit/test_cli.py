"""`assistant decide` per DESIGN.md 4.2: JSON in, JSON out; exit 2 with a JSON error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import CliResult, run_cli

ASSISTANT = Path(sys.executable).with_name("assistant")


def run(args: list[str], stdin: str, tmp_path: Path) -> CliResult:
    return run_cli(args, stdin=stdin, env={"ASSISTANT_DB": str(tmp_path / "cli.db")})


def test_the_installed_binary_has_the_commands_the_tests_run_in_process(tmp_path):
    """The one real process here: what the other tests run in-process is the installed
    `assistant` script, with the same commands (and the casework commands attached)."""
    helps = {}
    for args in (["--help"], ["cases", "--help"], ["trainer", "seed", "--help"]):
        binary = subprocess.run(
            [str(ASSISTANT), *args], capture_output=True, text=True, timeout=60,
            env={"ASSISTANT_DB": str(tmp_path / "cli.db"), "PATH": "/usr/bin:/bin"},
        )
        in_process = run(args, "", tmp_path)
        assert binary.returncode == in_process.returncode == 0, binary.stderr
        assert binary.stdout == in_process.stdout
        helps[args[0]] = in_process.stdout
    commands = {line.split()[0] for line in helps["--help"].split("Commands:")[1].splitlines()
                if line.startswith("  ")}
    assert commands >= {"decide", "explain", "diagram", "knowledge", "users", "villages",
                        "cases", "tasks", "graduation", "report", "export", "trainer",
                        "safeguarding"}
    assert "--as" in helps["--help"] and "--db" in helps["--help"]


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
        "conflict, graduation, program_review, sustainability, safeguarding.",
        "field": "kind",
    }


def test_explain_a_stored_decision(tmp_path):
    decided = json.loads(run(["decide", "conflict"], '{"type":"kepentingan"}', tmp_path).stdout)
    result = run(["explain", decided["decision_id"]], "", tmp_path)
    assert result.returncode == 0
    assert "Bagian 3.3.5" in result.stdout


VALID = {
    "approach": ('{"conditions":["pelanggaran_hak"]}', "approaches"),
    "needs": ('{"signals":["tidak_punya_modal"]}', "interventions"),
    "conflict": ('{"type":"komunikasi"}', "category"),
    "graduation": ('{"income_monthly":3000000,"umk":2500000,"mindset_changed":true}', "graduated"),
    "program_review": (
        '{"checks":{"perencanaan":true,"data_sekunder":true,"data_primer":true,"persiapan":true,'
        '"peningkatan_akses":true,"pengembangan_keterampilan":true,"pendampingan":true,'
        '"monev_digital":true,"monev_manual":false,"exit_strategy":false}}',
        "category",
    ),
    "sustainability": ('{"parameters":{"ada_regulasi":true}}', "strategies"),
}
INVALID = {
    "approach": ('{"conditions":["kaya_raya"]}', "conditions"),
    "needs": ('{"signals":[]}', "signals"),
    "conflict": ('{"type":"perang"}', "type"),
    "graduation": ('{"income_monthly":-5,"umk":2500000,"mindset_changed":true}', "income_monthly"),
    "program_review": ('{"checks":{"perencanaan":true}}', "checks"),
    "sustainability": ('{"parameters":{"uang_banyak":true}}', "parameters"),
}


@pytest.mark.parametrize("kind", sorted(VALID))
def test_every_kind_answers_per_the_contract(tmp_path, kind):
    stdin, key = VALID[kind]
    result = run(["decide", kind], stdin, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    decision = json.loads(result.stdout)
    assert key in decision and decision["fired"] and decision["citations"]
    stdin, field = INVALID[kind]
    refused = run(["decide", kind], stdin, tmp_path)
    assert refused.returncode == 2
    error = json.loads(refused.stdout)
    assert error["field"] == field and error["error"].endswith(".")


@pytest.mark.parametrize(
    ("stdin", "field", "phrase"),
    [
        (
            '{"income_monthly":-1,"umk":2500000,"mindset_changed":true}',
            "income_monthly",
            "tidak boleh kurang dari 0",
        ),
        ('{"income_monthly":1,"umk":0,"mindset_changed":true}', "umk", "harus lebih dari 0"),
        (
            '{"income_monthly":"dua juta","umk":2500000,"mindset_changed":true}',
            "income_monthly",
            "harus berupa angka",
        ),
    ],
)
def test_graduation_errors_are_indonesian_and_name_the_field(tmp_path, stdin, field, phrase):
    result = run(["decide", "graduation"], stdin, tmp_path)
    assert result.returncode == 2
    error = json.loads(result.stdout)
    assert error["field"] == field and phrase in error["error"]


def test_needs_errors_for_unknown_and_empty_signals(tmp_path):
    unknown = json.loads(run(["decide", "needs"], '{"signals":["kaya"]}', tmp_path).stdout)
    assert unknown["field"] == "signals" and "tidak dikenal" in unknown["error"]
    empty = json.loads(run(["decide", "needs"], '{"signals":[]}', tmp_path).stdout)
    assert empty["field"] == "signals" and "tidak boleh kosong" in empty["error"]


def test_explain_as_mermaid(tmp_path):
    decided = json.loads(
        run(
            ["decide", "graduation"],
            '{"income_monthly":3000000,"umk":2500000,"mindset_changed":true}',
            tmp_path,
        ).stdout
    )
    result = run(["explain", decided["decision_id"], "--mermaid"], "", tmp_path)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "flowchart TD"
    # the chain is drawn: indicators -> weighing -> transition -> referral
    assert any(" --> out" in line for line in lines)
    assert sum(1 for line in lines if "-->" in line) >= len(decided["fired"])
