"""`make chat AS=<id>`: the terminal speaks as that user in its own conversation only.

scripts/chat.sh starts `rasa shell` with a fresh random conversation id and gives it to
the action server as ASSISTANT_CHAT_CONVERSATION; any other sender reaching the same port
(another conversation id, or a REST client that names its channel "cmdline") must speak
as itself, never as the facilitator named by ASSISTANT_CHAT_USER."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker

from actions.common import sender_of

TERMINAL = "terminal-5b0c9e7d2f314a6c8e1d0b9a7c6f5e4d"
FACILITATOR = "628111"


def tracker(sender: str, channel: str | None) -> Tracker:
    events = [] if channel is None else [{"event": "user", "text": "x", "input_channel": channel}]
    return Tracker(
        sender_id=sender,
        slots={},
        latest_message={"text": "jadwal saya", "intent": {"name": "my_tasks"}},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.fixture
def chat_as_facilitator(monkeypatch):
    monkeypatch.setenv("ASSISTANT_CHAT_USER", FACILITATOR)
    monkeypatch.setenv("ASSISTANT_CHAT_CONVERSATION", TERMINAL)


def test_the_terminal_conversation_speaks_as_the_named_user(chat_as_facilitator):
    assert sender_of(tracker(TERMINAL, "cmdline")) == FACILITATOR


@pytest.mark.parametrize(
    "sender, channel",
    [
        ("6289999", "cmdline"),  # another conversation on the shell's port
        ("3f2a9c", "cmdline"),  # a stranger guessing the shape of an id
        ("6289999", "rest"),
        ("6289999", "whatsapp"),
        (TERMINAL, "rest"),  # the terminal's id, but not through the terminal
        (TERMINAL, "whatsapp"),
        (TERMINAL, None),  # no channel recorded
        (TERMINAL + "x", "cmdline"),
        (TERMINAL[:-1], "cmdline"),
    ],
)
def test_any_other_sender_speaks_as_itself(chat_as_facilitator, sender, channel):
    assert sender_of(tracker(sender, channel)) == sender


def test_without_the_terminal_conversation_id_nobody_gets_the_identity(monkeypatch):
    monkeypatch.setenv("ASSISTANT_CHAT_USER", FACILITATOR)
    monkeypatch.delenv("ASSISTANT_CHAT_CONVERSATION", raising=False)
    assert sender_of(tracker(TERMINAL, "cmdline")) == TERMINAL
    monkeypatch.setenv("ASSISTANT_CHAT_CONVERSATION", "")
    assert sender_of(tracker("", "cmdline")) == ""


def test_a_plain_make_chat_speaks_as_its_own_conversation(monkeypatch):
    monkeypatch.setenv("ASSISTANT_CHAT_USER", "")  # `make chat` without AS=
    monkeypatch.setenv("ASSISTANT_CHAT_CONVERSATION", TERMINAL)
    assert sender_of(tracker(TERMINAL, "cmdline")) == TERMINAL
