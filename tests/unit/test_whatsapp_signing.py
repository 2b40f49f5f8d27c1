"""The WhatsApp channel's pure parts (standard library only, no Rasa): the webhook
signature, reading inbound messages, shaping outgoing ones, and the channel's state."""

from __future__ import annotations

import json

from assistant.channels.whatsapp_payloads import (
    inbound_messages,
    is_opt_in,
    is_opt_out,
    numbered_options,
    outgoing,
    signature_for,
    signature_valid,
    split_text,
    token_matches,
)
from assistant.channels.whatsapp_state import ChannelState, RateLimiter

SECRET = "app-secret"


# --- signature --------------------------------------------------------------------------


def test_the_signature_is_the_hmac_sha256_of_the_raw_body():
    body = b'{"object":"whatsapp_business_account"}'
    # echo -n '{"object":"whatsapp_business_account"}' | openssl dgst -sha256 -hmac app-secret
    assert signature_for(body, SECRET) == (
        "sha256=0bf7374433906636bed1653bc7c64affb42fa5da9a39e251ab95c2e3a9c06923"
    )
    assert signature_valid(body, signature_for(body, SECRET), SECRET)


def test_a_wrong_secret_or_a_changed_body_fails():
    body = b'{"a": 1}'
    good = signature_for(body, SECRET)
    assert not signature_valid(body, signature_for(body, "other"), SECRET)
    assert not signature_valid(b'{"a": 2}', good, SECRET)
    assert not signature_valid(body, good.removeprefix("sha256="), SECRET)
    assert not signature_valid(body, "", SECRET)


def test_the_verify_token_must_match_exactly():
    assert token_matches("abc", "abc")
    assert not token_matches("abd", "abc") and not token_matches(None, "abc")


# --- inbound ----------------------------------------------------------------------------


def payload(*messages: dict, phone_number_id: str = "123") -> dict:
    value = {"metadata": {"phone_number_id": phone_number_id}, "messages": list(messages)}
    return {"entry": [{"changes": [{"value": value}]}]}


def test_text_and_interactive_replies_become_what_a_person_would_type():
    found = inbound_messages(
        payload(
            {"from": "628", "id": "w1", "type": "text", "text": {"body": " halo "}},
            {
                "from": "628",
                "id": "w2",
                "type": "interactive",
                "interactive": {"type": "list_reply", "list_reply": {"id": "2", "title": "x"}},
            },
            {
                "from": "628",
                "id": "w3",
                "type": "interactive",
                "interactive": {
                    "type": "button_reply",
                    "button_reply": {"id": "ya", "title": "Ya"},
                },
            },
        )
    )
    assert [(m.id, m.sender, m.text, m.phone_number_id) for m in found] == [
        ("w1", "628", "halo", "123"),
        ("w2", "628", "2", "123"),
        ("w3", "628", "ya", "123"),
    ]


def test_media_has_no_text_and_statuses_or_junk_are_skipped():
    image = {"from": "628", "id": "w1", "type": "image", "image": {"id": "m"}}
    statuses = {"entry": [{"changes": [{"value": {"statuses": [{"id": "s"}]}}]}]}
    assert [(m.kind, m.text) for m in inbound_messages(payload(image))] == [("image", None)]
    assert inbound_messages(statuses) == []
    assert inbound_messages({"entry": "x"}) == [] and inbound_messages([]) == []
    assert inbound_messages(payload({"id": "no-sender", "type": "text"})) == []


def test_opt_out_and_opt_in_words():
    assert is_opt_out(" STOP ") and is_opt_out("berhenti") and not is_opt_out("stop dulu")
    assert is_opt_in("Mulai") and is_opt_in("START") and not is_opt_in("mulai lagi")
    assert not is_opt_out(None) and not is_opt_in(None)


# --- outgoing ---------------------------------------------------------------------------

QUESTION = (
    "Saya catat ini sebagai Konflik kepentingan.\n"
    "Seberapa luas konflik ini? Balas dengan nomor:\n"
    "1. Perorangan (satu-dua orang)\n"
    "2. Kelompok kecil\n"
    "3. Banyak pihak (beberapa kelompok, dusun, atau lembaga)\n"
    'Ketik "batal" untuk berhenti.'
)


def test_numbered_options_become_an_interactive_list():
    [message] = outgoing("628", QUESTION)
    assert message["type"] == "interactive" and message["to"] == "628"
    listed = message["interactive"]
    assert listed["type"] == "list" and listed["action"]["button"] == "Pilih"
    assert listed["body"]["text"] == (
        "Saya catat ini sebagai Konflik kepentingan.\n"
        "Seberapa luas konflik ini? Balas dengan nomor:\n\n"
        'Ketik "batal" untuk berhenti.'
    )
    rows = listed["action"]["sections"][0]["rows"]
    assert rows == [
        {"id": "1", "title": "Perorangan (satu-dua", "description": "orang)"},
        {"id": "2", "title": "Kelompok kecil"},
        {
            "id": "3",
            "title": "Banyak pihak (beberapa",
            "description": "kelompok, dusun, atau lembaga)",
        },
    ]


