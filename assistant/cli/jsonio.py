"""Reading one JSON object from bytes a person or a program sent, safely: every way it can
be wrong (not UTF-8, too big, nested too deep, numbers Python or the rules engine cannot
take, not an object) becomes an ``InputError`` with an Indonesian sentence, never a
traceback. Used by ``assistant decide`` and every other JSON reader of the core."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from assistant.common.errors import InputError
from assistant.common.limits import MAX_INTEGER_DIGITS, MAX_JSON_BYTES, MAX_JSON_DEPTH
from assistant.common.texts import text

_BOM = b"\xef\xbb\xbf"
# strings (skipped whole, escapes included) or an opening/closing bracket
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _depth(document: str) -> int:
    deepest = depth = 0
    for match in _STRUCTURE.finditer(document):
        token = match.group(0)
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                return deepest
        elif token in "]}":
            depth -= 1
    return deepest


def _integer(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise InputError(text("errors.number_too_long", limit=MAX_INTEGER_DIGITS), None)
    return int(literal)


def _float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise InputError(text("errors.not_a_number"), None)
    return value


def _constant(literal: str) -> Any:
    raise InputError(text("errors.not_a_number"), None)


def read_json_object(raw: bytes | str) -> dict[str, Any]:
    """The one JSON object in ``raw`` (UTF-8, a BOM allowed), or ``InputError``."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    if len(raw) > MAX_JSON_BYTES:
        raise InputError(text("errors.too_big", limit=f"{MAX_JSON_BYTES:,}".replace(",", ".")))
    try:
        document = raw.removeprefix(_BOM).decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(text("errors.not_utf8"), None) from error
    if _depth(document) > MAX_JSON_DEPTH:
        raise InputError(text("errors.too_deep", limit=MAX_JSON_DEPTH), None)
    try:
        payload = json.loads(
            document, parse_int=_integer, parse_float=_float, parse_constant=_constant
        )
    except InputError:
        raise
    except json.JSONDecodeError as error:
        raise InputError(text("errors.not_json", detail=error.msg), None) from error
    except (RecursionError, ValueError) as error:  # a last line of defence
        raise InputError(text("errors.not_json", detail=type(error).__name__), None) from error
    if not isinstance(payload, dict):
        raise InputError(text("errors.model_type"), None)
    try:
        # lone surrogates ("\ud800") decode into str but cannot be stored or printed
        json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:
        raise InputError(text("errors.bad_text"), None) from error
    return payload
