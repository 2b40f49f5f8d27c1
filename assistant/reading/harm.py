"""Reports of harm in anyone's words: a frame reader (harm_frames.yml).

A report names a harm act and whom or what it touches: a person hit, a child married off or
put to work instead of school, papers or pay held back, money asked for aid, a signature
for aid never received, an older person left without care. The reader finds the acts (by
word, by root through PySastrawi's Indonesian stemmer, or by phrase), checks the frame's
companions within a window of words, and sets aside what only looks like harm: a denial,
an everyday idiom, a question about prevention, a film or a closed case.

``read_harm`` says ``harm`` (with the concerns of knowledge/safeguarding.yml), ``unsure``
(a harm word without its frame: ask the one harm question) or ``none``. Pure and bounded:
at most ``HARM_CHARS`` of a message are read."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

HARM_CHARS = 5000  # a WhatsApp message is at most 4,096 characters
FRAMES_FILE = Path(__file__).with_name("harm_frames.yml")
Verdict = Literal["harm", "unsure", "none"]

# --- the frames file, checked ------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WordClass(_Strict):
    words: list[str] = []
    roots: list[str] = []
    phrases: list[str] = []
    include: list[str] = []
    not_phrases: list[str] = []


class Frame(_Strict):
    id: str
    concern: str
    acts: WordClass
    strong: list[str] = []
    requires: list[list[str]] = Field(min_length=1)
    window: int | None = None
    unsure: bool = False
    # when given, only these acts make the reader unsure (the rest are too common)
    unsure_words: list[str] = []
    idioms: bool = False
    idiom_window: int = 5
    negatable: bool = True
    # phrases that make the act ordinary: always ("excuses"), or unless a class of
    # ``unless`` is in the message ("soft_excuses": "iuran" excuses a levy unless aid is named)
    excuses: list[str] = []
    soft_excuses: list[str] = []
    unless: list[str] = []
    # the companions count only after the act (a complaint, then what was done to the teller)
    after: bool = False
    # ... or only before it (the person a passive act is done to: "adik saya dijual")
    before: bool = False
    not_acts: list[str] = []


class HarmFrames(_Strict):
    window: int = Field(gt=0)
    # the NLU's confidence in report_abuse that, with an unsure reader, gives the protocol
    nlu_confidence: float = Field(gt=0, le=1)
    classes: dict[str, WordClass]
    frames: list[Frame] = Field(min_length=1)
    negations: list[str]
    negation_window: int = Field(gt=0)
    # one word that denies the act right after it ("tidak mengancam", "gak dipukul")
    close_negations: list[str] = []
    # a negation after one of these states a condition ("kalo gak tanda tangan, ...")
    conditions: list[str] = []
    # a place, not an agent, follows these ("dipasung di kandang")
    locatives: list[str] = []
    not_persons: list[str]
    idiom_phrases: list[str]
    time_words: list[str]
    prevention: list[str]
    hypothetical: list[str]
    incident: list[str]
    incident_phrases: list[str]
    prevention_phrases: list[str]
    past_or_fiction: list[str]
    past_or_fiction_phrases: list[str]
    body: list[str]
    vocatives: list[str]

    @model_validator(mode="after")
    def _known_classes(self) -> HarmFrames:
        known = set(self.classes) | COMPUTED
        for name, word_class in self.classes.items():
            unknown = set(word_class.include) - set(self.classes)
            if unknown:
                raise ValueError(f"class {name} includes unknown {sorted(unknown)}")
        for frame in self.frames:
            for required in frame.requires:
                unknown = set(required) - known
                if unknown:
                    raise ValueError(f"frame {frame.id} requires unknown {sorted(unknown)}")
        return self


# classes the reader computes instead of listing words: the act is in the passive voice
# ("dipukul", "kena tampar", "was beaten")
COMPUTED = frozenset({"passive"})
_PASSIVE_BEFORE = frozenset({"kena", "was", "were", "got", "been", "being", "is", "are", "get",
                             "gets", "getting"})


@lru_cache(maxsize=1)
def frames() -> HarmFrames:
    return HarmFrames.model_validate(yaml.safe_load(FRAMES_FILE.read_text(encoding="utf-8")))


# --- words and roots ---------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9']+")
_REPEATED = re.compile(r"\b([a-z]{3,})2\b")  # "dipukul2" -> "dipukul dipukul"
_STRETCHED = re.compile(r"([a-z])\1{2,}")  # "tolooong" -> "tolong"


_CLAUSE = re.compile(r"[.!?;,:\n()\"]+")
# Javanese krama writes its passive prefix apart: "dipun gebugi" is "digebugi"
_KRAMA_PASSIVE = re.compile(r"\bdipun\s+(?=[a-z]{3,})")


def _plain(message: str) -> str:
    text = unicodedata.normalize("NFKD", message[:HARM_CHARS].lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("%", " persen ")
    text = _KRAMA_PASSIVE.sub("di", text)
    return _STRETCHED.sub(r"\1", _REPEATED.sub(r"\1 \1", text))


def _words(text: str) -> list[str]:
    return [w.strip("'") for w in _WORD.findall(text) if w.strip("'")]


def words_of(message: str) -> list[str]:
    """Lowercase words, accents folded ("binè'" -> "bine"), repeated words spelled out."""
    return _words(_plain(message))


def clauses_of(message: str) -> list[int]:
    """For each word of :func:`words_of`, the number of its clause (split at punctuation)."""
    numbers: list[int] = []
    for number, part in enumerate(_CLAUSE.split(_plain(message))):
        numbers += [number] * len(_words(part))
    return numbers


@lru_cache(maxsize=1)
def _stemmer():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


# Informal and regional verb forms PySastrawi does not know: nasal prefixes ("mukul" ->
# "pukul", "nampar" -> "tampar", "nyundut" -> "sundut", "ngegebuk" -> "gebuk") and the
# affixes of Javanese, Sundanese and informal Indonesian ("digebugan", "ditaleni",
# "dikawinke", "dinikahkeun", "dipukulin").
_NASAL = (("nge", ("",)), ("ng", ("", "k", "g")), ("ny", ("s", "c")), ("m", ("p", "b")),
          ("n", ("t", "d")))
_PREFIXES = ("dipun", "dipa", "di", "ka", "ke", "ter", "pa", "e", "ta")
_SUFFIXES = ("keun", "kake", "ake", "aken", "kno", "ne", "ke", "an", "na", "in", "nya", "e",
             "i", "ni", "ken")


@lru_cache(maxsize=65536)
def roots_of(word: str) -> frozenset[str]:
    """The word, its PySastrawi stem, and both without the possessive "-nya" or the
    informal "-in" ("kartunya" -> "kartu", "dipukulin" -> "pukul")."""
    if len(word) < 4 or not word.isalpha():
        return frozenset({word})
    stem = _stemmer().stem
    found = {word, stem(word)}
    for suffix in ("nya", "in"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            found |= {word[: -len(suffix)], stem(word[: -len(suffix)])}
    return frozenset(found)


@lru_cache(maxsize=65536)
def forms_of(word: str) -> frozenset[str]:
    """The possible roots of a verb: :func:`roots_of`, and the stems of the word with an
    informal or regional affix taken off. Candidates only: an act matches when one of
    them is a listed root, so the looser forms are used for acts, never for the persons
    and things around them."""
    if len(word) < 4 or not word.isalpha():
        return frozenset({word})
    stem = _stemmer().stem
    found = set(roots_of(word))
    cores = {word}
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 4:
            cores.add(word[len(prefix) :])
    for core in list(cores):
        for suffix in _SUFFIXES:
            if core.endswith(suffix) and len(core) - len(suffix) >= 3:
                cores.add(core[: -len(suffix)])
    for core in list(cores):
        for prefix, replacements in _NASAL:
            if core.startswith(prefix) and len(core) - len(prefix) >= 3:
                cores.update(r + core[len(prefix) :] for r in replacements)
    found |= cores
    found |= {stem(core) for core in cores if len(core) >= 4}
    return frozenset(found)


# --- matching ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Compiled:
    words: frozenset[str]
    roots: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]
    not_phrases: tuple[tuple[str, ...], ...]

    # a word also matches when one of its roots is a listed word or root
    # ("kartunya" -> "kartu", "gajinya" -> "gaji")
    any_root: frozenset[str] = frozenset()


def _phrase_tuple(text: str) -> tuple[str, ...]:
    return tuple(words_of(text))


def _compile(word_class: WordClass, classes: dict[str, WordClass]) -> _Compiled:
    words, roots, phrases, not_phrases = set(), set(), [], []
    for included in [word_class, *(classes[name] for name in word_class.include)]:
        for item in included.words:
            parts = _phrase_tuple(item)
            (words.add(parts[0]) if len(parts) == 1 else phrases.append(parts)) if parts else None
        roots |= {r.lower() for r in included.roots}
        phrases += [p for p in map(_phrase_tuple, included.phrases) if p]
        not_phrases += [p for p in map(_phrase_tuple, included.not_phrases) if p]
    return _Compiled(
        frozenset(words), frozenset(roots), tuple(phrases), tuple(not_phrases),
        frozenset(words | roots),
    )


def _spans(
    tokens: Sequence[str], compiled: _Compiled, verbs: bool = False
) -> list[tuple[int, int]]:
    """(start, end) of every match in ``tokens``; words covered by a ``not_phrases`` entry
    do not match."""
    blocked: set[int] = set()
    for phrase in compiled.not_phrases:
        for start in _phrase_starts(tokens, phrase):
            blocked.update(range(start, start + len(phrase)))
    found = []
    for index, token in enumerate(tokens):
        if index in blocked:
            continue
        forms = forms_of(token) if verbs else roots_of(token)
        if token in compiled.words or forms & compiled.any_root:
            found.append((index, index + 1))
    for phrase in compiled.phrases:
        found += [(s, s + len(phrase)) for s in _phrase_starts(tokens, phrase) if s not in blocked]
    return found


def _phrase_starts(tokens: Sequence[str], phrase: tuple[str, ...]) -> Iterable[int]:
    size = len(phrase)
    for start in range(len(tokens) - size + 1):
        if tuple(tokens[start : start + size]) == phrase:
            yield start


_AGE = re.compile(
    r"\b(?:umur|usia|umurnya|usianya|umurku|usiaku|age|aged|umure|yuswa|umurna|yuswana|"
    r"i am|im|i m|only|baru|masih|cuma|isih|lagi|taksih|just)\s*(\d{1,2})\b"
    r"|\b(\d{1,2})\s*(?:th|thn|tahun|taun|tahunan|years?|yrs?|yo|taon|warsa|tahon|taunan)\b"
    r"|\banak\w*\s+(\d{1,2})\b(?!\s*(?:orang|org|anak|kk|kpm|rb|ribu|jt|juta))"
    r"|\b(?:kelas|kls|grade)\s*(\d{1,2})\b"
)
_GRADE_GROUP = 4
# amounts of money written as one word: "200rb", "50k", "1jt", "rp50"
_AMOUNT = re.compile(r"^(?:rp\d[\d.]*|\d+(?:rb|ribu|rebu|k|jt|juta|an|ewu|ebu))$")


def _ages(tokens: Sequence[str], persons: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
    """(token index, age) of every age written as a number; a school grade counts as the
    age of a child in it ("kelas 8" -> 14). "12 tahun" is an age only next to a person
    ("anak 12 tahun", "gadis 15th", "a 14-year-old girl"), not a duration ("jalan 5 tahun")."""
    text = " ".join(tokens)
    offsets, position = [], 0
    for token in tokens:  # character offset of each token in ``text``
        offsets.append(position)
        position += len(token) + 1
    ages = []
    for match in _AGE.finditer(text):
        group = next(g for g in range(1, _GRADE_GROUP + 1) if match.group(g))
        start = match.start(group)
        index = max(i for i, offset in enumerate(offsets) if offset <= start)
        if group == 2:
            near = set(tokens[max(0, index - 2) : index]) | set(tokens[index + 2 : index + 4])
            if not near & persons and "old" not in near:
                continue
        value = int(match.group(group))
        ages.append((index, value + 6 if group == _GRADE_GROUP else value))
    return ages


@dataclass
class _Reading:
    tokens: list[str]
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


@dataclass(frozen=True)
class HarmReading:
    """What the reader made of a message."""

    verdict: Verdict
    concerns: tuple[str, ...] = ()  # ids of knowledge/safeguarding.yml, in frame order
    frames: tuple[str, ...] = ()  # the frames that fired
    set_aside: tuple[str, ...] = ()  # why harm words were not taken: negated, idiom, ...
    denied_only: bool = False  # harm words present, every one denied ("gak ada yg dipukul")
    acts: tuple[str, ...] = ()  # "frame:words" that fired (harm) or made it unsure


@lru_cache(maxsize=1)
def _compiled() -> tuple[dict[str, _Compiled], dict[str, tuple[_Compiled, _Compiled]]]:
    table = frames()
    classes = {name: _compile(c, table.classes) for name, c in table.classes.items()}
    acts = {
        frame.id: (
            _compile(frame.acts, table.classes),
            _compile(WordClass(words=frame.strong), table.classes),
        )
        for frame in table.frames
    }
    return classes, acts


def _any_phrase(tokens: Sequence[str], phrases: Iterable[str]) -> bool:
    return any(any(True for _ in _phrase_starts(tokens, _phrase_tuple(p))) for p in phrases)


def _guard(tokens: list[str], table: HarmFrames) -> str | None:
    """A reason that sets every harm word of the message aside, or None: a question about
    prevention, a campaign or a definition with nothing that says it happened; news, a
    film, a role-play or a case already closed."""
    said = set(tokens)
    incident = bool(said & set(table.incident)) or _any_phrase(tokens, table.incident_phrases)
    roots = {root for token in tokens for root in roots_of(token)}
    topic = bool(roots & set(table.prevention)) or _any_phrase(tokens, table.prevention_phrases)
    if topic and not incident:
        return "prevention"
    in_phrases: set[int] = set()
    for phrase in table.past_or_fiction_phrases:
        parts = _phrase_tuple(phrase)
        for start in _phrase_starts(tokens, parts):
            in_phrases.update(range(start, start + len(parts)))
    fiction = bool(said & set(table.past_or_fiction)) or bool(in_phrases)
    # "now" inside "the file is closed now" closes; elsewhere it says it goes on
    ongoing = {
        t for i, t in enumerate(tokens) if i not in in_phrases
    } & {"sekarang", "masih", "lagi", "now", "still"}
    if fiction and not ongoing:
        return "past_or_fiction"
    return None


def _hypothetical(tokens: list[str], table: HarmFrames) -> bool:
    """ "kalau ada peserta yang dipukul, ...": a question about a case that may not have
    happened; the reader asks instead of answering with the protocol."""
    said = set(tokens)
    incident = bool(said & set(table.incident)) or _any_phrase(tokens, table.incident_phrases)
    return _any_phrase(tokens, table.hypothetical) and not incident


@lru_cache(maxsize=1)
def _person_words() -> frozenset[str]:
    table = frames().classes
    return frozenset(
        word
        for name in ("person", "child_strict", "child_loose", "vulnerable")
        for word in table[name].words
    )


def read_harm(message: str) -> HarmReading:
    """Harm, unsure or none: see the module's docstring."""
    tokens = words_of(message)
    if not tokens:
        return HarmReading("none")
    table = frames()
    classes, acts = _compiled()
    spans = {name: _spans(tokens, compiled) for name, compiled in classes.items()}
    ages = _ages(tokens, _person_words())
    minors = [(i, i + 1) for i, age in ages if age < 18]
    if ages and not minors:  # every age written is an adult's: "anak" is a grown child
        spans["child_loose"] = [s for s in spans["child_loose"] if s in spans["child_strict"]]
        spans["child_strict"] = [s for s in spans["child_strict"] if tokens[s[0]] != "anak"]
    spans["child_strict"] = spans["child_strict"] + minors
    spans["child_loose"] = spans["child_loose"] + minors
    spans["money"] = spans["money"] + [
        (i, i + 1) for i, token in enumerate(tokens) if _AMOUNT.match(token)
    ]

    idiom_tokens: set[int] = set()
    for phrase in table.idiom_phrases:
        parts = _phrase_tuple(phrase)
        for start in _phrase_starts(tokens, parts):
            idiom_tokens.update(range(start, start + len(parts)))
    negations = [_phrase_tuple(n) for n in table.negations]
    clauses = clauses_of(message)
    persons_at = {
        i
        for name in ("person", "staff", "perpetrator", "vulnerable", "child_loose")
        for s, e in spans[name]
        for i in range(s, e)
        if tokens[i] not in table.vocatives
    }
    hypothetical = _hypothetical(tokens, table)

    guard = _guard(tokens, table)
    fired: list[Frame] = []
    set_aside: list[str] = []
    unsure = found_any = False
    denied_all = True
    acts_fired: list[str] = []
    acts_unsure: list[str] = []
    for frame in table.frames:
        act_spans = _spans(tokens, acts[frame.id][0], verbs=True)
        strong_spans = set(_spans(tokens, acts[frame.id][1]))
        blocked: set[int] = set()
        for phrase in frame.not_acts:
            parts = _phrase_tuple(phrase)
            for start in _phrase_starts(tokens, parts):
                blocked.update(range(start, start + len(parts)))
        window = frame.window or table.window
        for start, end in sorted(set(act_spans) | strong_spans):
            if start in blocked:
                continue
            if start in idiom_tokens or (
                tokens[start] in table.time_words
                and end < len(tokens)
                and tokens[end].isdigit()
            ):
                set_aside.append("idiom")
                continue
            if frame.idioms and _idiom(tokens, clauses, (start, end), frame, table, persons_at):
                set_aside.append("idiom")
                continue
            found_any = True
            before = tokens[max(0, start - table.negation_window) : start]
            if frame.negatable and not _conditional(tokens, start, table) and (
                any(any(True for _ in _phrase_starts(before, n)) for n in negations if n)
                or (start > 0 and tokens[start - 1] in table.close_negations)
            ):
                set_aside.append("negated")
                continue
            denied_all = False
            if guard is not None:
                set_aside.append(guard)
                continue
            if _any_phrase(tokens, frame.excuses) or (
                _any_phrase(tokens, frame.soft_excuses)
                and not any(spans[name] for name in frame.unless)
            ):
                set_aside.append("excused")
                continue
            if (start, end) in strong_spans or _completed(
                frame, (start, end), spans, tokens, window
            ):
                if hypothetical:
                    unsure = True
                    set_aside.append("hypothetical")
                    break
                fired.append(frame)
                acts_fired.append(f"{frame.id}:{' '.join(tokens[start:end])}")
                break
            if frame.unsure and (
                not frame.unsure_words or " ".join(tokens[start:end]) in frame.unsure_words
            ):
                unsure = True
                acts_unsure.append(f"{frame.id}:{' '.join(tokens[start:end])}")
    if fired:
        concerns = tuple(dict.fromkeys(frame.concern for frame in fired))
        return HarmReading(
            "harm",
            concerns,
            tuple(f.id for f in fired),
            tuple(dict.fromkeys(set_aside)),
            acts=tuple(acts_fired),
        )
    return HarmReading(
        "unsure" if unsure else "none",
        set_aside=tuple(dict.fromkeys(set_aside)),
        denied_only=found_any and denied_all,
        acts=tuple(acts_unsure),
    )


