"""Teaching scenarios of the trainer studio: the built-in file is valid and covers every
sample household, every conflict type and every row of the needs table; a trainer's own
file is validated with plain Indonesian (or English) sentences naming the place."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.casework.practice import SAMPLES
from assistant.knowledge.loader import default_knowledge
from assistant.studio import scenarios


@pytest.fixture(scope="module")
def kb():
    return default_knowledge()


def test_the_built_in_scenarios_cover_the_samples_conflicts_and_needs_rows(kb):
    found, problems = scenarios.load_all(kb, folder=Path("/nonexistent"))
    assert problems == []
    samples = yaml.safe_load(SAMPLES.read_text(encoding="utf-8"))
    households = [h["name"] for h in samples["households"]]
    chats = " ".join(m for s in found for m in s.chat)
    assert all(name in chats for name in households)
    types = {s.inputs["type"] for s in found if s.kind == "conflict" and s.inputs}
    assert types == {t.id for t in kb.conflicts.types}
    needs = [s.inputs for s in found if s.kind == "needs" and s.inputs]
    shown = [signal for inputs in needs for signal in inputs["signals"]]
    rows = {kb.needs.signals()[signal][0].id for signal in shown}
    assert rows == {row.id for row in kb.needs.rows() if hasattr(row, "signals")}
    assert all(s.note.en and s.title.en for s in found)


def write(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


GOOD = """
scenarios:
  - id: desa_saya
    kind: conflict
    title: {id: "Konflik di desa saya"}
    note: {id: "Catatan untuk kelas."}
    inputs: {type: kepentingan, scope: banyak_pihak}
"""


def test_a_trainers_file_adds_scenarios(tmp_path, kb):
    write(tmp_path, "saya.yml", GOOD)
    found, problems = scenarios.load_all(kb, folder=tmp_path)
    assert problems == []
    mine = [s for s in found if s.id == "desa_saya"]
    assert mine and mine[0].source == "saya.yml"
    assert mine[0].title.get("en") == "Konflik di desa saya"  # falls back to Indonesian


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("scenarios: [", "bukan YAML yang sah"),
        ("- a\n- b\n", "harus berisi 'scenarios:'"),
        ("scenarios: []", "kolom scenarios: tidak boleh kosong"),
        (
            GOOD.replace("note:", "catatan:"),
            "skenario ke-1 (desa_saya), kolom catatan: kolom ini tidak dikenal",
        ),
        (GOOD.replace('    note: {id: "Catatan untuk kelas."}\n', ""), "kolom note: wajib diisi"),
        (GOOD.replace("desa_saya", "Desa Saya"), "id hanya boleh huruf kecil"),
        (GOOD.replace("kind: conflict", "kind: banjir"), "jenis keputusan 'banjir' tidak dikenal"),
        (
            GOOD.replace("type: kepentingan", "type: tawuran"),
            "kolom inputs.type: Jenis konflik 'tawuran' tidak dikenal",
        ),
        (GOOD.replace("    inputs: {type: kepentingan, scope: banyak_pihak}\n", ""), "isi 'chat'"),
    ],
)
def test_a_bad_file_is_explained_in_indonesian(tmp_path, kb, body, expected):
    write(tmp_path, "salah.yml", body)
    found, problems = scenarios.load_all(kb, folder=tmp_path)
    assert [p.path.name for p in problems] == ["salah.yml"]
    assert any(expected in sentence for sentence in problems[0].problems), problems[0].problems
    assert found and all(s.source == "scenarios.yml" for s in found)  # the good ones still load


def test_errors_in_english_and_duplicate_ids(tmp_path, kb):
    write(tmp_path, "a.yml", GOOD.replace("note:", "catatan:"))
    write(tmp_path, "b.yml", GOOD.replace("desa_saya", "ani_lulus"))
    _, problems = scenarios.load_all(kb, folder=tmp_path, lang="en")
    sentences = {p.path.name: " ".join(p.problems) for p in problems}
    assert "scenario 1 (desa_saya), field catatan: this field is not known" in sentences["a.yml"]
    assert "id already used by another scenario: ani_lulus" in sentences["b.yml"]
