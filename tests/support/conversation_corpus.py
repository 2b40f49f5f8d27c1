"""Messages for the conversation fuzzer, the way people type on WhatsApp: journey openers,
answers (numbers, amounts, yes/no with hedges, names), commands, program and stage
questions, reports of conflict and harm, and noise (emoji, punctuation, random letters,
2 KB paragraphs, English, absurd numbers).

Templates may hold ``{household}`` (one of the sender's households, as they would write it:
first name, "bu"/"pak" + first name, or the full name), ``{amount}`` (an amount written one
of many ways) and ``{n}`` (a small number). ``draw`` picks a category by weights that depend
on the previous one (after an opener, answers are likelier), so random conversations reach
deep into the forms."""

from __future__ import annotations

import random
import string

OPENERS = (
    "cek graduasi {household}",
    "mau cek kelulusan {household} dong",
    "cek graduasi {household}, pendapatannya skrg {amount} sebulan",
    "evaluasi ulang {household}",
    "kelulusan kpm sy gmn ya",
    "pendekatan apa yg cocok buat desa kami",
    "desa kami byk lansia dan warga ngandelin bansos, pendekatannya apa",
    "bantu pilih pendekatan program dong",
    "warga sini gk punya modal buat usaha",
    "ibu2 gak ngerti ngatur duit, pembukuan berantakan",
    "pemuda pada nganggur gk punya keahlian",
    "hasil panen susah dijual, tengkulak mainin harga",
    "model intervensi yg pas buat warga apa ya",
    "ada warga protes bantuan gak merata",
    "ribut antar dusun soal lahan, udh bawa nama suku",
    "pengumuman jadwal simpang siur, peserta pd telat",
    "alat bantuan telat dateng 2 bulan",
    "mau lapor konflik nih",
    "tolong nilai kelengkapan program kami",
    "review program PENA kami udh lengkap blm",
    "jadwal sy apa aja",
    "tugas kunjungan minggu ini apa",
    "desa saya gimana perkembangannya",
    "rekap kpm desa kami dong",
    "mode pelatih",
    "mau latihan pakai contoh rumah tangga",
    "cukup dulu latihannya",
    "menu",
    "halo min",
    "pagi kak, mau tanya",
)
ANSWERS = (
    "{n}",
    "{n}",
    "{n} {n}",
    "1, 2 dan 3",
    "0",
    "semua",
    "gak ada",
    "yg nomor {n}",
    "{amount}",
    "{amount}",
    "kira2 {amount} lah",
    "eh salah, maksudnya {amount}",
    "{household}",
    "yg {household}",
    "1e16",
    "10000000000 jt",
    "-500rb",
    "0 rupiah",
    "Rp 999.999.999.999.999",
    "kelompok kecil",
    "banyak pihak, beberapa dusun",
    "perorangan aja",
    "belum kerja",
    "kena phk",
    "usaha udh jalan",
    "janda sama lansia",
)
YES_NO = (
    "ya",
    "iya",
    "iyaa bener",
    "udah sih",
    "kayaknya udah",
    "sudah berubah kok",
    "tidak",
    "gak",
    "gk",
    "belum",
    "blm keliatan sih",
    "kayaknya nggak deh",
    "ngga ada",
    "ya gitu deh",
    "hmm mungkin",
    "oke",
    "ok sip",
    "bisa jadi",
)
COMMANDS = (
    "batal",
    "gak jadi",
    "udahan dulu",
    "lanjut",
    "lanjutin",
    "kenapa?",
    "knp",
    "kok gitu?",
    "menu",
    "jadwal saya",
    "desa saya",
    "mode pelatih",
    "cukup dulu latihannya",
    "makasih ya",
    "dadah",
)
QUESTIONS = (
    "PKH itu buat siapa",
    "apa itu PENA",
    "kur bunganya brp",
    "prakerja bisa buat ibu rumah tangga gak",
    "bumdes bisa bantu apa",
    "yakkum itu apa",
    "tahap apa setelah asesmen",
    "abis perencanaan ngapain",
    "tahapan program apa aja",
    "tahap ke-{n} apa",
    "dokumen monev apa aja",
    "exit strategy disusun kapan",
    "info program dong",
    "info tahapan",
)
REPORTS = (
    "ada pendamping yg minta uang ke ibu2 penerima bantuan",
    "anak2 disuruh kerja di tempat pengolahan ikan",
    "ketua kelompok suka colek2 peserta",
    "ada yg dipukul suaminya krn ikut pelatihan",
    "ketua motong dana bantuan 100rb per org",
    "gak ada kekerasan kok, aman",
    "rapat ricuh, ada yg didorong sampe jatuh",
    "warga difabel ditolak ikut pelatihan",
    "peserta diancam supaya diem",
)
ENGLISH = (
    "hello, what can you do?",
    "which approach fits a village that depends on aid?",
    "the women have no capital",
    "check graduation for {household}, she earns {amount}",
    "two hamlets are fighting over land",
    "a facilitator asked for money",
    "what is PKH?",
    "why?",
    "never mind, stop",
    "what are my tasks",
    "yes",
    "no",
)
NOISE = (
    "👍",
    "🙏🙏",
    "😂😂😂",
    "👌",
    "???",
    "...",
    "?",
    "p",
    "wkwkwk",
    "hmm",
    "<Media omitted>",
    "[Stiker]",
    "/start",
    "/stop",
    "1e16",
    "10000000000 jt",
    "99999999999999999999999999",
    "-500rb",
    "Rp 0",
    "3201234567890001",
    "ｈａｌｏ",
    "\u200b",
    "😀 " * 40,
)
PARAGRAPH = (
    "kemarin sore sy nganter anak ke rumah neneknya, jalannya rusak parah abis hujan, motor "
    "mogok dua kali, untung ada warung kopi yg buka jadi bisa neduh sambil nunggu bengkel. ",
    "warga dusun kami kebanyakan buruh tani, kalau musim kemarau gak ada kerjaan, anak muda "
    "pada merantau ke kota, yg tinggal cuma orang tua dan ibu2 yg ngurus anak. ",
    "the village meeting went on for hours and nobody agreed on anything, then it rained. ",
    "bantuan modal kemarin dibagi tapi sebagian warga bilang gak kebagian, ada juga yg bilang "
    "datanya salah, jadi rapat desa minggu depan mau bahas lagi. ",
)

