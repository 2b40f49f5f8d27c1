"""Free text from people, made safe to keep and to show to someone else. Standard library
only: the channels load it inside the Rasa server too.

- :func:`mask_nik`: a NIK (16 digits, perhaps written 3201.2345.6789.0001) typed in a
  message is never stored or logged; it becomes ``[NIK]``. The registry keeps only a NIK's
  salted hash, given through its own field.
- :func:`for_nlu`: at most :data:`MAX_NLU_CHARS` of a message reach the NLU, whose cost
  grows with the square of the length; the whole text stays available for a report of
  harm.
- :func:`shown_to_others`: one person's words shown to another (a household's name in a
  koordinator's notice, a stranger's report in an admin's list) as data, not markup: no
  control or bidirectional-override characters, no line breaks, WhatsApp's *bold* _italic_
  ~strike~ and ```code``` neutralised, no terminal escape sequences.
- :func:`refusal_in_name`: why a name may not be stored as typed (control, bidi, newline).
"""

from __future__ import annotations

import re
import unicodedata

MAX_NLU_CHARS = 4000
# the metadata key under which a channel keeps the whole message when the NLU reads its start
FULL_TEXT = "full_text"
NIK_MASK = "[NIK]"
# Sixteen digits in a row as a word of its own, single spaces, dots or dashes allowed.
_NIK = re.compile(r"(?<![0-9A-Za-z])(?:[0-9][ .-]?){15}[0-9](?![0-9A-Za-z])")
# ESC [ ... final byte, and other ESC sequences
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_MARKUP = re.compile(r"([*_~`])")
_ZERO_WIDTH_SPACE = "\u200b"


def mask_nik(value: str) -> str:
    return _NIK.sub(NIK_MASK, value) if _NIK.search(value) else value


def _control(character: str) -> bool:
    return unicodedata.category(character) in ("Cc", "Cf") or character in _BIDI


def strip_controls(value: str, keep_newlines: bool = True) -> str:
    """``value`` without terminal escapes, control and format characters (newlines and
    tabs kept when ``keep_newlines``)."""
    value = _ANSI.sub("", value)
    kept = "\n\t" if keep_newlines else ""
    return "".join(c for c in value if c in kept or not _control(c))


def for_nlu(message: str) -> tuple[str, str | None]:
    """(what the NLU reads, the whole text when it was cut, else None); NIKs masked and
    control characters dropped in both."""
    cleaned = strip_controls(mask_nik(message))
    if len(cleaned) <= MAX_NLU_CHARS:
        return cleaned, None
    return cleaned[:MAX_NLU_CHARS], cleaned


def shown_to_others(value: str, limit: int = 500) -> str:
    """One person's words, as data inside another person's message (WhatsApp or a
    terminal): one line, no controls, no markup, at most ``limit`` characters."""
    flat = " ".join(strip_controls(mask_nik(value), keep_newlines=False).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return _MARKUP.sub(rf"\1{_ZERO_WIDTH_SPACE}", flat)


def refusal_in_name(value: str) -> str | None:
    """Why ``value`` cannot be a person's or a village's name, or None when it can."""
    if "\n" in value or "\r" in value:
        return "baris_baru"
    if _ANSI.search(value) or any(_control(c) for c in value if c != "\t"):
        return "karakter_kendali"
    return None
