"""Collecting a turn's replies whole, for the channels we own (REST, WhatsApp).

Rasa's ``CollectingOutputChannel`` cuts every text at blank lines into separate messages;
our actions already send phone-sized messages (a paragraph and its "ketik lanjut" hint are
one message), so a turn's replies are kept as the actions sent them and then held to the
turn invariants (``assistant.channels.turns``).

Loaded inside the Rasa server: imports only the standard library and rasa."""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel


class WholeMessages(CollectingOutputChannel):
    """Collects each text as one message, blank lines and all."""

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._persist_message(self._message(recipient_id, text=text.strip()))
