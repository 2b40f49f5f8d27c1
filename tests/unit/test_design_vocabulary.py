"""Every id DESIGN.md section 4.1 lists exists in the knowledge (other parts rely on them)."""

from __future__ import annotations

import pytest

from assistant.knowledge.models.interventions import BUSINESS_STAGE, EMPLOYMENT

SIGNALS = """tidak_punya_keterampilan_kerja tidak_punya_keterampilan_wirausaha sulit_akses_pelatihan
tidak_paham_keuangan tidak_punya_modal tidak_punya_agunan sulit_memasarkan tidak_ada_info_pasar
jaringan_pemasaran_sempit pendidikan_rendah kurang_keterampilan_dasar butuh_bimbingan_usaha
sulit_memecahkan_masalah butuh_motivasi""".split()
MODELS = """keterampilan_kerja keterampilan_wirausaha pendampingan_teknis pendampingan_sosial
pendampingan_manajerial akses_modal akses_pasar akses_pendidikan""".split()
SUB_MODELS = "skilling upskilling reskilling pelatihan_motivasi pelatihan_manajemen inkubasi_bisnis"
APPROACHES = "berbasis_kebutuhan berbasis_hak penghidupan_berkelanjutan appreciative_inquiry"
CONDITIONS = """kebutuhan_dasar_tidak_terpenuhi bergantung_bantuan pelanggaran_hak diskriminasi
potensi_belum_optimal ada_praktik_baik""".split()
GROUPS = "perempuan anak masyarakat_adat disabilitas lansia".split()
CONFLICT_TYPES = "komunikasi kepentingan teknis_operasional sosial_budaya".split()
CATEGORIES = "kecil sedang besar".split()
SCOPES = "individu kelompok_kecil banyak_pihak".split()
GRADUATED_STEPS = "komunikasi_kelulusan pendampingan_pasca_graduasi rujukan_program_lanjutan"
OTHER_STEPS = """evaluasi komunikasi pendampingan_intensif evaluasi_ulang
pertimbangan_penghentian_bantuan""".split()
LEVELS = "miskin rentan menengah stabil".split()
CHECKS = """perencanaan data_sekunder data_primer persiapan peningkatan_akses
pengembangan_keterampilan pendampingan monev_digital monev_manual exit_strategy""".split()
REVIEW_CATEGORIES = {"kurang": (1, 5), "cukup": (6, 7), "sangat": (8, 10)}
STUDIED = """pena yess atensi_kewirausahaan plut kelapa_muda pembiayaan_umi berdaya_ekomas
reforma_agraria perhutanan_sosial dana_desa pbk kartu_prakerja bumdes pesada pr_yakkum""".split()
NATIONAL = "pkh bpnt kur".split()


def test_need_signals(knowledge):
    assert set(SIGNALS) == set(knowledge.needs.signals())


def test_intervention_models_and_sub_models(knowledge):
    assert {m.id for m in knowledge.interventions.models} == set(MODELS)
    assert {s.id for s in knowledge.interventions.sub_models} == set(SUB_MODELS.split())


def test_employment_status_and_business_stage_values():
    assert set(EMPLOYMENT.__args__) == {"menganggur", "bekerja", "kena_phk"}
    assert set(BUSINESS_STAGE.__args__) == {"belum_ada", "pemula", "berjalan"}


def test_every_employment_status_and_early_business_stage_selects_a_sub_model(knowledge):
    subs = knowledge.interventions.sub_models
    for status in EMPLOYMENT.__args__:
        assert any(status in s.for_employment for s in subs), status
    for stage in ("belum_ada", "pemula"):
        assert any(stage in s.for_business_stage for s in subs), stage
    # 3.2 aims all three entrepreneurship trainings at people without a business or just
    # starting one; a running business gets mentoring and access, not a sub-model.
    assert not any("berjalan" in s.for_business_stage for s in subs)


def test_approaches_conditions_and_groups(knowledge):
    table = knowledge.approaches
    assert {a.id for a in table.approaches} == set(APPROACHES.split())
    assert {c.id for c in table.conditions} >= set(CONDITIONS)
    assert {g.id for g in table.groups} >= set(GROUPS)
    for condition in CONDITIONS:
        assert any(condition in a.conditions for a in table.approaches), condition
    for group in GROUPS:
        assert any(group in a.target_groups for a in table.approaches), group
    assert {a.id for a in table.approaches if a.core} == {"berbasis_kebutuhan", "berbasis_hak"}


def test_conflict_vocabulary(knowledge):
    table = knowledge.conflicts
    assert {t.id for t in table.types} == set(CONFLICT_TYPES)
    assert [c.id for c in sorted(table.categories, key=lambda c: c.rank)] == CATEGORIES
    assert {s.id for s in table.scopes} == set(SCOPES)


def test_graduation_vocabulary(knowledge):
    table = knowledge.graduation
    assert [s.id for s in table.path("lulus")] == GRADUATED_STEPS.split()
    assert [s.id for s in table.path("tidak_lulus")] == OTHER_STEPS
    assert {table.initial_state, table.graduated_state} == {"terdaftar", "lulus"}
    assert [lvl.id for lvl in sorted(table.levels, key=lambda lvl: lvl.rank)] == LEVELS


def test_program_review_vocabulary(knowledge):
    assert [c.id for c in knowledge.review.checks] == CHECKS
    categories = {c.id: (c.min, c.max) for c in knowledge.review.categories}
    for category, (low, high) in REVIEW_CATEGORIES.items():
        assert categories[category][0] <= low and categories[category][1] == high


@pytest.mark.parametrize("program", STUDIED + NATIONAL + ["kartu_usaha", "kartu_kesejahteraan"])
def test_programs(knowledge, program):
    row = knowledge.programs.program(program)
    if program in STUDIED:
        assert row.checks is not None and row.assessed is not None


def test_profile_vocabularies_are_spelled_out_once_in_the_code():
    """Employment statuses and business stages are listed in one place
    (assistant/knowledge/models/interventions.py); everything else takes them from there."""
    import re

    from tests.conftest import ROOT

    lists = {
        "business stages": re.compile(r"belum_ada\W+pemula\W+berjalan"),
        "employment": re.compile(r"menganggur\W+bekerja\W+kena_phk"),
    }
    for name, pattern in lists.items():
        places = [
            path.relative_to(ROOT).as_posix()
            for folder in ("assistant", "actions", "rules", "scripts", "bench")
            for path in (ROOT / folder).rglob("*.py")
            if pattern.search(path.read_text(encoding="utf-8"))
        ]
        assert places == ["assistant/knowledge/models/interventions.py"], name
