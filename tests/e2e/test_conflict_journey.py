"""A village official reports a conflict over WhatsApp-style chat; every layer is real:
Rasa server -> action server -> service -> durable_rules -> SQLite."""

from __future__ import annotations

import uuid

import pytest

from assistant.knowledge.loader import default_knowledge
from assistant.store.db import Store

pytestmark = pytest.mark.e2e


def decisions_of(db_path, sender):
    store = Store(db_path)
    try:
        return [
            d
            for d in store.recent_decisions(limit=1000)
            if d.actor == sender and d.kind == "conflict"
        ]
    finally:
        store.close()


def test_unequal_aid_is_a_medium_conflict_with_the_guideline_options(servers):
    sender = f"desa-{uuid.uuid4().hex[:8]}"
    first = "\n".join(servers.say(sender, "ada warga protes dana bantuan dibagi gak merata"))
    assert "kepentingan" in first.lower()
    assert "Seberapa luas" in first
    assert "Apakah konflik ini bisa menghentikan" in "\n".join(servers.say(sender, "2"))
    assert "kekerasan" in "\n".join(servers.say(sender, "gak"))
    reply = "\n".join(servers.say(sender, "tidak ada"))

    assert "sedang" in reply
    options = default_knowledge().conflicts.type("kepentingan").options
    assert any(option in reply for option in options)
    assert "3.3.5" in reply

    stored = decisions_of(servers.db_path, sender)
    assert len(stored) == 1
    decision = stored[0]
    assert decision.kind == "conflict" and decision.channel == "rest"
    assert decision.output["category"] == "sedang"
    assert decision.input == {
        "type": "kepentingan",
        "scope": "kelompok_kecil",
        "threatens_program": False,
        "safeguarding": False,
        "description": "ada warga protes dana bantuan dibagi gak merata",
    }
    assert "konflik.tipe.kepentingan" in decision.fired
    assert decision.citations

    why = "\n".join(servers.say(sender, "kenapa?"))
    assert "Bagian 3.3.5" in why and "sedang" in why


def test_a_cultural_conflict_with_harm_skips_what_cannot_change_the_answer(servers):
    sender = f"desa-{uuid.uuid4().hex[:8]}"
    first = "\n".join(
        servers.say(sender, "tokoh adat menolak kegiatan karena dianggap melanggar adat")
    )
    assert "kekerasan" in first  # scope and threat questions are skipped: already large
    reply = "\n".join(servers.say(sender, "iya ada"))
    assert "besar" in reply
    assert "protokol perlindungan" in reply
    decision = decisions_of(servers.db_path, sender)[0]
    assert decision.output["safeguarding_protocol"]
    # the report of harm is also kept, flagged, for an admin
    store = Store(servers.db_path)
    try:
        assert any(r.reporter == sender for r in store.safeguarding_reports("baru"))
    finally:
        store.close()


def test_the_type_is_asked_when_the_report_does_not_say_it(servers):
    sender = f"desa-{uuid.uuid4().hex[:8]}"
    first = "\n".join(servers.say(sender, "saya mau lapor konflik"))
    assert "Jenis konfliknya" in first and "1. Konflik komunikasi" in first
    assert "Seberapa luas" in "\n".join(servers.say(sender, "1"))


def test_cancel_stops_the_form_and_stores_nothing(servers):
    sender = f"desa-{uuid.uuid4().hex[:8]}"
    servers.say(sender, "ada warga protes dana bantuan dibagi gak merata")
    assert "hentikan" in "\n".join(servers.say(sender, "batal"))
    assert decisions_of(servers.db_path, sender) == []


def test_greeting_and_out_of_scope(servers):
    sender = f"desa-{uuid.uuid4().hex[:8]}"
    assert "asisten program pemberdayaan" in "\n".join(servers.say(sender, "halo min"))
    assert "di luar" in "\n".join(servers.say(sender, "resep rendang dong"))
