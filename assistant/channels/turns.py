"""The turn invariants, enforced in one place for every channel we own (REST, WhatsApp):
every user message gets at least one and at most ``MAX_MESSAGES`` bot messages, never an
empty turn, never the same text twice in a turn.

The causes are fixed where they arise (the fallback reverts the user's message, so that it
runs once per message; actions send at most three messages). This guard only repairs what
slips through, never drops content (surplus messages are joined into the last one), and
logs each repair as ``turn guard: ...`` so that tests can treat a repair as a bug.

Loaded inside the Rasa server: standard library only."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

logger = logging.getLogger(__name__)

MAX_MESSAGES = 3
# Said when a turn would otherwise end in silence (Indonesian first, then English).
EMPTY_TURN = {
    "id": "Maaf, saya belum bisa menjawab itu. Ketik \"menu\" untuk melihat pilihan.",
    "en": "Sorry, I could not answer that. Type \"menu\" to see the options.",
}

Message = dict[str, Any]


def _key(message: Message) -> str:
    """What makes two messages "the same" for a person reading them."""
    parts = [str(message.get("text") or "").strip()]
    for field in ("image", "buttons", "custom", "attachment"):
        if message.get(field):
            parts.append(repr(message[field]))
    return "\x00".join(parts)


def shape_turn(
    messages: Iterable[Message], sender: str = "", lang: str = "id"
) -> list[Message]:
    """The bot's messages of one turn, made to respect the invariants."""
    kept: list[Message] = []
    seen: set[str] = set()
    repeated = 0
    for message in messages:
        key = _key(message)
        if not key.strip("\x00"):
            continue  # nothing to show
        if key in seen:
            repeated += 1
            continue
        seen.add(key)
        kept.append(dict(message))
    if repeated:
        logger.warning("turn guard: %d repeated message(s) dropped for %s", repeated, _mask(sender))
    if len(kept) > MAX_MESSAGES:
        logger.warning(
            "turn guard: %d messages joined into %d for %s", len(kept), MAX_MESSAGES, _mask(sender)
        )
        head, tail = kept[: MAX_MESSAGES - 1], kept[MAX_MESSAGES - 1 :]
        texts = [str(m.get("text") or "") for m in tail if m.get("text")]
        last = dict(tail[-1])
        last["text"] = "\n\n".join(texts)
        kept = [*head, last]
    if not kept:
        logger.warning("turn guard: empty turn for %s; sent the default answer", _mask(sender))
        kept = [{"recipient_id": sender, "text": EMPTY_TURN.get(lang, EMPTY_TURN["id"])}]
    return kept


def _mask(sender: str) -> str:
    return sender if len(sender) < 8 else sender[:3] + "*" * (len(sender) - 7) + sender[-4:]


