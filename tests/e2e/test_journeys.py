"""Every journey of DESIGN.md section 1 through the real Rasa and action servers, typed
the way people write on WhatsApp, checking the replies and what was stored."""

from __future__ import annotations

import sqlite3
import time
import uuid

import pytest

from assistant.casework.service import Casework
from assistant.store.db import Store
from tests.e2e.conftest import DEDI, RINA, TRAINER

pytestmark = pytest.mark.e2e


def new_sender() -> str:
    return f"warga-{uuid.uuid4().hex[:8]}"


def said(servers, sender: str, message: str) -> str:
    return "\n".join(servers.say(sender, message))


def decisions(servers, sender: str, kind: str) -> list:
    store = Store(servers.db_path)
    try:
        return [
            d for d in store.recent_decisions(limit=500) if d.actor == sender and d.kind == kind
        ]
    finally:
        store.close()


def query(servers, sql: str, *args):
    connection = sqlite3.connect(servers.db_path)
    try:
        return connection.execute(sql, args).fetchall()
    finally:
        connection.close()


def restart(servers, sender: str) -> None:
    servers.say(sender, "batal")


# --- approach --------------------------------------------------------------------------


def test_approach_from_the_users_own_words(servers):
    sender = new_sender()
    first = said(
        servers,
        sender,
        "desa kami banyak lansia, warga masih tergantung bansos. pendekatan apa yg cocok?",
    )
    assert "Saya tangkap" in first and "Lansia" in first
    reply = said(servers, sender, "iya betul")
    assert "Berbasis Kebutuhan" in reply and "1.2" in reply
    [decision] = decisions(servers, sender, "approach")
    assert decision.input == {"conditions": ["bergantung_bantuan"], "groups": ["lansia"]}
    assert decision.output["recommended"] == "berbasis_kebutuhan"


def test_approach_by_numbered_questions(servers):
    sender = new_sender()
    first = said(servers, sender, "mau pilih pendekatan program dong")
    assert "Balas nomornya" in first and "1. Kebutuhan dasar belum terpenuhi" in first
    assert "Ada kelompok khusus" in said(servers, sender, "3")
    reply = said(servers, sender, "0")
    assert "Berbasis Hak" in reply
    assert decisions(servers, sender, "approach")[0].input["conditions"] == ["pelanggaran_hak"]


# --- needs -----------------------------------------------------------------------------


def test_needs_confirmed_then_models_programs_and_guide(servers):
    sender = new_sender()
    first = said(servers, sender, "warga gak punya modal, terus gak ngerti ngatur uang")
    assert "Saya tangkap kebutuhannya" in first
    assert "tidak punya modal" in first.lower()
    reply = said(servers, sender, "ya")
    assert "Akses Modal" in reply and "Pendampingan Manajerial" in reply
    assert "lanjut" in reply.lower()
    more = said(servers, sender, "lanjut")
    assert "Program yang bisa dihubungi" in more or "Contoh kegiatan" in more
    [decision] = decisions(servers, sender, "needs")
    assert set(decision.input["signals"]) == {"tidak_punya_modal", "tidak_paham_keuangan"}
    why = said(servers, sender, "kenapa?")
    assert "Bagian 3.3.2" in why


def test_needs_asks_the_employment_status_only_when_it_matters(servers):
    sender = new_sender()
    first = said(servers, sender, "pemuda di sini gak punya keterampilan kerja")
    assert "Saya tangkap kebutuhannya" in first
    asked = said(servers, sender, "betul")
    assert "Status kerja" in asked and "1. Belum bekerja" in asked
    reply = said(servers, sender, "1")
    assert "Skilling" in reply
    assert decisions(servers, sender, "needs")[0].input["employment"] == "menganggur"
    # a status already said in the first message is not asked again
    other = new_sender()
    said(servers, other, "pemuda di sini pada nganggur, gak punya keterampilan kerja")
    reply = said(servers, other, "betul")
    assert "Status kerja" not in reply and "Skilling" in reply
    assert decisions(servers, other, "needs")[0].input["employment"] == "menganggur"


# --- graduation ------------------------------------------------------------------------


