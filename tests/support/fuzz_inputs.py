"""Generated bad input for every decision kind of ``assistant decide``: raw bytes as a
careless person, a broken integration or an attacker would send them.

Each case is (kind, raw bytes). The generator is deterministic for a given seed."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

from assistant.knowledge.models.programs import StageChecks

# A valid payload per kind; mutations start from these.
VALID: dict[str, dict[str, object]] = {
    "approach": {"conditions": ["bergantung_bantuan"], "groups": ["lansia"]},
    "needs": {"signals": ["tidak_punya_modal"], "employment": "menganggur"},
    "conflict": {"type": "kepentingan", "scope": "kelompok_kecil", "description": "ribut"},
    "graduation": {"income_monthly": 3_000_000, "umk": 2_500_000, "mindset_changed": True},
    "program_review": {
        # the ten columns of table 2.2, as the input model defines them
        "checks": {key: True for key in sorted(StageChecks.GUIDELINE)}
    },
    "sustainability": {"parameters": {"kemandirian_ekonomi": True}},
    "safeguarding": {"concerns": ["kekerasan"], "description": "dipukul"},
}
KINDS = tuple(VALID)

# Number literals written into JSON text as they are (many are not valid JSON).
NUMBER_TEXTS = [
    "1e16", "1e15", "9999999999999999", "1e-7", "0.0000001", "1e308", "1e309", "-1e308",
    "1e-320", "5e-324", "-0.0", "-1", "-0", "0", "1.5", "NaN", "Infinity", "-Infinity",
    "1" + "0" * 400, "9" * 5000, "-" + "9" * 40, "0x10", "1_000", "١٢٣", "１２３",
    "2500000.4999999", "1e1000000", "123456789012345678901234567890",
    "0.1e-6", "4e15", "1E16", "18446744073709551616",
]
STRING_VALUES = [
    "", " ", "\x00", "\u202e", "🙂" * 50, "a" * 10_000, "<script>", "' or 1=1 --",
    "3201234567890001", "٣٢٠١٢٣٤٥٦٧٨٩٠٠٠١", "null", "true", "1e16", "\ud800".encode(
        "utf-8", "surrogatepass"
    ).decode("utf-8", "replace"), "x" * 2001, "ya\nbaris", "%s%s%s", "{0}{1}",
]
OTHER_VALUES: list[object] = [
    None, True, False, [], {}, [[[]]], {"a": {"b": {}}}, ["x"] * 500, [1, 2, 3], 0, -5,
    {"$regex": ".*"}, ["tidak_punya_modal"] * 200,
]


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _with_number(payload: dict[str, object], key: str, literal: str) -> str:
    """The payload as JSON text with ``key`` set to a raw number literal."""
    marker = "__NUMBER__"
    return _dumps({**payload, key: marker}).replace(f'"{marker}"', literal)


def _nested(depth: int, opener: str = "[", closer: str = "]") -> str:
    return opener * depth + closer * depth


def cases(seed: int = 20261130, count: int = 2000) -> Iterator[tuple[str, bytes]]:
    """``count`` cases (kind, raw stdin) with fixed randomness."""
    rng = random.Random(seed)
    made = 0

    def emit(kind: str, raw: str | bytes) -> tuple[str, bytes]:
        nonlocal made
        made += 1
        return kind, raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")

    # every number literal into every numeric field, and every field of every kind
    for kind, payload in VALID.items():
        keys = list(payload) + ["extra", "income_monthly", "umk"]
        for literal in NUMBER_TEXTS:
            for key in keys:
                if made >= count:
                    return
                yield emit(kind, _with_number(payload, key, literal))
    # structural damage
    structural = [
        b"", b" ", b"\xef\xbb\xbf", b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}\x00", b"\x80\x81\x82",
        b"{", b"}", b"[]", b"null", b"1e16", b'"x"', b"{}" * 3, b'{"a":1,"a":2}',
        _nested(100_000).encode(), _nested(5000, "{\"a\":", "}").encode() + b"1",
        ("[" * 200_000).encode(), b'{"type": "' + b"\xc3\x28" + b'"}', b"\x00" * 100,
        b'{"income_monthly": 1' + b"0" * 100_000 + b"}",
    ]
    while made < count:
        kind = rng.choice(KINDS)
        payload = dict(VALID[kind])
        choice = rng.random()
        if choice < 0.15:
            raw: str | bytes = rng.choice(structural)
        elif choice < 0.35:
            key = rng.choice([*payload, "income_monthly", "umk", "type", "signals"])
            raw = _with_number(payload, key, rng.choice(NUMBER_TEXTS))
        elif choice < 0.55:
            key = rng.choice(list(payload) + ["description", "program", "state"])
            payload[key] = rng.choice(STRING_VALUES)
            raw = _dumps(payload)
        elif choice < 0.75:
            key = rng.choice(list(payload) + ["matrix", "scope"])
            payload[key] = rng.choice(OTHER_VALUES)
            raw = _dumps(payload)
        elif choice < 0.85:
            text = _dumps(payload)
            cut = rng.randrange(len(text) + 1)
            raw = text[:cut] + "".join(rng.choice('{}[]",:\\') for _ in range(rng.randrange(4)))
        elif choice < 0.95:
            data = bytearray(_dumps(payload).encode())
            for _ in range(rng.randrange(1, 5)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            raw = bytes(data)
        else:
            depth = rng.choice([50, 500, 5000, 50_000])
            payload["signals"] = "__DEEP__"
            raw = _dumps(payload).replace('"__DEEP__"', _nested(depth))
        yield emit(kind, raw)
