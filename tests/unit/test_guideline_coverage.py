"""Every section of the guideline with a table or framework is carried by knowledge rows,
or marked out of scope with a reason. The list is data (knowledge/coverage.yml); it is
checked against knowledge/sources.yml and the knowledge rows only (never against the
guideline's text, which the project does not depend on)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from assistant.knowledge.loader import KnowledgeError, coverage_markdown, load_coverage
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def coverage():
    return load_coverage()


def test_every_section_of_the_guideline_is_listed(coverage, knowledge):
    listed = {item.source.section for item in coverage.items}
    sections = {entry.section for entry in knowledge.sources.sections}
    assert sections - listed == set(), "sections missing from coverage.yml"
    assert listed - sections == set(), "coverage.yml names sections sources.yml lacks"


def test_every_citation_of_the_list_is_known(coverage, knowledge):
    for item in coverage.items:
        assert knowledge.sources.knows(item.source), (item.id, item.source)


def test_every_carrier_row_exists_in_its_file(coverage, knowledge):
    rows: dict[str, set[str]] = {}
    for file_name, row in knowledge.rows():
        rows.setdefault(file_name, set()).add(row.id)
    for item in coverage.items:
        for carrier in item.carried_by:
            assert carrier.file in knowledge.tables, (item.id, carrier.file)
            missing = set(carrier.rows) - rows[carrier.file]
            assert not missing, (item.id, carrier.file, missing)


def test_out_of_scope_items_say_why(coverage):
    for item in coverage.items:
        if item.out_of_scope:
            assert len(item.out_of_scope) >= 20, item.id
            assert item.out_of_scope.endswith("."), item.id


def test_the_parts_issue_13_asked_for_are_carried(coverage):
    """The six principles, the inclusive policy, the example and monev indicators, the
    mentoring and access sub-models and critical education, funding, action plan, data
    collection and sampling, socialisation, documentation and communication, analysis
    methods and report templates."""
    carried = {
        item.id: {c.file for c in item.carried_by} for item in coverage.items if item.carried_by
    }
    expected = {
        "enam_prinsip": "principles.yml",
        "kebijakan_inklusif": "implementation.yml",
        "dimensi_indikator": "indicators.yml",
        "indikator_monev": "indicators.yml",
        "model_intervensi_program": "interventions.yml",
        "pendidikan_kritis": "interventions.yml",
        "sumber_dana": "planning.yml",
        "strategi_dana": "planning.yml",
        "rencana_aksi": "planning.yml",
        "data_sekunder": "assessment.yml",
        "metode_sampel": "assessment.yml",
        "jadwal_sosialisasi": "preparation.yml",
        "metode_sosialisasi": "preparation.yml",
        "dokumentasi": "implementation.yml",
        "alur_komunikasi": "implementation.yml",
        "metode_analisis": "monitoring.yml",
        "templat_laporan": "monitoring.yml",
    }
    for item_id, file_name in expected.items():
        assert file_name in carried.get(item_id, set()), item_id


def test_the_reviewers_note_is_generated_from_the_list(coverage, knowledge):
    note = coverage_markdown(knowledge, coverage)
    lines = note.splitlines()
    assert len(lines) == len(coverage.items) + 2
    assert "principles.yml (6:" in note
    assert "di luar cakupan" in note


def test_a_dangling_carrier_is_refused_by_its_model(tmp_path: Path):
    copy = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", copy)
    path = copy / "coverage.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["items"][0].pop("out_of_scope")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_coverage(copy)
    assert caught.value.file == "coverage.yml"