def test_a_facilitator_checks_graduation_and_it_is_stored(servers):
    first = said(servers, RINA, "cek graduasi bu siti")
    assert "pendapatan" in first.lower() and "Siti Aminah" in first
    assert "pola pikir" in said(servers, RINA, "2,6 jt").lower()
    reply = said(servers, RINA, "iya udah berubah")
    assert "LULUS" in reply and "Komunikasi kelulusan" in reply and "Tersimpan" in reply
    rows = query(
        servers,
        "select b.name, b.state, a.income_monthly from assessments a "
        "join beneficiaries b on b.id = a.beneficiary_id where b.name = ?",
        "Siti Aminah",
    )
    assert rows == [("Siti Aminah", "komunikasi_kelulusan", 2_600_000.0)]
    tasks = said(servers, RINA, "jadwal saya")
    assert "Komunikasi kelulusan: Siti Aminah" in tasks


def test_without_a_umk_the_facilitator_is_told_who_records_it_and_nothing_is_stored(servers):
    """Hardening finding 4: a facilitator does not set the village's UMK by chat."""
    first = said(servers, RINA, "mau cek kelulusan penerima manfaat")
    assert "Rumah tangga yang mana" in first and "Budi Santoso" in first
    number = next(line.split(".")[0] for line in first.splitlines() if "Budi Santoso" in line)
    reply = said(servers, RINA, number)
    assert "koordinator" in reply and "mekarsari" in reply
    assert query(servers, "select umk from villages where id = 'mekarsari'") == [(None,)]
    assert query(servers, "select count(*) from umk_changes where village_id = 'mekarsari'") == [
        (0,)
    ]


def household_of_rina(servers, name: str) -> str:
    """A new household of Bu Rina's in Sukamaju (its UMK is known), for one test."""
    work = Casework(Store(servers.db_path))
    try:
        return work.register(work.user(RINA), name=name, village_id="sukamaju", gender="P").id
    finally:
        work.store.close()


def test_a_question_about_pena_does_not_lose_the_form(servers):
    household_of_rina(servers, "Ani Lestari")
    asked = said(servers, RINA, "mau cek kelulusan bu ani lestari")
    assert "Berapa pendapatan" in asked
    interrupted = said(servers, RINA, "bentar, PENA itu program apa sih?")
    assert "Pahlawan Ekonomi Nusantara" in interrupted
    assert "Berapa pendapatan" in interrupted  # the form asks its question again
    said(servers, RINA, "1,5 jt")
    reply = said(servers, RINA, "belum")
    assert "belum lulus" in reply and "Evaluasi" in reply


def test_an_absurd_income_is_refused_politely_and_nobody_else_waits(servers):
    """Hardening finding 1: "10000000000 jt" used to kill the action server."""
    household = household_of_rina(servers, "Wati Susanti")
    assert "Berapa pendapatan" in said(servers, RINA, "cek graduasi bu wati susanti")
    reply = said(servers, RINA, "10000000000 jt")
    assert "terlalu besar" in reply
    started = time.monotonic()
    other = said(servers, new_sender(), "halo")
    assert other and time.monotonic() - started < 1.0
    said(servers, RINA, "2,8 jt")  # the form goes on where it was
    said(servers, RINA, "sudah")
    rows = query(
        servers, "select income_monthly from assessments where beneficiary_id = ?", household
    )
    assert rows == [(2_800_000,)]


def test_a_stranger_gets_no_household_data(servers):
    stranger = new_sender()
    reply = said(servers, stranger, "cek graduasi siti aminah")
    assert "pendamping yang terdaftar" in reply
    assert "Siti" not in reply and "Budi" not in reply
    assert "Siti" not in said(servers, stranger, "jadwal saya")


def test_a_facilitator_cannot_reach_another_facilitators_household(servers):
    first = said(servers, DEDI, "cek graduasi dong")
    assert "Joko Wibowo" in first and "Siti" not in first
    refused = said(servers, DEDI, "siti aminah")
    assert "tidak ada di daftar dampingan Anda" in refused
    restart(servers, DEDI)


