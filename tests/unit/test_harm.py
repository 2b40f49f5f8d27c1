"""Harm in the person's own words (knowledge/safeguarding.yml; 3.3.5 "Kebijakan
Perlindungan"): recognised whatever the journey, not when it is denied, and not in
ordinary talk about money, children or work."""

from __future__ import annotations

import pytest

from assistant.reading.words import detect_harm


@pytest.mark.parametrize(
    ("message", "concern"),
    [
        ("pendamping kami suka minta uang ke ibu2 yg dapat bantuan", "eksploitasi"),
        ("bantuan bpnt dipotong 20rb per orang sama pengurus", "eksploitasi"),
        ("pak rt narik uang dari warga penerima blt", "eksploitasi"),
        ("ada pungli pas pencairan", "eksploitasi"),
        ("kami disuruh setor ke ketua tiap bulan", "eksploitasi"),
        ("upah kami di kelompok tenun udah 3 bulan gak dibayar", "eksploitasi"),
        ("anak2 tetangga dipekerjakan di bengkel", "pekerja_anak"),
        ("bocah masih sd disuruh kerja di ladang tiap hari", "pekerja_anak"),
        ("ibu itu sering digodain mandor waktu pelatihan", "pelecehan"),
        ("dia dikirimi chat mesum sama pengurus", "pelecehan"),
        ("ada peserta yang dipegang pegang di acara", "pelecehan"),
        ("suaminya mukul dia gara2 ikut program", "kekerasan"),
        ("saya diancam kalau lapor ke kecamatan", "kekerasan"),
        ("ketua bilang kami disuruh diam aja", "kekerasan"),
        ("penyandang disabilitas dikucilkan di kelompok", "diskriminasi"),
        ("A facilitator asked for money from the women", "eksploitasi"),
        ("the children are made to work in the shop", "pekerja_anak"),
    ],
)
def test_harm_said_informally_is_recognised(knowledge, message, concern):
    assert concern in detect_harm(message, knowledge)


@pytest.mark.parametrize(
    "message",
    [
        "gak ada yang dipukul kok",
        "tidak ada kekerasan",
        "alhamdulillah aman, bukan pelecehan",
        "warga minta uang modal buat usaha",
        "apakah konflik ini mengancam program? iya mengancam program",
        "anak muda putus sekolah butuh pelatihan kerja",
        "jatah bantuan gak merata",
        "ibu2 pengen pelatihan jahit",
        "pendapatannya 2,8 juta sebulan",
        "",
        "🙏",
    ],
)
def test_denials_and_ordinary_talk_are_not_reports(knowledge, message):
    assert detect_harm(message, knowledge) == []


def test_a_long_message_is_read_up_to_its_bound(knowledge):
    story = "kami rapat kelompok membahas jadwal panen dan pembagian benih. " * 100
    assert detect_harm(story + "lalu ada yang dipukul", knowledge) == []  # beyond 5,000
    assert detect_harm("lalu ada yang dipukul. " + story, knowledge) == ["kekerasan"]
