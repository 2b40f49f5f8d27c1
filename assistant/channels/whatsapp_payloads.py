"""WhatsApp Cloud API payloads: the webhook signature, reading a webhook body (size,
JSON, nesting), inbound messages, outgoing bodies.

Pure functions on the standard library only, so that the Rasa server (Python 3.10) and the
core tests (Python 3.11) can both import this module.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any

SIGNATURE_HEADER = "X-Hub-Signature-256"
SIGNATURE_PREFIX = "sha256="

MAX_BODY_BYTES = 1_000_000  # a webhook body; Meta's are a few kilobytes
MAX_DEPTH = 32  # nesting of JSON objects and arrays; Meta's payloads use about 12

TEXT_LIMIT = 4096  # characters in one text message
BODY_LIMIT = 1024  # characters in the body of an interactive message
LIST_MIN, LIST_MAX = 2, 10  # rows in one interactive list
ROW_TITLE_LIMIT, ROW_DESCRIPTION_LIMIT = 24, 72
LIST_BUTTON = "Pilih"
YES_NO_BUTTONS = (("ya", "Ya"), ("tidak", "Tidak"))
BUTTON_TITLE_LIMIT, BUTTONS_MAX = 20, 3

OPT_OUT_WORDS = frozenset({"stop", "berhenti"})
OPT_IN_WORDS = frozenset({"mulai", "start"})

_OPTION_LINE = re.compile(r"^\s*(\d{1,2})[.)]\s+(\S.*)$")
_YES_NO_END = re.compile(
    r"(\(\s*ya\s*/\s*tidak\s*\)|jawab\s*:\s*ya\s*/\s*tidak)[\s.?!]*$", re.IGNORECASE
)
# The text before a list of options must invite a reply by number (or end in a question):
# "Pilihan penyelesaian:\n1. ...\n2. ..." is information, not a question.
_ASKS_FOR_NUMBER = re.compile(r"nomor|number", re.IGNORECASE)


# --- signature --------------------------------------------------------------------------


def signature_for(body: bytes, app_secret: str) -> str:
    """The X-Hub-Signature-256 value Meta sends for this raw body."""
    digest = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def signature_valid(body: bytes, header: str, app_secret: str) -> bool:
    """Compare the header with the HMAC-SHA256 of the raw body, in constant time."""
    expected = signature_for(body, app_secret)
    return hmac.compare_digest(expected.encode("utf-8"), header.strip().encode("utf-8"))


def token_matches(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode("utf-8"), expected.encode())


# --- the webhook body -------------------------------------------------------------------


class InvalidPayload(ValueError):
    """A webhook body that is not a JSON object we are willing to read."""


def too_large(content_length: str | None, body_length: int = 0) -> bool:
    """More than ``MAX_BODY_BYTES``, by the Content-Length header (when it is a number) or
    by the bytes received."""
    declared = (content_length or "").strip()
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return True
    return body_length > MAX_BODY_BYTES


def parse_webhook(body: bytes) -> dict[str, Any]:
    """The JSON object of a webhook body. Raises InvalidPayload when the body is not UTF-8,
    not JSON, nested deeper than ``MAX_DEPTH``, holds a number too long to convert, or is
    not an object at the top."""
    try:
        payload = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise InvalidPayload("not UTF-8") from error
    except RecursionError as error:  # nesting deeper than the interpreter allows
        raise InvalidPayload(f"nested deeper than {MAX_DEPTH}") from error
    except ValueError as error:  # bad JSON, or an integer over Python's digit limit
        raise InvalidPayload(f"not JSON ({type(error).__name__})") from error
    if not isinstance(payload, dict):
        raise InvalidPayload(f"a JSON {type(payload).__name__}, not an object")
    if not nested_at_most(payload, MAX_DEPTH):
        raise InvalidPayload(f"nested deeper than {MAX_DEPTH}")
    return payload


def nested_at_most(value: Any, limit: int) -> bool:
    """True when objects and arrays are nested at most ``limit`` deep (the top one is 1).
    Iterative, so any depth is safe to check."""
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return True


# --- inbound ----------------------------------------------------------------------------

# Message types that are not something to answer: a reaction, a system notice (a changed
# number), a message WhatsApp could not deliver to us or one that disappears, the "user
# opened the chat" event, and a person editing or deleting an earlier message.
IGNORED_KINDS = frozenset(
    {"reaction", "system", "unsupported", "ephemeral", "request_welcome", "edit", "revoke"}
)


@dataclass(frozen=True)
class Inbound:
    """One message a person sent. ``text`` is what they typed or tapped (the id of a
    button or list row); None for media and other types the bot cannot read."""

    id: str
    sender: str
    kind: str
    text: str | None
    phone_number_id: str | None = None


def inbound_messages(payload: Any) -> list[Inbound]:
    """Every message in a webhook payload that calls for an answer. Skipped: statuses
    (sent, delivered, read), changes of other webhook fields, the ``IGNORED_KINDS`` and
    malformed entries."""
    found: list[Inbound] = []
    for value in _change_values(payload):
        metadata = value.get("metadata")
        phone_number_id = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
        for message in _dicts(value.get("messages")):
            inbound = _inbound(message, phone_number_id)
            if inbound is not None:
                found.append(inbound)
    return found


def _dicts(items: Any) -> list[dict[str, Any]]:
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _change_values(payload: Any) -> list[dict[str, Any]]:
    if not isinstance(payload, dict):
        return []
    values = []
    for entry in _dicts(payload.get("entry")):
        for change in _dicts(entry.get("changes")):
            if change.get("field", "messages") != "messages":
                continue  # e.g. message_echoes, template status updates
            if isinstance(change.get("value"), dict):
                values.append(change["value"])
    return values


def _inbound(message: dict[str, Any], phone_number_id: Any) -> Inbound | None:
    message_id, sender, kind = message.get("id"), message.get("from"), message.get("type")
    if not (isinstance(message_id, str) and isinstance(sender, str) and message_id and sender):
        return None
    kind = kind if isinstance(kind, str) else "unknown"
    if kind in IGNORED_KINDS:
        return None
    text = _typed_text(message, kind)
    return Inbound(
        _clean(message_id),
        _clean(sender),
        _clean(kind),
        None if text is None else _clean(text),
        None if phone_number_id is None else _clean(str(phone_number_id)),
    )


def _clean(text: str) -> str:
    """Without lone surrogates ("\\ud800" is valid JSON but not UTF-8), which SQLite and
    the tracker store cannot write."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _typed_text(message: dict[str, Any], kind: str) -> str | None:
    """What a person would have typed to say the same thing."""
    part = message.get(kind)
    if not isinstance(part, dict):
        return None
    if kind == "text":
        body = part.get("body")
    elif kind == "interactive":
        reply = part.get("button_reply") or part.get("list_reply") or {}
        body = reply.get("id") or reply.get("title") if isinstance(reply, dict) else None
    elif kind == "button":  # quick-reply button of a template message
        body = part.get("payload") or part.get("text")
    else:
        return None
    return body.strip() if isinstance(body, str) and body.strip() else None


