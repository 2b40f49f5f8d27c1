"""Reading short chat answers deterministically: numbered options, yes/no, and a first
guess of the conflict type from the words of a report (hints in knowledge/conflicts.yml)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from assistant.knowledge import Knowledge
from assistant.limits import MAX_MATCH_CHARS, MAX_MATCH_TOKENS

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


def parse_numbers(message: str, highest: int) -> list[int] | None:
    """Numbers picked from a list ("1 3", "1,3", "2 dan 4"); [] for "0"/"tidak ada";
    every number for "semua"; None when the message holds no usable number."""
    words = normalise(message)
    if words in ("0", "nol", "tidak ada", "gak ada", "ga ada", "ngga ada", "none", "belum ada"):
        return []
    if words in ("semua", "semuanya", "all", "sudah semua"):
        return list(range(1, highest + 1))
    numbers = [int(n) for n in re.findall(r"\d+", words)]
    if not numbers or any(n < 1 or n > highest for n in numbers):
        return None
    return list(dict.fromkeys(numbers))


def match_hints(message: str, rows: Sequence[Any]) -> list[str]:
    """Ids of rows whose hint words (or name) appear in the message, in row order."""
    words = normalise(message)
    found = []
    for row in rows:
        phrases = [*getattr(row, "hints", []), getattr(row, "name", "")]
        if any(phrase and _contains(words, normalise(phrase)) for phrase in phrases):
            found.append(row.id)
    return found


def guess_signals(message: str, knowledge: Knowledge) -> list[str]:
    signals = [signal for _, signal in knowledge.needs.signals().values()]
    return match_hints(message, signals)


def guess_approach_facts(message: str, knowledge: Knowledge) -> tuple[list[str], list[str]]:
    table = knowledge.approaches
    return match_hints(message, table.conditions), match_hints(message, table.groups)


def find_named(message: str, named: Sequence[tuple[str, str]]) -> str | None:
    """The id whose name the message mentions (exact words, or a close spelling)."""
    words = normalise(message[:MAX_MATCH_CHARS])
    for item_id, name in named:
        if _contains(words, normalise(name)) or _contains(words, item_id.replace("_", " ")):
            return item_id
    tokens = _match_tokens(message, shortest=1)
    best, best_score = None, 0.0
    for item_id, name in named:
        target = normalise(name)
        if len(target) < 3:
            continue
        for size in {len(target.split()), 1}:
            for start in range(len(tokens) - size + 1):
                chunk = " ".join(tokens[start : start + size])
                shorter, longer = sorted((len(chunk), len(target)))
                if 2 * shorter / (shorter + longer) <= max(best_score, 0.8):
                    continue  # cannot beat the best so far
                score = difflib.SequenceMatcher(None, chunk, target).ratio()
                if score > best_score:
                    best, best_score = item_id, score
    return best if best_score >= 0.8 else None


def find_program(message: str, knowledge: Knowledge) -> str | None:
    named = [(p.id, p.name) for p in knowledge.programs.programs]
    named += [(p.id, p.full_name) for p in knowledge.programs.programs]
    return find_named(message, named)


def find_stage(message: str, knowledge: Knowledge) -> str | None:
    stages = knowledge.stages.stages
    named = [(s.id, s.name) for s in stages] + [(s.id, s.id) for s in stages]
    named += [
        ("asesmen", "assessment"),
        ("monev", "monitoring"),
        ("monev", "evaluasi"),
        ("graduasi_keberlanjutan", "graduasi"),
        ("graduasi_keberlanjutan", "exit strategy"),
    ]
    return find_named(message, named)


_ENGLISH = frozenset(
    "the is are what which how why can do does my our we i you please about for with this "
    "that there have has village program help thanks hello".split()
)
_INDONESIAN = frozenset(
    "yang dan di ke dari apa gimana gmn bagaimana kenapa ini itu ada tidak gak ga nggak "
    "saya kami kita warga desa mau bisa udah sudah belum dong sih nih ya untuk dengan".split()
)


def detect_language(message: str) -> str | None:
    """ "en" or "id" when the message clearly reads as one; None for short or neutral
    messages ("2", "ok"), which keep the conversation's language."""
    words = normalise(message).split()
    english = sum(1 for w in words if w in _ENGLISH)
    indonesian = sum(1 for w in words if w in _INDONESIAN)
    if english >= 2 and english > indonesian:
        return "en"
    if indonesian >= 1 and indonesian >= english:
        return "id"
    return None


def _match_tokens(message: str, shortest: int = 3) -> list[str]:
    """The words of ``message`` that matching looks at: from its first ``MAX_MATCH_CHARS``
    characters, each once, at most ``MAX_MATCH_TOKENS`` of them (a 4 KB message costs no
    more than a short one)."""
    words = normalise(message[:MAX_MATCH_CHARS]).split()
    return list(dict.fromkeys(w for w in words if shortest <= len(w) <= 40))[:MAX_MATCH_TOKENS]


def _near(token: str, word: str, threshold: float) -> bool:
    if token == word:
        return True
    shorter, longer = sorted((len(token), len(word)))
    if 2 * shorter / (shorter + longer) < threshold:  # no spelling this different is near
        return False
    matcher = difflib.SequenceMatcher(None, token, word)
    return matcher.quick_ratio() >= threshold and matcher.ratio() >= threshold


def find_person(message: str, people: Sequence[tuple[str, str]]) -> str | None:
    """The person the message names: "bu siti", "siti aminah", "pak budi". The one whose
    name words appear most (exactly or nearly); None when nobody or several tie."""
    tokens = _match_tokens(message)
    if not tokens:
        return None
    seen: dict[str, bool] = {}

    def named(word: str) -> bool:
        if word not in seen:
            seen[word] = any(_near(token, word, 0.85) for token in tokens)
        return seen[word]

    scores = []
    for person_id, name in people:
        words = [w for w in normalise(name).split() if len(w) >= 3]
        scores.append((sum(1 for word in words if named(word)), person_id))
    best = max(scores, default=(0, None))
    if best[0] == 0 or [score for score, _ in scores].count(best[0]) > 1:
        return None
    return best[1]
