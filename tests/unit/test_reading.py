"""Answers written inside whole sentences (assistant/reading/answers.py): amounts, yes/no, picks
from a numbered list; the judgement calls its docstring documents; and a fuzz test."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from assistant.common.limits import MAX_MATCH_CHARS, MAX_RUPIAH
from assistant.reading.answers import (
    PERIODS,
    Amount,
    Option,
    read_amount,
    read_choice,
    read_choices,
    read_yes_no,
    too_large,
)
from assistant.reading.words import parse_choice, parse_numbers, parse_yes_no

# --- amounts -----------------------------------------------------------------------------

CERTAIN = [
    # "-an" is an estimate, like "sekitar": certain (the forms ask for the usual income)
    ("1.250.000-an", 1_250_000),
    ("3 juta-an", 3_000_000),
    ("2jt an", 2_000_000),
    # the brief's examples
    ("2,8 juta sebulan", 2_800_000),
    ("pendapatannya 2,8 juta sebulan", 2_800_000),
    ("Rp2.750.000,-", 2_750_000),
    ("Rp 2.750.000,00", 2_750_000),
    ("750rb", 750_000),
    ("750 ribu", 750_000),
    ("2500000", 2_500_000),
    ("2.500.000", 2_500_000),
    ("2,5 jeti", 2_500_000),
    ("Rp. 2.500.000", 2_500_000),
    ("2 jt 500 rb", 2_500_000),
    ("2 juta 750 ribu", 2_750_000),
    # "sekitar", "kira-kira", "kurang lebih", "rata-rata" keep it certain (documented)
    ("sekitar 3 jt per bulan", 3_000_000),
    ("kurang lebih 2,5jt", 2_500_000),
    ("sekitar 2,3 juta kak", 2_300_000),
    ("kira-kira 1,8 jt", 1_800_000),
    ("kira2 2 juta lah", 2_000_000),
    ("rata-rata 2 jt sebulan", 2_000_000),
    ("kisaran 1,2 juta", 1_200_000),
    ("kurleb 900rb", 900_000),
    # neighbours
    ("gajinya 2,8jt/bln", 2_800_000),
    ("skrg penghasilan bu siti 3,2 juta per bulan kak", 3_200_000),
    ("pendapatan sebulan rp 1.900.000", 1_900_000),
    ("Rp1.650.000", 1_650_000),
    ("rp 950rb", 950_000),
    ("1jt 250rb", 1_250_000),
    ("1 juta 200 ribu sebulan", 1_200_000),
    ("2.300.000 rupiah", 2_300_000),
    ("3.000.000,- per bulan", 3_000_000),
    ("penghasilannya 4jt", 4_000_000),
    ("dapet 650k sebulan", 650_000),
    ("pendapatan: 1.750.000", 1_750_000),
    ("  3,4 JT  ", 3_400_000),
    ("Rp 2.400.000\n", 2_400_000),
    ("income 2.1 million a month", 2_100_000),
    ("1500000", 1_500_000),
    ("150000", 150_000),
    ("100000", 100_000),
    ("2,500,000", 2_500_000),
    ("1,2 jt", 1_200_000),
    ("1.2 jt", 1_200_000),
    ("0,5 jt", 500_000),
    ("Rp 0", 0),
    ("0 rupiah", 0),
    ("Rp 500", 500),
    ("anaknya 3, penghasilan 2 juta sebulan", 2_000_000),
    ("umur 45, penghasilan 1,5 juta", 1_500_000),
    ("thn 2024 dpt bantuan, skrg penghasilan 2,2 juta", 2_200_000),
    ("hp 0812-3456-7890, gajinya 2 jt", 2_000_000),
    ("penghasilan naik 20%, jadi 2,4 juta", 2_400_000),
    ("usahanya udah lebih baik, penghasilannya 3 juta", 3_000_000),
    ("keluarga kurang mampu, pendapatan 1,1 juta", 1_100_000),
    ("2 juta, iya 2 juta", 2_000_000),
    ("Rp 2.500.000 (dua juta lima ratus ribu rupiah)", 2_500_000),
    ("Rp 1.000.000.000.000", MAX_RUPIAH),
    ("1 triliun", MAX_RUPIAH),
]


@pytest.mark.parametrize(("message", "rupiah"), CERTAIN)
def test_certain_amounts(message, rupiah):
    assert read_amount(message) == Amount(rupiah=rupiah, certain=True, period="bulan")
    assert not too_large(message)


UNCERTAIN = [
    # the brief's examples
    ("2jt lebih", 2_000_000, "bulan"),
    ("dua setengah juta", 2_500_000, "bulan"),
    ("tiga juta", 3_000_000, "bulan"),
    ("satu koma lima juta", 1_500_000, "bulan"),
    ("penghasilan ga nentu, kadang 2 kadang 3 juta", 3_000_000, "bulan"),
    ("500rb seminggu", 2_166_667, "minggu"),
    ("100 ribu sehari", 3_000_000, "hari"),
    ("36 juta setahun", 3_000_000, "tahun"),
    ("dari 2 jt naik jadi 3 jt", 3_000_000, "bulan"),
    # ranges, either-ors, two amounts: the last one, unsure
    ("2-3 juta", 3_000_000, "bulan"),
    ("2 sampai 3 juta", 3_000_000, "bulan"),
    ("antara 2 sampe 3 jt", 3_000_000, "bulan"),
    ("2 atau 3 juta", 3_000_000, "bulan"),
    ("dua tiga juta", 3_000_000, "bulan"),
    ("kadang 1,5 kadang 2jt", 2_000_000, "bulan"),
    ("gaji suami 2.8jt, istri jualan 1jt", 1_000_000, "bulan"),
    ("Rp 1.500.000 - Rp 2.000.000", 2_000_000, "bulan"),
    # hedges next to the amount
    ("hampir 3 juta", 3_000_000, "bulan"),
    ("lebih dari 2 juta", 2_000_000, "bulan"),
    ("paling 1,5 jt", 1_500_000, "bulan"),
    ("kayaknya 2 juta sih", 2_000_000, "bulan"),
    ("2 juta kurang dikit", 2_000_000, "bulan"),
    ("3 juta kali ya", 3_000_000, "bulan"),
    ("mungkin 1,7 jt", 1_700_000, "bulan"),
    # the "-an" round-up
    ("3 jutaan", 3_000_000, "bulan"),
    ("750rban", 750_000, "bulan"),
    # income that changes
    ("tergantung musim, rata2 2 juta", 2_000_000, "bulan"),
    ("gak pasti sih, biasanya 1,8 jt", 1_800_000, "bulan"),
    # spelled out
    ("sejuta", 1_000_000, "bulan"),
    ("sejuta setengah", 1_500_000, "bulan"),
    ("setengah juta", 500_000, "bulan"),
    ("dua juta tujuh ratus lima puluh ribu", 2_750_000, "bulan"),
    ("seratus lima puluh ribu", 150_000, "bulan"),
    ("lima ratus rebu", 500_000, "bulan"),
    ("dua koma lima juta", 2_500_000, "bulan"),
    ("2 juta setengah", 2_500_000, "bulan"),
    ("2 setengah juta", 2_500_000, "bulan"),
    ("empat belas juta setahun", 1_166_667, "tahun"),
    # plain 1,000 to 99,999: perhaps thousands were meant (documented)
    ("2500", 2_500, "bulan"),
    ("2.500", 2_500, "bulan"),
    ("1000", 1_000, "bulan"),
    ("99999", 99_999, "bulan"),
    # "1.500 rb" and "2.500 jt": read as 1,5 juta and 2,5 juta, confirmed
    ("1.500 rb", 1_500_000, "bulan"),
    ("2.500 jt", 2_500_000, "bulan"),
    # per week, day, year: converted to a month
    ("50rb sehari", 1_500_000, "hari"),
    ("100rb/hari", 3_000_000, "hari"),
    ("sehari dapet 80 ribu", 2_400_000, "hari"),
    ("700 ribu per minggu", 3_033_333, "minggu"),
    ("seminggu 400rb", 1_733_333, "minggu"),
    ("24 jt per tahun", 2_000_000, "tahun"),
    ("setahun 30 juta", 2_500_000, "tahun"),
    ("jualan gorengan 150 rb tiap hari", 4_500_000, "hari"),
    # several periods at once: divided
    ("dapat bantuan pkh 600rb per 3 bulan", 200_000, "bulan"),
    ("1 jt tiap 2 minggu", 2_166_667, "minggu"),
    # the thousands left after the millions: "2jt500"
    ("2jt500", 2_500_000, "bulan"),
    ("2 juta 750", 2_750_000, "bulan"),
    ("2 x 1 juta", 1_000_000, "bulan"),
    ("seminggu 500rb, sebulan 2 juta", 2_000_000, "bulan"),
]


@pytest.mark.parametrize(("message", "rupiah", "period"), UNCERTAIN)
def test_uncertain_amounts(message, rupiah, period):
    assert read_amount(message) == Amount(rupiah=rupiah, certain=False, period=period)
    assert not too_large(message)


NOT_AMOUNTS = [
    "3",
    "tiga",
    "tiga anak",
    "anaknya 3",
    "umur 45",
    "umur 45 tahun",
    "27/11/2026",
    "2026-11-27",
    "5.12.2025",
    "tgl 5 des",
    "12/5",
    "081234567890",
    "+62 812-3456-7890",
    "6281234567890",
    "0812 3456 7890",
    "3201234567890001",
    "3201 2345 6789 0001",
    "no 2",
    "yang kedua",
    "belum tau",
    "",
    "   ",
    "👍",
    "naik 20%",
    "naik 20 persen",
    "tahun 2025",
    "sejak 2019 jualan",
    "ada 5000 orang",
    "0812",
    "rt 03 rw 05",
    "kelas 3",
    "2,8",
    "999",
    "juta",
    "jutaan",
    "berapa ya?",
    "gak ada penghasilan",
    "tiga orang anak",
    "٣ juta",
    "３ juta",
    "٢٥٠٠٠٠٠",
    "２５０００００",
    "rp",
    "Rp.",
    "\x00\x01\x02",
]


@pytest.mark.parametrize("message", NOT_AMOUNTS)
def test_not_amounts(message):
    assert read_amount(message) is None
    assert not too_large(message)


TOO_LARGE = [
    "2 triliun",
    "5000000000000",
    "Rp 2.000.000.000.000",
    "1.000.000.000.001",
    "999999 miliar",
    "20 triliun setahun",
]


@pytest.mark.parametrize("message", TOO_LARGE)
def test_too_large(message):
    assert read_amount(message) is None
    assert too_large(message)


def test_only_the_first_characters_are_read():
    assert read_amount("gaji 2 juta " + "x" * MAX_MATCH_CHARS + " 9 juta") == Amount(
        2_000_000, True
    )
    assert read_amount("x" * MAX_MATCH_CHARS + " 2 juta") is None
    assert read_amount("pendapatan 1,6 juta " + "bla " * 1000) == Amount(1_600_000, True)


@pytest.mark.parametrize("message", ["2\x07 juta", "2\tjuta", "gaji\r\n2 juta"])
def test_control_characters_are_spaces(message):
    assert read_amount(message) == Amount(2_000_000, True)


@pytest.mark.parametrize("value", [None, 123, 2.5, b"2 juta", ["2 juta"]])
def test_not_a_string_is_nothing(value):
    assert read_amount(value) is None
    assert not too_large(value)
    assert read_yes_no(value) is None
    assert read_choice(value, SCOPES) is None
    assert read_choices(value, SCOPES) is None


# --- yes or no ---------------------------------------------------------------------------

YES = [
    # the answer comes first; a no inside the reason after it is not the answer
    "iya, kalo gak ada modal ya susah",
    "iya, kalo alatnya gak dateng programnya berhenti",
    # the brief's examples
    "ya",
    "iya udah berubah kok",
    "udah sih",
    "kayaknya iya",
    "sepertinya sudah",
    "insyaallah sudah",
    "bener",
    "betul banget",
    "yoi",
    "iyaa",
    "sdh",
    "yes",
    "yup",
    "👍",
    "ok sip",
    # negations that are not answers (documented)
    "tidak salah lagi",
    "bukan main",
    "ga ragu",
    "gak diragukan lagi",
    # neighbours
    "iya bener kak",
    "iyaaa udah",
    "udh kok",
    "sdh berubah bu",
    "sudah ✅",
    "betul sekali",
    "Iya, sudah 😊",
    "pernah",
    "ada sih sedikit",
    "kyknya udah",
    "insya allah udah",
    "inshaallah udah",
    "udah, gak ada masalah lagi",
    "YA KAK",
    "Ya.",
    "iya dong",
    "👍👍",
    "okee",
    "yaudah",
    "emang",
    "ada 2 orang yg luka",
]


@pytest.mark.parametrize("message", YES)
def test_yes(message):
    assert read_yes_no(message) is True


NO = [
    "gak, soalnya udah beres",
    "belum, karena ya itu masih nunggu",
    # the brief's examples
    "belum, masih sama",
    "belum kelihatan",
    "kayaknya belum",
    "gak",
    "ga ada",
    "nggak kok",
    "blm",
    "tidak ada yang luka",
    "aman kok",
    "no",
    "nope",
    "enggak juga",
    "ya belum",
    "👎",
    # "udah" straight before a no word: "no longer"
    "udah gak ada",
    "sudah tidak berjalan",
    # neighbours
    "belum sih kak",
    "blm ada perubahan",
    "gak kok bu",
    "ngga",
    "tidak pernah sama sekali",
    "iya belum",
    "ya enggak lah",
    "g",
    "tdk kak",
    "belom",
    "aman aja",
    "ga ada yg luka",
    "ya ga ada",
    "gaaak",
    "iya, belum kelihatan hasilnya",
    "emang belum",
    "tdk ada ancaman",
]


@pytest.mark.parametrize("message", NO)
def test_no(message):
    assert read_yes_no(message) is False


UNCLEAR = [
    "ya gitu deh",
    "bisa jadi iya sih, kalo alatnya gak dateng2 programnya macet",
    # the brief's examples
    "gak tau",
    "belum tahu",
    "ga yakin",
    "entah",
    "mungkin",
    "hmm",
    "?",
    "kenapa?",
    "apa maksudnya",
    "",
    "2",
    "siapa yang tidak mau",
    # neighbours
    "gatau",
    "ga tau juga",
    "tidak tahu",
    "ga yakin sih",
    "kurang yakin",
    "entahlah",
    "mungkin iya",
    "mungkin belum",
    "hmmm",
    "??",
    "udah?",
    "bisa jadi",
    "lupa",
    "gak jelas",
    "tergantung",
    "no 2",
    "bentar",
    "😊",
    "\x00",
    "udah belum ya",
    "iya atau tidak",
    "ada apa",
    "oke bu nanti saya cek",
]


@pytest.mark.parametrize("message", UNCLEAR)
def test_unclear(message):
    assert read_yes_no(message) is None


# --- choices -----------------------------------------------------------------------------

NEEDS = [
    Option("modal", "Modal usaha", ("uang", "dana")),
    Option("pemasaran", "Pemasaran produk", ("jualan online",)),
    Option("pelatihan", "Pelatihan keterampilan"),
    Option("alat_produksi", "Alat produksi"),
    Option("pendampingan", "Pendampingan usaha"),
]
SCOPES = [
    Option("individu", "Perorangan (satu-dua orang)"),
    Option("kelompok_kecil", "Kelompok kecil"),
    Option("banyak_pihak", "Banyak pihak (beberapa kelompok, dusun, atau lembaga)"),
]

CHOICE = [
    # by number (the brief's examples first)
    ("2", "pemasaran"),
    ("no 2", "pemasaran"),
    ("nomor dua", "pemasaran"),
    ("yg kedua", "pemasaran"),
    ("2.", "pemasaran"),
    ("2)", "pemasaran"),
    ("pilih 2", "pemasaran"),
    ("(3)", "pelatihan"),
    ("no. 4", "alat_produksi"),
    ("yang ke-5", "pendampingan"),
    ("yg ke 3 aja kak", "pelatihan"),
    ("opsi 1 aja", "modal"),
    ("pilihan ketiga", "pelatihan"),
    ("yang pertama aja", "modal"),
    ("nomor 2 deh", "pemasaran"),
    ("nomor2", "pemasaran"),
    ("yang terakhir", "pendampingan"),
    ("1 aja", "modal"),
    ("nomor empat", "alat_produksi"),
    # by id, label, synonym
    ("modal", "modal"),
    ("Modal Usaha kak", "modal"),
    ("MODAL", "modal"),
    ("alat produksi", "alat_produksi"),
    ("alat_produksi", "alat_produksi"),
    ("alat", "alat_produksi"),
    ("pendampingan aja", "pendampingan"),
    ("uang", "modal"),
    ("jualan online", "pemasaran"),
    ("butuh dana buat modal", "modal"),
    ("kayaknya sih pelatihan ya", "pelatihan"),
    ("modal 2 juta", "modal"),
    ("dua orang", None),
    # typos in words of 5+ letters
    ("pemasran", "pemasaran"),
    ("pelatihn", "pelatihan"),
    ("ketrampilan", "pelatihan"),
    ("pendampngan", "pendampingan"),
    # nothing, several, out of range
    ("8", None),
    ("0", None),
    ("99", None),
    ("9999999999", None),
    ("1 dan 3", None),
    ("modal sama pemasaran", None),
    ("semua aja", None),
    ("semua kecuali alat", None),
    ("entahlah", None),
    ("", None),
    ("👍", None),
    ("usaha", None),
    ("modl", None),
    ("٢", None),
    ("２", None),
]


@pytest.mark.parametrize(("message", "expected"), CHOICE)
def test_read_choice(message, expected):
    assert read_choice(message, NEEDS) == expected


SCOPE_CHOICE = [
    ("2", "kelompok_kecil"),
    ("no 3 kak", "banyak_pihak"),
    ("kelompok kecil aja kak", "kelompok_kecil"),
    ("perorangan sih", "individu"),
    ("banyak", "banyak_pihak"),
    ("9", None),
    ("kelompok", None),
    ("satu orang yg ribut", "individu"),
    ("ribut antar kelompok", None),
    ("ribut sama beberapa dusun", "banyak_pihak"),
]


@pytest.mark.parametrize(("message", "expected"), SCOPE_CHOICE)
def test_read_choice_scopes(message, expected):
    assert read_choice(message, SCOPES) == expected


CHOICES = [
    # the brief's examples
    ("1 dan 3", ["modal", "pelatihan"]),
    ("1,3", ["modal", "pelatihan"]),
    ("1 3", ["modal", "pelatihan"]),
    ("satu sama tiga", ["modal", "pelatihan"]),
    ("modal sama pemasaran", ["modal", "pemasaran"]),
    ("semuanya", ["modal", "pemasaran", "pelatihan", "alat_produksi", "pendampingan"]),
    ("tidak ada", []),
    ("gak ada", []),
    ("0", []),
    # neighbours, in the order written
    ("2, 4 dan 5", ["pemasaran", "alat_produksi", "pendampingan"]),
    ("3 & 1", ["pelatihan", "modal"]),
    ("no 2 sama no 5", ["pemasaran", "pendampingan"]),
    ("yg pertama sama yg ketiga", ["modal", "pelatihan"]),
    ("1-3", ["modal", "pemasaran", "pelatihan"]),
    ("2 sampai 4", ["pemasaran", "pelatihan", "alat_produksi"]),
    ("semua kecuali 2", ["modal", "pelatihan", "alat_produksi", "pendampingan"]),
    ("semua kecuali pemasaran", ["modal", "pelatihan", "alat_produksi", "pendampingan"]),
    ("pelatihan, alat sama pendampingan", ["pelatihan", "alat_produksi", "pendampingan"]),
    ("butuh uang sama pelatihan", ["modal", "pelatihan"]),
    ("modal 2 juta sama pelatihan", ["modal", "pelatihan"]),
    ("1 sama pemasaran", ["modal", "pemasaran"]),
    ("belum semua, baru 1 sama 2", ["modal", "pemasaran"]),
    ("gak ada modal buat usaha", ["modal"]),
    ("yg terakhir sama yg pertama", ["pendampingan", "modal"]),
    ("gak ada semua", []),
    ("2", ["pemasaran"]),
    ("2 2", ["pemasaran"]),
    ("alat produksi", ["alat_produksi"]),
    ("semua kak", ["modal", "pemasaran", "pelatihan", "alat_produksi", "pendampingan"]),
    ("semua nomor deh", ["modal", "pemasaran", "pelatihan", "alat_produksi", "pendampingan"]),
    ("gak ada sih kak", []),
    ("ga ada yg cocok", []),
    ("blm ada sih", []),
    ("nol", []),
    ("tidak kak", []),
    # nothing recognised, or a number out of range
    ("1 dan 9", None),
    ("7", None),
    ("semua kecuali 9", None),
    ("semua kecuali", None),
    ("entah", None),
    ("belum tau", None),
    ("", None),
    ("🙏", None),
]


@pytest.mark.parametrize(("message", "expected"), CHOICES)
def test_read_choices(message, expected):
    assert read_choices(message, NEEDS) == expected


def test_no_options_is_nothing():
    assert read_choice("1", []) is None
    assert read_choices("1", []) is None
    assert read_choices("semua", []) is None


def test_both_needs_a_list_of_two():
    assert read_choices("dua-duanya", NEEDS[:2]) == ["modal", "pemasaran"]
    assert read_choices("keduanya", NEEDS[:2]) == ["modal", "pemasaran"]
    assert read_choices("dua-duanya", NEEDS) is None
    assert read_choice("keduanya", NEEDS[:2]) is None


def test_options_that_cannot_be_hashed_still_work():
    options = [Option("a", "Sawah", ["padi"]), Option("b", "Kebun", ["sayur"])]  # type: ignore[arg-type]
    assert read_choice("padi", options) == "a"
    assert read_choices("1 sama 2", options) == ["a", "b"]


def test_a_label_that_says_none_is_an_option():
    options = [Option("ada", "Ada yang terluka"), Option("tidak_ada", "Tidak ada")]
    assert read_choice("tidak ada", options) == "tidak_ada"
    assert read_choices("tidak ada", options) == ["tidak_ada"]


# --- the lexicon, and the old readers ----------------------------------------------------


def _lexicon() -> dict:
    path = Path(__file__).resolve().parents[2] / "assistant" / "reading" / "lexicon.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_lexicon_keys_are_words_not_yaml_booleans():
    lexicon = _lexicon()
    for section in ("yes_no", "amount", "choice"):
        assert all(isinstance(key, str) for key in lexicon[section]), section
    assert {"yes", "no", "weak", "unknown", "hedges"} <= set(lexicon["yes_no"])


def test_no_word_is_both_yes_and_no():
    def collapsed(words: list) -> set[str]:
        return {"".join(c for i, c in enumerate(w) if i == 0 or c != w[i - 1]) for w in words}

    lexicon = _lexicon()
    yes = collapsed(lexicon["ya"] + lexicon["yes_no"]["yes"])
    no = collapsed(lexicon["tidak"] + lexicon["yes_no"]["no"])
    assert not yes & no
    assert collapsed(lexicon["yes_no"]["weak"]) <= yes


def test_old_readers_still_work():
    assert parse_yes_no("iya udah") is True
    assert parse_yes_no("gak ada yg luka") is False
    assert parse_choice("yg kedua", [("a", "A"), ("b", "B")]) == "b"
    assert parse_numbers("1 dan 3", 4) == [1, 3]


# --- fuzz --------------------------------------------------------------------------------

_CORPUS = [
    # words
    *"juta jt jeti rb ribu rebu k rp Rp. rupiah sebulan seminggu sehari setahun per bulan "
    "/bln ya iya gak ga belum tau udah sudah kadang lebih sekitar kurang -an an semua "
    "semuanya kecuali tidak ada modal pemasaran pelatihan kedua no nomor yg setengah dua "
    "tiga seratus ratus puluh belas koma sejuta nol mungkin bukan main salah lagi".split(),
    # digits and numbers
    *"0 2 3 9 13 45 2,5 2.5 2.500 2.500.000 2,500,000 1.250.000,- 999999999999999 "
    "081234567890 +62 3201234567890001 20% 27/11/2026 2026-11-27 1-3 00 007".split(),
    # separators
    *",./-()?!:&+±",
    " ",
    "\n",
    "\t",
    ",-",
    # emoji
    *"👍👎😊✅❌",
    "🙏🏽",
    # digits that are not ASCII, control characters, odd characters
    *"٣３໓𝟑İß",
    "٢٥٠٠٠٠٠",
    *"\x00\x1b\x7f\u200b\ud800",
]


def _random_message(rng: random.Random) -> str:
    pieces = [rng.choice(_CORPUS) for _ in range(rng.randint(0, 14))]
    message = "".join(piece + rng.choice(["", " ", " ", " ", ","]) for piece in pieces)
    if rng.random() < 0.02:
        message = message * rng.randint(50, 400)  # very long
    if rng.random() < 0.01:
        message = rng.choice(["9", "juta ", "a", "2.", "ya "]) * rng.randint(1000, 5000)
    return message


def test_fuzz_invariants():
    rng = random.Random(20261127)
    ids = {option.id for option in NEEDS}
    for _ in range(5000):
        message = _random_message(rng)
        amount = read_amount(message)
        if amount is not None:
            assert type(amount.rupiah) is int, message
            assert 0 <= amount.rupiah <= MAX_RUPIAH, message
            assert isinstance(amount.certain, bool), message
            assert amount.period in PERIODS, message
        large = too_large(message)
        assert isinstance(large, bool)
        assert not (large and amount is not None), message
        assert read_yes_no(message) in (True, False, None), message
        assert read_choice(message, NEEDS) in ids | {None}, message
        picked = read_choices(message, NEEDS)
        assert picked is None or (set(picked) <= ids and len(picked) == len(set(picked)))