def test_long_option_labels_are_cut_to_whatsapps_limits():
    label = "Pendampingan usaha mikro " + "sangat panjang " * 10
    [message] = outgoing("628", f"Pilih nomor:\n1. {label}\n2. Lain")
    row = message["interactive"]["action"]["sections"][0]["rows"][0]
    assert len(row["title"]) <= 24 and len(row["description"]) <= 72
    assert row["description"].endswith("…")


def test_numbers_that_are_information_not_a_question_stay_text():
    result = "Pilihan penyelesaian:\n1. Musyawarah bersama.\n2. Mediasi oleh tokoh desa."
    assert outgoing("628", result)[0]["type"] == "text"
    assert numbered_options("Balas nomor:\n1. Satu") is None  # one option is no choice
    assert numbered_options("Balas nomor:\n2. Dua\n3. Tiga") is None  # not counted from 1
    eleven = "Balas nomor:\n" + "\n".join(f"{n}. Pilihan {n}" for n in range(1, 12))
    assert numbered_options(eleven) is None


def test_ya_tidak_questions_get_two_buttons():
    for question in (
        "Benar? (ya / tidak)",
        "Ada kekerasan?\nJawab: ya / tidak",
        "Lanjut? (ya/tidak)",
    ):
        [message] = outgoing("628", question)
        buttons = message["interactive"]["action"]["buttons"]
        assert message["interactive"]["type"] == "button"
        assert [(b["reply"]["id"], b["reply"]["title"]) for b in buttons] == [
            ("ya", "Ya"),
            ("tidak", "Tidak"),
        ]
    assert outgoing("628", "Jawab ya atau tidak nanti saja.")[0]["type"] == "text"


def test_plain_text_and_long_text_is_split():
    [message] = outgoing("628", "Sama-sama.")
    assert message == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "628",
        "type": "text",
        "text": {"preview_url": False, "body": "Sama-sama."},
    }
    long = "\n\n".join(f"Paragraf {n}. " + "kata " * 150 for n in range(12))
    pieces = split_text(long)
    assert len(pieces) > 1 and all(len(piece) <= 4096 for piece in pieces)
    assert " ".join(pieces).split() == long.split()
    assert len(outgoing("628", long)) == len(pieces)
    json.dumps(outgoing("628", long))


# --- state ------------------------------------------------------------------------------


def test_a_message_id_is_claimed_once_also_after_a_restart(tmp_path):
    state = ChannelState(tmp_path / "wa.db")
    assert state.claim("wamid.1") and not state.claim("wamid.1")
    state.close()
    again = ChannelState(tmp_path / "wa.db")
    assert not again.claim("wamid.1") and again.claim("wamid.2")
    again.close()


def test_old_and_surplus_ids_are_forgotten(tmp_path):
    now = [1000.0]
    state = ChannelState(tmp_path / "wa.db", keep_seconds=100, max_ids=3, clock=lambda: now[0])
    for n in range(5):
        state.claim(f"id{n}")
        now[0] += 1
    state.prune()
    assert state.handled_count() == 3 and state.claim("id0")  # the oldest were dropped
    now[0] += 500
    state.prune()
    assert state.handled_count() == 0
    state.close()


def test_opt_out_is_stored_with_its_time(tmp_path):
    state = ChannelState(tmp_path / "wa.db", clock=lambda: 1234.0)
    assert not state.opted_out("628")
    state.set_opted_out("628", True)
    assert state.opted_out("628") and not state.opted_out("629")
    state.set_opted_out("628", False)
    assert not state.opted_out("628")
    row = state._db.execute("select opted_out, changed_at from consent").fetchall()
    assert row == [(0, 1234.0)]
    state.close()


def test_the_rate_limit_allows_a_minute_of_messages_then_refills():
    now = [0.0]
    limiter = RateLimiter(per_minute=20, clock=lambda: now[0])
    assert all(limiter.allow("628") for _ in range(20))
    assert not limiter.allow("628") and limiter.allow("629")
    assert limiter.should_notice("628") and not limiter.should_notice("628")
    now[0] += 3.0  # one message every 3 seconds comes back
    assert limiter.allow("628") and not limiter.allow("628")
    now[0] += 61
    assert limiter.should_notice("628")


def test_idle_senders_are_forgotten():
    now = [0.0]
    limiter = RateLimiter(per_minute=20, clock=lambda: now[0], max_senders=2)
    limiter.allow("a")
    limiter.allow("b")
    now[0] += 120
    limiter.allow("c")
    assert set(limiter._buckets) == {"c"}
