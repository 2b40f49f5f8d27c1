"""The knowledge files load through their models, cite real sections, and a broken file
says which file, row and field are wrong."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from assistant.knowledge import KnowledgeError, load_knowledge
from assistant.knowledge_models import TABLES
from tests.conftest import ROOT


def test_every_file_loads_through_its_model(knowledge):
    assert set(knowledge.tables) == set(TABLES)
    for file_name, table in knowledge.tables.items():
        assert isinstance(table, TABLES[file_name])


def test_every_row_cites_a_section_listed_in_sources(knowledge):
    rows = list(knowledge.rows())
    assert len(rows) > 20
    for file_name, row in rows:
        assert knowledge.sources.knows(row.source), (file_name, row.id, row.source)


def test_the_version_is_a_content_hash(tmp_path: Path, knowledge):
    copy = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", copy)
    assert load_knowledge(copy).version == knowledge.version
    path = copy / "conflicts.yml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert load_knowledge(copy).version != knowledge.version


def _broken_copy(tmp_path: Path, file_name: str, change) -> Path:
    copy = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", copy)
    data = yaml.safe_load((copy / file_name).read_text(encoding="utf-8"))
    change(data)
    (copy / file_name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return copy


def test_a_wrong_field_is_named_with_its_file_and_row(tmp_path: Path):
    def break_rank(data):
        data["categories"][1]["rank"] = "dua"

    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(_broken_copy(tmp_path, "conflicts.yml", break_rank))
    error = caught.value
    assert (error.file, error.row, error.field) == ("conflicts.yml", "sedang", "rank")
    assert "conflicts.yml" in str(error) and "sedang" in str(error) and "rank" in str(error)


def test_a_missing_field_is_named(tmp_path: Path):
    def drop_options(data):
        del data["types"][0]["options"]

    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(_broken_copy(tmp_path, "conflicts.yml", drop_options))
    assert (caught.value.row, caught.value.field) == ("komunikasi", "options")


def test_a_citation_outside_sources_is_refused(tmp_path: Path):
    def cite_nowhere(data):
        data["protocol"][0]["source"] = {"section": "9.9", "title": "Bab yang tidak ada"}

    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(_broken_copy(tmp_path, "safeguarding.yml", cite_nowhere))
    assert caught.value.file == "safeguarding.yml"
    assert caught.value.row == "lapor_tim_khusus"
    assert caught.value.field == "source"


def test_a_dangling_reference_is_refused(tmp_path: Path):
    def unknown_category(data):
        data["types"][0]["category"] = "raksasa"

    with pytest.raises(KnowledgeError, match="raksasa"):
        load_knowledge(_broken_copy(tmp_path, "conflicts.yml", unknown_category))


def _first_cited_row(node):
    if isinstance(node, dict):
        if "id" in node and "source" in node:
            return node
        children = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        found = _first_cited_row(child)
        if found is not None:
            return found
    return None


@pytest.mark.parametrize("file_name", sorted(set(TABLES) - {"sources.yml"}))
def test_every_file_names_file_row_and_field_when_broken(tmp_path: Path, file_name):
    broken = {}

    def break_section(data):
        row = _first_cited_row(data)
        row["source"]["section"] = "bab satu"
        broken["row"] = row["id"]

    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(_broken_copy(tmp_path, file_name, break_section))
    assert (caught.value.file, caught.value.row, caught.value.field) == (
        file_name, broken["row"], "section"
    )