def test_a_trainer_practises_in_the_sandbox(servers):
    reply = said(servers, TRAINER, "cek graduasi")
    assert "Belum ada rumah tangga" in reply or "Rumah tangga yang mana" in reply
    assert "Siti" not in reply  # the real households are not in the sandbox
    restart(servers, TRAINER)


# --- knowledge questions ---------------------------------------------------------------


def test_program_question_by_name_and_by_number(servers):
    sender = new_sender()
    assert "Kementerian Sosial" in said(servers, sender, "apa itu PENA?")
    listed = said(servers, sender, "info program pemerintah dong")
    assert "1. PENA" in listed
    number = next(
        line.split(".")[0]
        for line in listed.splitlines()
        if line.endswith(". KUR") or line.endswith(" KUR")
    )
    assert "KUR" in said(servers, sender, number)


def test_stage_question_and_more(servers):
    sender = new_sender()
    reply = said(servers, sender, "tahap perencanaan harus siapin apa aja?")
    assert "Perencanaan" in reply and "Dokumen keluaran" in reply
    assert "lanjut" in reply.lower()
    assert "Dokumen keluaran" in said(servers, sender, "lanjut")


# --- program review --------------------------------------------------------------------


def test_program_review_in_three_numbered_answers(servers):
    sender = new_sender()
    first = said(servers, sender, "tolong tinjau kelengkapan tahapan program PENA")
    assert "(1/3)" in first
    assert "(2/3)" in said(servers, sender, "1 2")
    assert "(3/3)" in said(servers, sender, "semua")
    reply = said(servers, sender, "1 3")
    assert "Skor tahapan program: 7/10" in reply and "cukup" in reply
    assert "kajian lapangan" in reply
    [decision] = decisions(servers, sender, "program_review")
    assert decision.output["gaps"][0]["check"] == "data_primer"


# --- menu, fallback, boundaries, language ----------------------------------------------


def test_menu_numbers_start_a_journey(servers):
    sender = new_sender()
    assert "8. Jadwal tugas saya" in said(servers, sender, "menu")
    assert "Jenis konfliknya" in said(servers, sender, "4")
    restart(servers, sender)


def test_unclear_and_out_of_scope_messages(servers):
    sender = new_sender()
    # gibberish gets either the rephrase request or the boundary, never a journey
    unclear = said(servers, sender, "xkcd qwrty zzzz")
    assert "belum paham" in unclear or "di luar yang bisa saya bantu" in unclear
    assert "di luar yang bisa saya bantu" in said(servers, sender, "resep rendang dong")


def test_english_gets_english(servers):
    sender = new_sender()
    assert "I can help with" in said(servers, sender, "hello, what can you do for me?")


# --- safeguarding and trainer mode -----------------------------------------------------


def test_a_report_of_harm_gets_the_protocol_and_is_flagged(servers):
    sender = new_sender()
    reply = said(servers, sender, "ada peserta yang dilecehkan ketua kelompok waktu pelatihan")
    assert "PENTING" in reply and "Identitas pelapor dirahasiakan" in reply
    assert "Laporan Anda dicatat" in reply and sender not in reply
    rows = query(
        servers,
        "select reporter, concerns, status from safeguarding_reports where reporter = ?",
        sender,
    )
    assert rows == [(sender, '["pelecehan"]', "baru")]


def test_trainer_mode_uses_sample_households_in_the_sandbox(servers):
    reply = said(servers, TRAINER, "masuk mode pelatih dong")
    assert "Mode pelatih aktif" in reply and "Ani Lestari" in reply
    asked = said(servers, TRAINER, "cek graduasi Ani Lestari")
    assert "pendapatan" in asked.lower()
    restart(servers, TRAINER)
    # nothing of the practice reaches the real database (another test may have registered
    # a real Ani Lestari for Bu Rina; the sandbox's are the trainer's, in practice villages)
    assert query(
        servers,
        "select count(*) from beneficiaries where facilitator_id = ? or village_id like 'latihan%'",
        TRAINER,
    ) == [(0,)]
    assert query(servers, "select count(*) from villages where id like 'latihan%'") == [(0,)]