def is_opt_out(text: str | None) -> bool:
    return text is not None and text.strip().lower() in OPT_OUT_WORDS


def is_opt_in(text: str | None) -> bool:
    return text is not None and text.strip().lower() in OPT_IN_WORDS


# --- outgoing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """A bot message that lists numbered options: intro, the options, text after them."""

    intro: str
    options: list[str]
    outro: str


def numbered_options(text: str) -> Options | None:
    """The last block of consecutive lines "1. ...", "2. ", ... (2 to 10 of them, counted
    from 1) when the text before it asks for a number or ends with a question."""
    lines = text.splitlines()
    parsed = [_option(line) for line in lines]
    end = len(lines)
    while end > 0 and parsed[end - 1] is None:
        end -= 1
    start = end
    while start > 0 and parsed[start - 1] is not None:
        start -= 1
    block = [option for option in parsed[start:end] if option is not None]
    if not LIST_MIN <= len(block) <= LIST_MAX:
        return None
    if [number for number, _ in block] != list(range(1, len(block) + 1)):
        return None
    intro = "\n".join(lines[:start]).strip()
    if not (_ASKS_FOR_NUMBER.search(intro) or intro.endswith("?")):
        return None
    return Options(intro, [label for _, label in block], "\n".join(lines[end:]).strip())