# category -> (weight after an opener / answer, weight otherwise)
CATEGORIES = {
    "opener": (6, 22),
    "answer": (34, 14),
    "yes_no": (22, 12),
    "command": (10, 12),
    "question": (7, 10),
    "report": (5, 8),
    "english": (4, 6),
    "noise": (8, 12),
    "random": (2, 2),
    "paragraph": (2, 2),
}
TEMPLATES = {
    "opener": OPENERS,
    "answer": ANSWERS,
    "yes_no": YES_NO,
    "command": COMMANDS,
    "question": QUESTIONS,
    "report": REPORTS,
    "english": ENGLISH,
    "noise": NOISE,
}
AMOUNTS = (
    "{m},{d} jt",
    "{m},{d}jt",
    "{m} juta",
    "Rp {m}.{d}00.000",
    "Rp{m}.{d}50.000",
    "{m}.{d}00.000",
    "{m}{d}00000",
    "{m} juta {d}00 ribu",
    "{k}rb",
    "{m},{d} juta sebulan",
    "sekitar {m}jt an",
    "{m}.{d} juta",
)


def amount(rng: random.Random) -> str:
    return rng.choice(AMOUNTS).format(
        m=rng.randint(0, 5), d=rng.randint(0, 9), k=rng.choice((150, 500, 750, 900))
    )


def household_words(rng: random.Random, names: list[str]) -> str:
    if not names:
        return rng.choice(("bu siti", "pak budi", "bu ani"))
    name = rng.choice(names)
    first = name.split()[0]
    return rng.choice((first.lower(), f"bu {first.lower()}", f"pak {first.lower()}", name))


def random_letters(rng: random.Random) -> str:
    size = rng.randint(1, 40)
    alphabet = string.ascii_lowercase + "   "
    return "".join(rng.choice(alphabet) for _ in range(size)).strip() or "x"


def paragraph(rng: random.Random, size: int = 2048) -> str:
    parts: list[str] = []
    while sum(map(len, parts)) < size:
        parts.append(rng.choice(PARAGRAPH))
    return "".join(parts)[:size]


def fill(template: str, rng: random.Random, households: list[str]) -> str:
    return (
        template.replace("{household}", household_words(rng, households))
        .replace("{amount}", amount(rng))
        .replace("{n}", str(rng.randint(1, 9)))
    )


def draw(rng: random.Random, previous: str | None, households: list[str]) -> tuple[str, str]:
    """The next message's category and text."""
    after = 0 if previous in ("opener", "answer") else 1
    names = list(CATEGORIES)
    category = rng.choices(names, weights=[CATEGORIES[c][after] for c in names])[0]
    if category == "random":
        return category, random_letters(rng)
    if category == "paragraph":
        return category, paragraph(rng)
    return category, fill(rng.choice(TEMPLATES[category]), rng, households)
