"""`assistant knowledge list|show|search`: human-readable by default, --json for machines."""

from __future__ import annotations

import json

import pytest

from tests.support.cli import CliResult, run_cli


def invoke(*args: str) -> CliResult:
    return run_cli(["knowledge", *args])


def test_list_tables_and_rows(knowledge):
    result = invoke("list")
    assert result.returncode == 0
    assert "programs" in result.stdout and knowledge.version in result.stdout
    rows = json.loads(invoke("list", "programs", "--json").stdout)["rows"]
    assert len(rows) == 20
    assert {"id": "pena", "title": "PENA",
            "source": {"section": "2.1.1", "title": "Gambaran Umum: Program Pemerintah"}} in rows


def test_unknown_table_is_a_clear_error():
    result = invoke("list", "ramalan")
    assert result.returncode == 2
    assert "Tabel 'ramalan' tidak ada" in json.loads(result.stdout)["error"]


def test_show_pena_tells_an_official_what_it_is(knowledge):
    result = invoke("show", "pena")
    assert result.returncode == 0
    text = result.stdout
    program = knowledge.programs.program("pena")
    # what it is, who runs it, whom it serves, how graduation works, and the citation
    assert program.full_name in text
    assert f"Pengelola: {program.ministry}" in text
    assert all(target in text for target in program.targets)
    assert program.graduation in text and "UMK" in text
    assert text.index("*PENA*") < text.index("Kriteria graduasi PENA")
    assert "Sumber: Bagian 2.1.1, Gambaran Umum: Program Pemerintah." in text


def test_show_json_and_unknown_id():
    matches = json.loads(invoke("show", "pena", "--json").stdout)["matches"]
    assert {m["table"] for m in matches} == {"programs", "graduation"}
    missing = invoke("show", "pena_palsu")
    assert missing.returncode == 2
    assert json.loads(missing.stdout)["field"] == "id"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("gak punya modal", "tidak_punya_modal"),
        ("MODAL USAHA", "tidak_punya_modal"),
        ("pelatian vokasi", "panduan_pelatihan_vokasi"),  # typo
        ("grduasi pena", "pena"),  # typo
        ("konflik adat", "sosial_budaya"),
        ("kartu prakerja", "kartu_prakerja"),
    ],
)
def test_search_is_tolerant_of_case_and_typos(query, expected):
    hits = json.loads(invoke("search", *query.split(), "--json").stdout)["hits"]
    assert expected in [hit["id"] for hit in hits[:3]], hits[:3]


def test_search_without_hits_says_so():
    result = invoke("search", "qwertyuiop")
    assert result.returncode == 0
    assert "Tidak ditemukan" in result.stdout
