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

from assistant.common.limits import MAX_MATCH_CHARS, MAX_MATCH_TOKENS
from assistant.knowledge.loader import Knowledge
from assistant.reading.harm import HARM_CHARS, read_harm

_WORD = re.compile(r"[a-z0-9']+")


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, Any]:
    return yaml.safe_load(Path(__file__).with_name("lexicon.yml").read_text(encoding="utf-8"))


# "ibu2", "anak2": informal Indonesian writes a repeated word with a 2
_REPEATED = re.compile(r"\b([a-z]{3,})2\b")


def normalise(message: str) -> str:
    """Lowercase words only, repeated words spelled out ("ibu2" -> "ibu ibu")."""
    return _REPEATED.sub(r"\1 \1", " ".join(_WORD.findall(message.lower())))


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


# "kok" asks why only at the start or before "bisa"/"gitu" ("kok bisa lulus?"); at the end
# it is emphasis ("udah berubah kok")
_WHY = re.compile(
    r"\b(kenapa|knp|napa|mengapa|why|alasan\w*|dasar\w*|sebab\w*)\b"
    r"|^\W*kok\b|\bkok (bisa|gitu|begitu)\b"
)


def asks_why(message: str) -> bool:
    """The message asks why ("kenapa?", "kok kurang", "apa dasarnya")."""
    return _WHY.search(message.lower()) is not None


def leaves_questions(message: str) -> bool:
    """The message opens with a word that leaves a question sequence ("udahan dulu",
    "gak jadi deh", "never mind")."""
    words = normalise(message[:200]).split()
    opening = " ".join(words[:3])
    return any(
        opening == phrase or opening.startswith(phrase + " ")
        for phrase in _lexicon()["leave_questions"]
    )


def asks_for_help(message: str) -> bool:
    """The message asks for the menu or for help in so many words."""
    words = normalise(message)
    return any(_contains(words, phrase) for phrase in _lexicon()["help"])


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
    """Ids of rows whose hint words (or name) appear in the message, in row order; a hint
    of words of five letters or more also matches a close spelling ("trgantung bantuan")."""
    words = normalise(message[:HINT_CHARS])
    tokens = words.split()[:HINT_TOKENS]
    found = []
    for row in rows:
        phrases = [*getattr(row, "hints", []), getattr(row, "name", "")]
        if any(
            phrase and (_contains(words, normalise(phrase)) or _misspelt(tokens, phrase))
            for phrase in phrases
        ):
            found.append(row.id)
    return found


# What hint matching reads of a message (a description of needs can be a paragraph).
HINT_CHARS, HINT_TOKENS = 1500, 250


@lru_cache(maxsize=65536)
def _close(token: str, word: str) -> bool:
    if token == word:
        return True
    if len(word) < 5 or token[:1] != word[:1] or abs(len(token) - len(word)) > 2:
        return False
    matcher = difflib.SequenceMatcher(None, token, word)
    return matcher.quick_ratio() >= 0.8 and matcher.ratio() >= 0.8


def _misspelt(tokens: list[str], phrase: str) -> bool:
    """``phrase`` written with small typos: each of its words (exact when short) in a row."""
    wanted = normalise(phrase).split()
    if not wanted or all(len(word) < 5 for word in wanted):
        return False
    size = len(wanted)
    for start in range(len(tokens) - size + 1):
        if all(_close(tokens[start + i], wanted[i]) for i in range(size)):
            return True
    return False


@lru_cache(maxsize=4096)
def _phrase(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])")


def detect_harm(message: str, knowledge: Knowledge) -> list[str]:
    """The safeguarding concerns (ids of knowledge/safeguarding.yml) a message reports in the
    person's own words, read by the frame reader (assistant/reading/harm.py); [] when it
    reports none or the reader is unsure."""
    reading = read_harm(message)
    if reading.verdict != "harm":
        return []
    known = [concern.id for concern in knowledge.safeguarding.concerns]
    return [concern for concern in known if concern in reading.concerns]


def signs_of_harm(message: str, knowledge: Knowledge) -> bool:
    """Whether a message may point to harm without saying enough: the frame reader is
    unsure ("dipaksa", an injury), or a word stem of knowledge/safeguarding.yml ``signs``."""
    if read_harm(message).verdict != "none":
        return True
    words = normalise(message[:HARM_CHARS])
    return any(sign in words for sign in knowledge.safeguarding.signs)


def denies_harm(message: str, knowledge: Knowledge) -> bool:
    """ "gak ada kekerasan kok", "tidak ada yang dipukul": a harm named only to deny it."""
    return read_harm(message).denied_only


def guess_signals(message: str, knowledge: Knowledge) -> list[str]:
    signals = [signal for _, signal in knowledge.needs.signals().values()]
    return match_hints(message, signals)