def _option(line: str) -> tuple[int, str] | None:
    match = _OPTION_LINE.match(line)
    return (int(match.group(1)), match.group(2).strip()) if match else None


def asks_yes_no(text: str) -> bool:
    """The message ends asking "(ya / tidak)" or "Jawab: ya / tidak"."""
    return bool(_YES_NO_END.search(text.strip()))


def outgoing(to: str, text: str) -> list[dict[str, Any]]:
    """The Graph API bodies for one bot message: an interactive list for numbered
    options, ya/tidak buttons for a yes-no question, otherwise text (split if long)."""
    options = numbered_options(text)
    if options is not None:
        body = "\n\n".join(part for part in (options.intro, options.outro) if part)
        if len(body) <= BODY_LIMIT:
            numbered = [(str(n), option) for n, option in enumerate(options.options, start=1)]
            return [list_message(to, body, numbered)]
    elif asks_yes_no(text) and len(text.strip()) <= BODY_LIMIT:
        return [buttons_message(to, text.strip(), list(YES_NO_BUTTONS))]
    return [text_message(to, part) for part in split_text(text)]


def text_message(to: str, body: str) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"preview_url": False, "body": body},
    }


def list_message(to: str, body: str, options: list[tuple[str, str]]) -> dict[str, Any]:
    """An interactive list; ``options`` are (row id, label) pairs."""
    rows = [_row(row_id[:200], label) for row_id, label in options[:LIST_MAX]]
    return _interactive(
        to,
        {
            "type": "list",
            "body": {"text": body or "Pilih salah satu:"},
            "action": {"button": LIST_BUTTON, "sections": [{"title": "Pilihan", "rows": rows}]},
        },
    )


def buttons_message(to: str, body: str, buttons: list[tuple[str, str]]) -> dict[str, Any]:
    replies = [
        {"type": "reply", "reply": {"id": button_id[:256], "title": cut(title, BUTTON_TITLE_LIMIT)}}
        for button_id, title in buttons[:BUTTONS_MAX]
    ]
    return _interactive(
        to, {"type": "button", "body": {"text": body}, "action": {"buttons": replies}}
    )


def _interactive(to: str, interactive: dict[str, Any]) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "interactive",
        "interactive": interactive,
    }


def _row(row_id: str, option: str) -> dict[str, str]:
    title, rest = split_words(option, ROW_TITLE_LIMIT)
    row = {"id": row_id, "title": title}
    if rest:
        row["description"] = cut(rest, ROW_DESCRIPTION_LIMIT)
    return row


def split_words(text: str, limit: int) -> tuple[str, str]:
    """The first ``limit`` characters, cut at a space when there is one, and the rest."""
    text = text.strip()
    if len(text) <= limit:
        return text, ""
    space = text.rfind(" ", 0, limit + 1)
    at = space if space > 0 else limit
    return text[:at].rstrip(), text[at:].strip()


def cut(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at a blank line, a line end or a
    space where possible."""
    text = text.strip()
    pieces: list[str] = []
    while len(text) > limit:
        at = max(text.rfind(sep, 0, limit) for sep in ("\n\n", "\n", " "))
        at = at if at > limit // 2 else limit
        pieces.append(text[:at].rstrip())
        text = text[at:].lstrip()
    if text:
        pieces.append(text)
    return pieces
