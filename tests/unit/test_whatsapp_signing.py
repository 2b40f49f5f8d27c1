"""The WhatsApp channel's pure parts (standard library only, no Rasa): the webhook
signature, reading inbound messages, shaping outgoing ones, and the channel's state."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest

from assistant.channels.whatsapp_payloads import (
    MAX_BODY_BYTES,
    MAX_DEPTH,
    Inbound,
    InvalidPayload,
    inbound_messages,
    is_opt_in,
    is_opt_out,
    nested_at_most,
    numbered_options,
    outgoing,
    parse_webhook,
    signature_for,
    signature_valid,
    split_text,
    token_matches,
    too_large,
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


# --- the webhook body -------------------------------------------------------------------


def test_body_size_over_1_mb_is_too_large_by_header_or_by_length():
    assert MAX_BODY_BYTES == 1_000_000
    assert too_large("1000001") and too_large(None, 1_000_001) and too_large(" 5000000 ", 10)
    assert not too_large("1000000", 1_000_000) and not too_large(None, 0)
    assert not too_large("not a number", 10) and too_large("junk", 1_000_001)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # deeper than the interpreter's recursion limit
        b'{"a": ' + b"[" * 500 + b"]" * 500 + b"}",  # parses, but deeper than MAX_DEPTH
        b'{"n": ' + b"9" * 5000 + b"}",  # ValueError: Exceeds the limit (4300 digits)
        b'[{"entry": []}]',
        b'"entry"',
        b"12",
        b"null",
        b'{"entry": "\xff\xfe"}',  # not UTF-8
        b'{"text": "caf\xe9"}',  # latin-1, not UTF-8
        b"\xef\xbb\xbf{}",  # a byte order mark
        b"",
        b"{",
    ],
)
def test_pathological_json_is_an_invalid_payload(body):
    with pytest.raises(InvalidPayload):
        parse_webhook(body)


def test_nesting_up_to_max_depth_is_read():
    deep = {"entry": []}
    for _ in range(MAX_DEPTH - 2):
        deep = {"x": deep}
    assert nested_at_most(deep, MAX_DEPTH) and not nested_at_most({"x": deep}, MAX_DEPTH)
    assert parse_webhook(json.dumps(deep).encode()) == deep
    assert nested_at_most(1, 1) and nested_at_most([], 1) and not nested_at_most([[]], 1)


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


def test_reactions_and_system_messages_are_ignored_silently():
    """Nothing to answer: not returned at all, unlike media (answered "please type")."""
    ignored = [
        {"type": "reaction", "reaction": {"message_id": "wamid.x", "emoji": "\U0001f44d"}},
        {"type": "system", "system": {"body": "nomor berubah", "type": "user_changed_number"}},
        {"type": "unsupported", "errors": [{"code": 131051, "title": "Message type unknown"}]},
        {"type": "ephemeral"},
        {"type": "request_welcome"},
        {"type": "edit", "edit": {"original_message_id": "wamid.x", "message": {}}},
        {"type": "revoke", "revoke": {"original_message_id": "wamid.x"}},
    ]
    messages = [{"from": "628", "id": f"w{n}", **part} for n, part in enumerate(ignored)]
    assert inbound_messages(payload(*messages)) == []
    statuses = {"statuses": [{"id": "wamid.s", "status": "read", "recipient_id": "628"}]}
    assert (
        inbound_messages({"entry": [{"changes": [{"field": "messages", "value": statuses}]}]}) == []
    )
    echo = {"message_echoes": [{"from": "123", "to": "628", "id": "e", "type": "text"}]}
    text = {"from": "628", "id": "t", "type": "text", "text": {"body": "halo"}}
    other_field = {"field": "smb_message_echoes", "value": {**echo, "messages": [text]}}
    assert inbound_messages({"entry": [{"changes": [other_field]}]}) == []
    media = [
        {"type": "image", "image": {"id": "m"}},
        {"type": "audio", "audio": {"id": "m", "voice": True}},
        {"type": "location", "location": {"latitude": -6.2, "longitude": 106.8}},
        {"type": "sticker", "sticker": {"id": "m"}},
        {"type": "document", "document": {"id": "m"}},
    ]
    found = inbound_messages(
        payload(*[{"from": "628", "id": f"m{n}", **m} for n, m in enumerate(media)])
    )
    assert [(m.kind, m.text) for m in found] == [
        ("image", None),
        ("audio", None),
        ("location", None),
        ("sticker", None),
        ("document", None),
    ]


def test_lone_surrogates_are_replaced_so_the_text_can_be_stored(tmp_path):
    body = b'{"entry": [{"changes": [{"value": {"messages": [{"from": "628", "id": "w1",'
    body += b' "type": "text", "text": {"body": "halo \\ud800"}}]}}]}]}'
    [message] = inbound_messages(parse_webhook(body))
    message.text.encode("utf-8")
    state = ChannelState(tmp_path / "wa.db")
    assert state.claim(message) and state.unfinished()[0].message.text == message.text
    state.close()


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


def inbound(message_id: str, text: str | None = "halo", sender: str = "628") -> Inbound:
    return Inbound(message_id, sender, "text" if text is not None else "image", text)


def test_a_message_id_is_claimed_once_also_after_a_restart(tmp_path):
    state = ChannelState(tmp_path / "wa.db")
    assert state.claim(inbound("wamid.1")) and not state.claim(inbound("wamid.1"))
    state.finish("wamid.1")
    state.close()
    again = ChannelState(tmp_path / "wa.db")
    assert not again.claim(inbound("wamid.1")) and again.claim(inbound("wamid.2"))
    again.close()


def test_old_and_surplus_ids_are_forgotten_but_pending_ones_are_kept(tmp_path):
    now = [1000.0]
    state = ChannelState(tmp_path / "wa.db", keep_seconds=100, max_ids=3, clock=lambda: now[0])
    for n in range(5):
        state.claim(inbound(f"id{n}"), done=True)
        now[0] += 1
    state.prune()
    assert state.handled_count() == 3 and state.claim(inbound("id0"))  # the oldest were dropped
    now[0] += 500
    state.prune()
    assert state.handled_count() == 1 and state.status("id0") == "pending"
    state.finish("id0")
    now[0] += 500
    state.prune()
    assert state.handled_count() == 0
    state.close()


def test_handled_only_when_finished_and_pending_ones_keep_their_message(tmp_path):
    """Finding 6: pending (with what is needed to handle it again) until finish, then done
    (and the text is erased)."""
    state = ChannelState(tmp_path / "wa.db", clock=lambda: 50.0)
    assert state.claim(inbound("w1", "isi form")) and state.claim(inbound("w2", None))
    state.claim(inbound("w3"), done=True)
    assert [state.status(i) for i in ("w1", "w2", "w3", "w4")] == [
        "pending",
        "pending",
        "done",
        None,
    ]
    assert state.seen("w1") and state.seen("w3") and not state.seen("w4")
    state.close()
    again = ChannelState(tmp_path / "wa.db", clock=lambda: 60.0)
    left = again.unfinished()
    assert [(u.message, u.at) for u in left] == [
        (Inbound("w1", "628", "text", "isi form"), 50.0),
        (Inbound("w2", "628", "image", None), 50.0),
    ]
    again.finish("w1")
    assert again.status("w1") == "done" and [u.message.id for u in again.unfinished()] == ["w2"]
    row = again._db.execute("select sender, kind, body from handled where id = 'w1'").fetchone()
    assert row == (None, None, None)
    again.close()


def test_a_state_file_of_the_old_layout_keeps_its_ids(tmp_path):
    """Finding 6: the ``handled`` table of an existing file gets the new columns; its ids
    stay handled."""
    path = tmp_path / "wa.db"
    old = sqlite3.connect(path)
    old.executescript(
        "create table handled (id text primary key, at real not null);"
        "create index handled_at on handled (at);"
        "create table consent (number text primary key, opted_out integer not null,"
        " changed_at real not null);"
        "insert into handled values ('wamid.old', 1000.0);"
        "insert into consent values ('628', 1, 900.0);"
    )
    old.commit()
    old.close()
    state = ChannelState(path, clock=lambda: 2000.0)
    assert state.seen("wamid.old") and state.status("wamid.old") == "done"
    assert not state.claim(inbound("wamid.old")) and state.unfinished() == []
    assert state.opted_out("628") and state.claim(inbound("wamid.new"))
    state.close()


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path) -> int:
    return os.stat(path).st_mode & 0o777


def test_the_state_file_is_readable_by_its_owner_only(tmp_path, umask_022):
    """Finding 8: the database and its -wal and -shm files are 0600."""
    path = tmp_path / "var" / "whatsapp.db"
    state = ChannelState(path)
    state.claim(inbound("w1"))
    state.set_opted_out("628", True)
    files = [path, tmp_path / "var" / "whatsapp.db-wal", tmp_path / "var" / "whatsapp.db-shm"]
    assert all(file.exists() for file in files)
    assert [mode(file) for file in files] == [0o600] * 3
    state.close()


def test_an_existing_state_file_is_made_private(tmp_path, umask_022):
    path = tmp_path / "whatsapp.db"
    sqlite3.connect(path).close()
    for file in (path, tmp_path / "whatsapp.db-wal"):
        file.touch()
        os.chmod(file, 0o644)
    state = ChannelState(path)
    assert mode(path) == 0o600 and mode(tmp_path / "whatsapp.db-wal") == 0o600
    state.claim(inbound("w1"))
    assert mode(tmp_path / "whatsapp.db-shm") == 0o600
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