def guess_journey(message: str, knowledge: Knowledge) -> str | None:
    """What a sentence asks for, from its words alone (an intent name), for a message the
    NLU could not place: its village's figures, needs, a conflict, a stage, a program, an
    approach, a graduation. None when the words say nothing of these."""
    words = normalise(message)
    if len(words.split()) < 2:
        return None
    said = _lexicon()["journeys"]

    def any_of(phrases: Sequence[str]) -> bool:
        return any(_contains(words, phrase) for phrase in phrases)

    village = said["my_village"]
    if any_of(village["village"]) and any_of(village["figures"]):
        return "my_village"
    if guess_signals(message, knowledge):
        return "describe_needs"
    if any_of(said["report_conflict"]):  # "kabar" alone is not a conflict
        return "report_conflict"
    if any_of(said["ask_stage"]):
        return "ask_stage"
    if find_program(message, knowledge):
        return "ask_program"
    for intent in ("choose_approach", "check_graduation"):
        if any_of(said[intent]):
            return intent
    return None


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
                if len(target) <= 6 and score < 0.9:
                    continue  # a short name is misspelt only exactly: "kenapa" is not "kelapa"
                if score > best_score:
                    best, best_score = item_id, score
    return best if best_score >= 0.8 else None


def find_program(message: str, knowledge: Knowledge) -> str | None:
    programs = knowledge.programs.programs
    named = [(p.id, p.name) for p in programs]
    named += [(p.id, p.full_name) for p in programs]
    # a long word that only one program's name has stands for it ("prakerja")
    words: dict[str, list[str]] = {}
    for program in programs:
        for word in set(normalise(program.name).split()):
            words.setdefault(word, []).append(program.id)
    generic = set(_lexicon()["generic_words"])
    named += [
        (ids[0], word)
        for word, ids in words.items()
        if len(ids) == 1 and len(word) >= 6 and word not in generic
    ]
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
        ("graduasi_keberlanjutan", "keberlanjutan"),
        ("persiapan", "sosialisasi"),
        ("pelaksanaan", "implementasi"),
        ("pelaksanaan", "kegiatan inti"),
        ("monev", "monitoring dan evaluasi"),
        ("asesmen", "pendataan"),
    ]
    return find_named(message, named)


# words that put a stage question before or after the stage named ("tahap apa setelah
# asesmen?", "habis sosialisasi ngapain?")
_AFTER = ("setelah", "stlh", "stelah", "sesudah", "habis", "abis", "selesai", "usai", "lepas",
          "after")
_BEFORE = ("sebelum", "sblm", "sebelumnya", "before")
# "..., tahap selanjutnya apa?" after a stage named: the one after it
_NEXT = ("selanjutnya", "berikutnya", "setelahnya", "sesudahnya", "abis itu", "habis itu",
         "next")
# "urutan tahapan program apa aja": all six
_ALL_STAGES = ("urutan", "semua tahap", "tahapan apa saja", "tahapan apa aja", "tahap apa aja",
               "tahap apa saja", "ada berapa", "dari awal", "all stages")


def find_stage_asked(message: str, knowledge: Knowledge) -> tuple[str | None, str]:
    """The stage a question is about, and how: ``(stage, "itself")``, or the stage after /
    before the one named (``"after"`` / ``"before"``, with the stage named). None when no
    stage is named."""
    words = normalise(message[:MAX_MATCH_CHARS])
    by_order = _stage_by_order(words, knowledge)
    if by_order is not None:
        return by_order, "itself"
    if any(_contains(words, word) for word in _ALL_STAGES) and re.search(r"\btahap", words):
        return None, "all"
    named = find_stage(message, knowledge)
    if named is not None and any(_contains(words, word) for word in _NEXT):
        return named, "after"  # "kalo pelaksanaan udah beres, tahap selanjutnya apa"
    for relation, markers in (("after", _AFTER), ("before", _BEFORE)):
        for marker in markers:
            found = _phrase(marker).search(words)
            if found is None:
                continue
            named = find_stage(words[found.end() :], knowledge)
            if named is not None:
                return named, relation
    return find_stage(message, knowledge), "itself"


_STAGE_NUMBER = re.compile(r"\btahap(?:an)?\s+(?:ke\s*)?([1-9])\b")


def _stage_by_order(words: str, knowledge: Knowledge) -> str | None:
    """ "tahap ke-4", "tahap 2", "tahap keempat": the stage with that number."""
    found = _STAGE_NUMBER.search(words)
    number = int(found.group(1)) if found else None
    if number is None and _contains(words, "tahap"):
        for position, names in _lexicon()["ordinals"].items():
            if any(_contains(words, f"tahap {name}") for name in names):
                number = int(position)
    stages = {s.order: s.id for s in knowledge.stages.stages}
    return stages.get(number) if number else None


def neighbour_stage(stage_id: str, relation: str, knowledge: Knowledge) -> str | None:
    """The stage after or before ``stage_id`` in the guideline's order (None at the ends)."""
    ordered = [s.id for s in sorted(knowledge.stages.stages, key=lambda s: s.order)]
    index = ordered.index(stage_id) + (1 if relation == "after" else -1)
    return ordered[index] if 0 <= index < len(ordered) else None


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