def _conditional(tokens: Sequence[str], start: int, table: HarmFrames) -> bool:
    """The negation right before the act follows "kalau"/"if": "kalo gak tanda tangan,
    nanti dipersulit" states a condition, it denies nothing."""
    before = tokens[max(0, start - 3) : start]
    return any(
        word in table.close_negations and i > 0 and before[i - 1] in table.conditions
        for i, word in enumerate(before)
    )


def _idiom(
    tokens: Sequence[str],
    clauses: Sequence[int],
    act: tuple[int, int],
    frame: Frame,
    table: HarmFrames,
    persons_at: set[int],
) -> bool:
    """A harm word used of a thing, not a person: in its clause, the first of the nouns
    before it is a thing ("harga cabai ... mencekik", "usaha tahu bapa ... babak belur"),
    or a passive one is done by a thing ("diancam hujan", "dihajar kemarau")."""
    start, end = act
    clause = clauses[start] if start < len(clauses) else -1
    things = set(table.not_persons)
    for index in range(max(0, start - frame.idiom_window), start):
        if clauses[index] != clause:
            continue
        if tokens[index] in things:
            return True
        if index in persons_at:
            break
    following = [i for i in range(end, min(len(tokens), end + 2)) if clauses[i] == clause]
    if tokens[start].startswith("di"):  # done by a thing, not in a place: "diancam hujan"
        return any(
            tokens[i] in things
            and not persons_at & set(range(end, i))
            and not set(table.locatives) & set(tokens[end:i])
            for i in following
        )
    # an active act whose object is a thing: "bisa bunuh usaha kita", "nendang bola"
    return end < len(tokens) and clauses[end] == clause and tokens[end] in things


def _completed(
    frame: Frame,
    act: tuple[int, int],
    spans: dict[str, list[tuple[int, int]]],
    tokens: Sequence[str],
    window: int,
) -> bool:
    start, end = act
    low = end if frame.after else start - window
    high = start if frame.before else end + window

    def near(name: str) -> bool:
        if name == "passive":
            word = tokens[start]
            return (word.startswith("di") and len(word) > 4) or (
                start > 0 and tokens[start - 1] in _PASSIVE_BEFORE
            )
        return any(
            s < high and e > low and not (s >= start and e <= end) for s, e in spans[name]
        )

    return any(all(near(name) for name in required) for required in frame.requires)
