"""Long replies cut for a phone (issue 25: no reply message over 1,000 characters)."""

from rasa_sdk.executor import CollectingDispatcher

from actions.common import deliver
from assistant.chat.pieces import PIECE_CHARS, in_pieces
from assistant.common.limits import MAX_MESSAGE_CHARS


def test_a_short_message_is_left_whole():
    assert in_pieces("Hasil: LULUS graduasi.") == ["Hasil: LULUS graduasi."]


def test_a_long_message_is_cut_at_a_paragraph_first():
    first = "Alasan pertama. " * 40
    second = "Alasan kedua. " * 40
    pieces = in_pieces(first.strip() + "\n\n" + second.strip())
    assert pieces == [first.strip(), second.strip()]


def test_a_paragraph_without_breaks_is_cut_at_a_sentence_or_space():
    words = " ".join(["kata"] * 600)
    pieces = in_pieces(words)
    assert all(len(p) <= PIECE_CHARS for p in pieces)
    assert " ".join(pieces) == words


def test_an_unbroken_run_is_cut_at_the_bound():
    pieces = in_pieces("x" * 2500)
    assert [len(p) for p in pieces] == [PIECE_CHARS, PIECE_CHARS, 2500 - 2 * PIECE_CHARS]


def test_deliver_sends_no_message_over_the_bound_and_keeps_the_rest_for_lanjut():
    dispatcher = CollectingDispatcher()
    long_line = "- Aturan yang dipakai dengan alasan yang panjang sekali. " * 8
    events = deliver(dispatcher, ["\n".join([long_line] * 8)], "id")
    sent = [m["text"] for m in dispatcher.messages]
    assert sent and all(len(t) <= MAX_MESSAGE_CHARS for t in sent)
    later = next(e for e in events if e.get("name") == "more")["value"]
    assert later and all(len(t) <= MAX_MESSAGE_CHARS for t in later)
    assert "lanjut" in sent[-1]


def _tracker(events: list[dict], loop: str | None = None):
    from rasa_sdk import Tracker

    return Tracker("628111", {}, {"text": "x"}, events, False, None,
                   {"name": loop} if loop else {}, "action_listen")


def test_room_counts_what_this_turn_already_sent_and_the_forms_question():
    from actions.common import MESSAGES_PER_TURN, room

    user = {"event": "user", "text": "x"}
    bot = {"event": "bot", "text": "y"}
    assert room(_tracker([bot, bot, user])) == MESSAGES_PER_TURN  # earlier turns don't count
    assert room(_tracker([user, bot])) == MESSAGES_PER_TURN - 1  # a form closed with a word
    assert room(_tracker([user], loop="approach_form")) == MESSAGES_PER_TURN - 1
    assert room(_tracker([user, bot, bot, bot], loop="approach_form")) == 1  # never none
