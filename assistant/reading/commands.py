"""Follow-up commands typed in chat, read word by word: "selesai 12", "tgs 12 beres",
"tunda 12 3 hari, ibunya sakit", "setujui 12", "acc 12", "tolak 12 karena ...",
"evaluasi lagi 12", "rujukan 5 diterima", "persetujuan", "langganan ringkasan",
"berhenti langganan", "laporan terbuka", "tutup laporan 3 sudah dirujuk". The words are data
(``lexicon.yml``, ``commands``). Pure: text in, a :class:`Command` (or None) out; the
message is cut to ``MAX_COMMAND_CHARS`` first, and numbers longer than ``MAX_DIGITS`` are
not read as numbers, so any input is read in bounded time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from assistant.reading.words import _lexicon

MAX_COMMAND_CHARS = 1000
MAX_DIGITS = 9
VERBS = (
    "reports",
    "referral",
    "again",
    "reject",
    "approve",
    "postpone",
    "done",
    "queue",
)
# the verbs that need no number (the subscription ones are read apart from VERBS)
LISTS = ("queue", "subscribe", "unsubscribe", "reports")
CLOSE_REPORT = "close_report"
# the verbs whose number names a waiting case (the sign-off) rather than a task
SIGN_OFF_VERBS = ("approve", "reject", "again")

_TOKEN = re.compile(r"\d+|[^\W\d_]+")


@dataclass(frozen=True)
class Command:
    """What a message asks: ``verb`` (one of ``VERBS``, or ``CLOSE_REPORT``), the number it
    names (a task, a case, a referral or a safeguarding report; None when none was
    written), and for a postponement its days, for a rejection or a postponement the
    reason, for a closed report the action taken, for a referral the new status."""

    verb: str
    number: int | None = None
    days: int | None = None
    reason: str = ""
    status: str | None = None
    # a referral without a status names the program to refer to (set by the caller, which
    # knows the programs: "rujuk 12 ke PKH")
    program: str | None = None


@dataclass(frozen=True)
class _Token:
    word: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _words() -> dict[str, Any]:
    return dict(_lexicon()["commands"])


def _phrases(names: list[str]) -> list[list[str]]:
    """Phrases as word lists, longest first."""
    split = [name.lower().split() for name in names]
    return sorted(split, key=len, reverse=True)


def _find(tokens: list[_Token], phrases: list[list[str]]) -> tuple[int, int] | None:
    """The first place (start, end token index) where one of ``phrases`` is said."""
    words = [t.word for t in tokens]
    best: tuple[int, int] | None = None
    for phrase in phrases:
        size = len(phrase)
        for i in range(len(words) - size + 1):
            if words[i : i + size] == phrase:
                if best is None or i < best[0]:
                    best = (i, i + size)
                break
    return best


def _reduplication(message: str, start: int, end: int) -> bool:
    """A "2" that writes a word twice ("ibu2", "dua2nya", "anak2nya"), not a number: digits
    glued to the letters before them and followed by letters, or a lone 2 after letters
    ("tunda12" and "selesai12" stay numbers)."""
    if not message[start].isdigit() or start == 0 or not message[start - 1].isalpha():
        return False
    after = message[end] if end < len(message) else ""
    return after.isalpha() or message[start:end] == "2"


def _number(token: _Token) -> int | None:
    if token.word.isdigit() and len(token.word) <= MAX_DIGITS:
        return int(token.word)
    return None


def _number_word(token: _Token) -> int | None:
    value = _number(token)
    if value is not None:
        return value
    for number, names in _lexicon()["ordinals"].items():
        if token.word in names:
            return int(number)
    return None


def _duration(tokens: list[_Token], skip: set[int]) -> tuple[int, int, int] | None:
    """Days of a postponement: (days, first token, last token + 1), or None."""
    words = _words()
    units = (
        (words["day_units"], 1),
        (words["week_units"], 7),
        (words["month_units"], 30),
    )
    for i, token in enumerate(tokens):
        if i in skip:
            continue
        for days, names in words["durations"].items():
            if token.word in names:
                return int(days), i, i + 1
        count = _number_word(token)
        if count is not None and i + 1 < len(tokens):
            following = tokens[i + 1].word
            for names, size in units:
                if following in names:
                    return count * size, i, i + 2
    return None


def _reason(message: str, tokens: list[_Token], after: int) -> str:
    """The free text after token ``after`` (exclusive), without the words that open it."""
    if after >= len(tokens):
        return ""
    openers = {w.lower() for w in _words()["reason_openers"]}
    rest = tokens[after:]
    while rest and rest[0].word in openers:
        rest = rest[1:]
    if not rest:
        return ""
    return message[rest[0].start :].strip(" \t\r\n,.;:-–—()")


def read_command(message: str) -> Command | None:
    """The follow-up command of a chat message, or None when it names none."""
    return _read((message or "")[:MAX_COMMAND_CHARS])


@lru_cache(maxsize=256)
def _read(message: str) -> Command | None:
    """Remembered, on the cut message (so the cache holds at most 256 short strings): one
    message is read by several steps of a turn (the harm net, the command net, the
    follow-up action), and a Command is immutable."""
    lowered = message.lower()
    tokens = [
        _Token(m.group(0), m.start(), m.end())
        for m in _TOKEN.finditer(lowered)
        if not _reduplication(lowered, m.start(), m.end())
    ]
    words = _words()
    closing = _close_report(message, tokens)
    if closing is not None:
        return closing
    said = {t.word for t in tokens}
    if said & set(words["subscription_words"]):
        stopping = said & set(words["stopping_words"])
        return Command("unsubscribe" if stopping else "subscribe")
    if said & set(words["report_words"]) and said & set(words["open_words"]):
        return Command("reports")
    found: tuple[str, tuple[int, int]] | None = None
    for verb in VERBS:
        place = _find(tokens, _phrases(words["verbs"][verb]))
        if place is None:
            continue
        if verb == "done" and place[0] > 0 and tokens[place[0] - 1].word in words["negations"]:
            continue
        found = (verb, place)
        break
    numbers = [i for i, t in enumerate(tokens) if _number(t) is not None]
    if found is None:
        if numbers and any(mark in message for mark in words["done_marks"]):
            first = numbers[0]
            return Command("done", _number(tokens[first]))
        return None
    verb, (start, end) = found
    if verb == "postpone":
        return _postpone(message, tokens, numbers, end)
    number_at = numbers[0] if numbers else None
    number = _number(tokens[number_at]) if number_at is not None else None
    consumed = max(end, (number_at + 1) if number_at is not None else 0)
    if verb == "referral":
        status = None
        for name, phrases in words["referral_status"].items():
            place = _find(tokens[end:], _phrases(phrases))
            if place is not None:
                status = name
                break
        return Command("referral", number, status=status)
    if verb in LISTS:
        return Command(verb, number)
    if verb in SIGN_OFF_VERBS:
        return Command(verb, number, reason=_reason(message, tokens, consumed))
    return Command(verb, number)


def _close_report(message: str, tokens: list[_Token]) -> Command | None:
    """"tutup laporan 3 sudah dirujuk ke UPTD PPA", "laporan no 3 ditutup, ...": a report
    word, its number (maybe after "no"), and a closing word just before the report word or
    just after the number; the action taken is what follows."""
    words = _words()
    reports = set(words["report_words"])
    closers = set(words["close_words"])
    marks = set(words["number_marks"])
    for i, token in enumerate(tokens):
        if token.word not in reports:
            continue
        before = i > 0 and tokens[i - 1].word in closers
        at = i + 1
        while at < len(tokens) and tokens[at].word in marks:
            at += 1
        if at >= len(tokens) or _number(tokens[at]) is None:
            if before:  # "tutup laporan": which one is asked next
                return Command(CLOSE_REPORT)
            continue
        after = at + 1 < len(tokens) and tokens[at + 1].word in closers
        if before or after:
            consumed = at + 2 if after else at + 1
            return Command(
                CLOSE_REPORT, _number(tokens[at]), reason=_reason(message, tokens, consumed)
            )
    return None


def _postpone(message: str, tokens: list[_Token], numbers: list[int], verb_end: int) -> Command:
    """"tunda 12 3 hari, ibunya sakit": the task is the first number that is not a
    duration; the days are the duration (or a second bare number right after the task);
    the reason is what follows."""
    duration = _duration(tokens, set())
    duration_span = set(range(duration[1], duration[2])) if duration else set()
    task_at = next((i for i in numbers if i not in duration_span), None)
    days = duration[0] if duration else None
    consumed = max(
        verb_end,
        (task_at + 1) if task_at is not None else 0,
        duration[2] if duration else 0,
    )
    if days is None and task_at is not None:
        following = task_at + 1
        if following < len(tokens) and _number(tokens[following]) is not None:
            days = _number(tokens[following])
            consumed = max(consumed, following + 1)
    number = _number(tokens[task_at]) if task_at is not None else None
    return Command("postpone", number, days=days, reason=_reason(message, tokens, consumed))
