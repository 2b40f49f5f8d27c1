"""Long replies in pieces a phone shows whole: split at a paragraph, else a line, else a
sentence, else a space, so that no piece passes the bound (``MAX_MESSAGE_CHARS`` less room
for the "lanjut" hint)."""

from __future__ import annotations

from assistant.common.limits import MAX_MESSAGE_CHARS

# room left in a piece for the hint that more follows
PIECE_CHARS = MAX_MESSAGE_CHARS - 100
_BREAKS = ("\n\n", "\n", ". ", " ")


def in_pieces(message: str, limit: int = PIECE_CHARS) -> list[str]:
    """The message as it is when short enough, else pieces of at most ``limit``
    characters, cut at the widest break that fits."""
    pieces: list[str] = []
    rest = message.strip()
    while len(rest) > limit:
        cut = -1
        for mark in _BREAKS:
            cut = rest.rfind(mark, limit // 3, limit)
            if cut > 0:
                cut += len(mark.rstrip())
                break
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces
