"""Reading short chat answers deterministically: numbered options, yes/no, and a first
guess of the conflict type from the words of a report (hints in knowledge/conflicts.yml)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from assistant.knowledge import Knowledge

_WORD = re.compile(r"[a-z0-9']+")


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, Any]:
    return yaml.safe_load(Path(__file__).with_name("lexicon.yml").read_text(encoding="utf-8"))


def normalise(message: str) -> str:
    return " ".join(_WORD.findall(message.lower()))


def _contains(haystack: str, phrase: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", haystack) is not None


def parse_yes_no(message: str) -> bool | None:
    """True for "ya"/"iya"/"udah", False for "gak"/"tidak"/"belum", None when unclear."""
    words = normalise(message)
    if not words:
        return None
    lexicon = _lexicon()
    # Negations win: "gak ada" and "tidak mengancam" are no.
    if any(_contains(words, w) for w in lexicon["tidak"]):
        return False
    if any(_contains(words, w) for w in lexicon["ya"]):
        return True
    return None


def parse_choice(message: str, options: Sequence[tuple[str, str]]) -> str | None:
    """The id of the option the user picked: by number ("2", "no 2", "kedua"), by id, or by
    the option's own words. ``options`` are (id, label) pairs in the order shown."""
    words = normalise(message)
    if not words:
        return None
    numbers = re.findall(r"\d+", words)
    if len(numbers) == 1 and 1 <= int(numbers[0]) <= len(options):
        return options[int(numbers[0]) - 1][0]
    for number, names in _lexicon()["ordinals"].items():
        if number <= len(options) and any(_contains(words, name) for name in names):
            return options[number - 1][0]
    for option_id, label in options:
        if _contains(words, option_id.replace("_", " ")) or _contains(words, normalise(label)):
            return option_id
    scored = [(_overlap(words, label), option_id) for option_id, label in options]
    best = max(scored, default=(0, None))
    if best[0] > 0 and [score for score, _ in scored].count(best[0]) == 1:
        return best[1]
    return None


def _overlap(words: str, label: str) -> int:
    return len(set(words.split()) & {w for w in normalise(label).split() if len(w) > 3})


def guess_conflict_type(message: str, knowledge: Knowledge) -> str | None:
    """The conflict type whose hint words the message uses most; None on a tie or no hint."""
    words = normalise(message)
    scores = {
        conflict.id: sum(1 for hint in conflict.hints if _contains(words, normalise(hint)))
        for conflict in knowledge.conflicts.types
    }
    best = max(scores.values(), default=0)
    winners = [type_id for type_id, score in scores.items() if score == best]
    return winners[0] if best > 0 and len(winners) == 1 else None
