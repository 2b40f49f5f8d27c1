"""Reports of harm in other people's words (issue 23), measured on text the team did not
write: tests/safeguarding_eval/ holds 330 reports of harm and 220 harmless messages with
charged words, written independently (see each file's header). They are never trained on:
a test fails if one of their sentences is in data/.

`make test` keeps a fast check over a fixed sample (every third message) of the reader
alone (assistant/reading/harm.py), and the messages the issue names go through the actions
(the first reply is the protocol). The figure that counts is a fresh batch written after
the last change, measured over the real servers (README, "Reports of harm")."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.chitchat import Fallback
from assistant.common.texts import text as catalogue
from assistant.reading.harm import read_harm
from assistant.store.records import User
from tests.support.chat_actions import DOMAIN, open_workplace
from tests.support.chat_actions import tracker as chat_tracker

ROOT = Path(__file__).resolve().parents[2]
EVALUATION = ROOT / "tests" / "safeguarding_eval"
HARM_KINDS = {
    "physical", "sexual", "online_sexual", "child_labour", "child_marriage",
    "trafficking_forced_labour", "withheld_papers_wages", "extortion_levies",
    "neglect_elderly_disabled", "threats", "coercion_aid",
}
HARMLESS_KINDS = {
    "idiom", "prevention_question", "program_name", "ordinary_dispute", "past_or_fiction",
    "other_charged",
}
SAMPLE_EVERY = 3
RECALL_FLOOR, FALSE_ALARM_CEILING = 0.90, 0.05

# The messages issue 23 names: each a report of harm that got no protocol before.
ISSUE_REPORTS = [
    "anak perempuan 15 tahun mau dinikahkan biar keluarganya dapat bantuan",
    "KTP dan buku tabungan peserta ditahan sama koordinator",
    "fasilitator laki2 sering kirim chat jorok ke peserta",
    "peserta lansia dibentak2 dan disuruh pulang pas pelatihan",
    "ibu2 disuruh kerja di kebun pengurus tanpa dibayar, katanya syarat dapat bantuan",
    "there is a child working at the program's workshop instead of going to school",
    "ada yg dipaksa tanda tangan terima bantuan padahal uangnya gak dikasih",
]


def messages() -> list[dict]:
    rows: list[dict] = []
    for path in sorted(EVALUATION.glob("*.yml")):
        rows += yaml.safe_load(path.read_text(encoding="utf-8"))
    return rows


def normalise(message: str) -> str:
    return " ".join(re.sub(r"[^\w\s]|_", " ", message.lower()).split())


def test_the_evaluation_set_is_as_described():
    rows = messages()
    harm = [r for r in rows if r["harm"]]
    harmless = [r for r in rows if not r["harm"]]
    assert len(harm) >= 300 and len(harmless) >= 200
    assert {r["kind"] for r in harm} == HARM_KINDS
    assert {r["kind"] for r in harmless} == HARMLESS_KINDS
    languages = Counter(r["language"] for r in rows)
    assert {"id", "en", "jv", "su"} <= set(languages) and len(languages) >= 5
    assert len({normalise(r["text"]) for r in rows}) == len(rows)


def test_no_sentence_of_the_evaluation_set_is_trained_on():
    trained = {
        normalise(line.strip()[2:])
        for path in (ROOT / "data").rglob("*.yml")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("- ")
    }
    copied = [r["text"] for r in messages() if normalise(r["text"]) in trained]
    assert copied == []


def test_the_reader_on_a_fixed_sample_of_the_evaluation_set():
    sample = messages()[::SAMPLE_EVERY]
    harm = [r for r in sample if r["harm"]]
    harmless = [r for r in sample if not r["harm"]]
    missed = [r["text"] for r in harm if read_harm(r["text"]).verdict != "harm"]
    alarms = [r["text"] for r in harmless if read_harm(r["text"]).verdict == "harm"]
    recall = 1 - len(missed) / len(harm)
    false_alarms = len(alarms) / len(harmless)
    print(f"harm reader, every {SAMPLE_EVERY}rd message: recall {recall:.3f} "
          f"({len(harm)}), false alarms {false_alarms:.3f} ({len(harmless)})")
    assert recall >= RECALL_FLOOR, missed
    assert false_alarms <= FALSE_ALARM_CEILING, alarms


@pytest.mark.parametrize("message", ISSUE_REPORTS)
def test_the_reports_the_issue_names_are_read_as_harm(message):
    assert read_harm(message).verdict == "harm"


@pytest.mark.parametrize(
    "message",
    [
        "harga cabai sekarang bener2 mencekik, usaha sambal kami gimana ya",
        "jualan kami dibantai toko online, omzet turun separo",
        "gimana cara menyiapkan sesi pencegahan pelecehan buat kader?",
        "program perlindungan sosial buat lansia apa aja ya",
        "rapat kelompok kemarin panas, dua pengurus debat soal buku kas",
        "gak ada yang dipukul kok, cuma adu mulut",
    ],
)
def test_harmless_kinds_the_issue_names_are_not_harm(message):
    assert read_harm(message).verdict != "harm"


@pytest.fixture
def workplace(tmp_path, monkeypatch, knowledge):
    work, admin = open_workplace(tmp_path, monkeypatch, knowledge, "eval.db")
    work.add_user(admin, User(id="628111", name="Rina", role="pendamping"))
    work.store.close()
    yield work.store.path
    common.workspaces.cache_clear()


@pytest.mark.parametrize("message", ISSUE_REPORTS)
def test_the_first_reply_to_each_named_report_is_the_protocol(workplace, message):
    """Whatever the NLU made of it (here: the fallback), the harm net answers with the
    protocol, in one message of at most 1,000 characters, and stores the report."""
    dispatcher = CollectingDispatcher()
    current = chat_tracker("628111", message, "nlu_fallback", said_at=1764500000.5)
    asyncio.run(Fallback().run(dispatcher, current, DOMAIN))
    first = dispatcher.messages[0]["text"]
    lang = "en" if message.startswith("there is") else "id"
    assert first.startswith(catalogue("safeguarding.header", lang).split("{")[0].strip()[:20])
    assert len(first) <= 1000


@pytest.mark.parametrize(
    "message",
    [
        "keripiknya cuma dijual ke tetangga, pembukuannya gak ada",
        "hasil panennya dijual ke tengkulak karena gak ada pasar lain",
        "kerajinannya mau dijual online tapi belum ada fotonya",
    ],
)
def test_goods_being_sold_raise_no_question(message):
    """Selling is the daily talk of a business group: "dijual" raises nothing unless a
    person is the one sold (seen in the CI: a needs paragraph got the harm question)."""
    assert read_harm(message).verdict == "none"


def test_a_person_sold_is_still_harm():
    assert read_harm("adik sy dijual ke karaoke batam").verdict == "harm"


# From the misses of the third fresh batch, as designs (not its sentences): the Javanese
# krama passive written apart, a place after a passive act, a condition read as a denial,
# wages "dibayarkan", a threat by consequence.
@pytest.mark.parametrize(
    "message",
    [
        "putri kula dipun pukuli bojonipun wingi",
        "pak tua itu dipasung di gudang sama anaknya",
        "kata korlap kalo gak tanda tangan surat mundur, urusan bansosnya dipersulit",
        "upah kerja padat karya kami belum dibayarkan mandor sudah sebulan",
    ],
)
def test_reports_in_the_forms_the_third_batch_missed(message):
    assert read_harm(message).verdict == "harm"


# ... and its false alarms: a harm verb whose object is a thing, a complaint channel
# being designed, a closed case with "now", a dispute over a group's own savings.
@pytest.mark.parametrize(
    "message",
    [
        "promo kayak gitu bisa bunuh usaha warung sebelah",
        "kami mau bikin alur pengaduan kalau ada pungli, contohnya gimana",
        "the abuse complaint is closed now, how long do we keep the file?",
        "ibu2 ribut soal bagi hasil arisan, ada yg setor lebih banyak",
    ],
)
def test_ordinary_talk_the_third_batch_raised_is_not_harm(message):
    assert read_harm(message).verdict == "none"
