"""Reading answers written inside whole sentences, the way people type them on WhatsApp:
an amount of money ("pendapatannya 2,8 juta sebulan"), a yes or a no ("iya udah berubah
kok"), and picks from a numbered list ("yg kedua", "modal sama pemasaran").

Pure functions. The words are data, in ``lexicon.yml`` (read once; the keys ``yes_no``,
``amount`` and ``choice``, on top of ``ya``/``tidak``/``ordinals``). Only the first
``MAX_MATCH_CHARS`` characters of a message are looked at, so a 4 KB message costs no more
than a short one, and nothing a person types raises. Only ASCII digits are digits: "٣" and
"３" are not read as numbers.

Judgement calls (each one is tested in tests/unit/test_reading.py)
------------------------------------------------------------------
Amounts, ``read_amount`` (``Amount.rupiah`` is per month):

- Certain: a number with a money unit ("750rb", "2,8 juta", "2,5 jeti", "2 jt 500 rb") or
  with "Rp"/"rupiah" ("Rp 2.750.000,-"), and a plain number of 100,000 or more, with or
  without thousands separators ("2500000", "2.500.000").
- "-an" ("3 juta-an", "1.250.000-an") keeps it certain, like "sekitar": an estimate.
- "sekitar", "kira-kira", "kurang lebih", "rata-rata", "kisaran" keep it certain: an
  estimate of the usual monthly income is what the forms ask for, and confirming every
  "sekitar" would nag (``amount.neutral``).
- Uncertain, so the form confirms: spelled-out numbers ("dua setengah juta", "sejuta",
  "satu koma lima juta"); a hedge at most two words from the amount ("2jt lebih",
  "hampir 3 juta", "kayaknya 3 juta", ``amount.hedges``); a unit made plural ("jutaan");
  words anywhere in the message saying the income changes ("ga nentu", "kadang",
  "tergantung", ``amount.varies``); a range or an either-or ("2-3 juta", "kadang 2
  kadang 3 juta"); two different amounts ("dari 2 jt naik jadi 3 jt": the last one is
  read; the same amount twice is one amount, read where it is written best); an amount
  per week, day or year (converted to a month: week x 52/12, day x 30, year / 12, and
  ``period`` says what was said); an amount for several periods ("600rb per 3 bulan" is
  Rp 200.000 a month); a plain number from 1,000 to 99,999 ("2500", "2.500": perhaps
  thousands were meant); a unit after three decimals ("1.500 rb" is read as 1,5 juta,
  "2.500 jt" as 2,5 juta); three digits after millions ("2jt500" is 2,5 juta).
- Not amounts (None): plain numbers below 1,000 ("3", "anaknya 3"); spelled numbers
  without a money unit ("tiga", "tiga anak"); a plain number right after "tahun", "no",
  "umur", "tgl", "rt", "jam" and the like (``amount.not_money_after``); a plain 4-digit
  year 1900-2100 ("sejak 2019"); a plain number below 100,000 right before a counted noun
  ("5000 orang"); a plain number with a leading zero; dates ("27/11/2026", "2026-11-27");
  percentages ("20%", "20 persen"); phone numbers (10+ digits starting with 0, 62 or +62,
  also in groups: "0812-3456-7890") and NIKs (16 digits, also in groups of 4 or 6-6-4).
- More than ``MAX_RUPIAH`` a month: ``read_amount`` gives None and ``too_large`` True, so
  the form can say "terlalu besar" rather than "tidak terbaca". "Rp 0" is an amount of 0.

Yes or no, ``read_yes_no``:

- The first answer word decides, but acknowledgements ("ya", "iya", "ok", "yes", "sip",
  ``yes_no.weak``) count only when no other answer word is there: "ya belum" is no (the
  content wins over a leading "ya"), "ok sip" is yes.
- "udah"/"sudah" straight before a no word means "no longer": "udah gak ada" is no; with a
  comma between ("udah, gak ada masalah") the "udah" answers.
- A no word before "salah lagi", "main", "diragukan", "ragu" is emphasis, not an answer:
  "tidak salah lagi", "bukan main", "gak diragukan lagi" are yes (``yes_no.yes_after_no``).
- Doubt anywhere makes the answer unclear (None): "gak tau", "belum tahu", "ga yakin",
  "entah", "mungkin" (also "mungkin iya": a guess is not an answer), "hmm", and questions
  back ("kenapa", "maksudnya", "siapa yang tidak mau"); so does any message ending in "?".
- Softeners change nothing: "kayaknya iya" is yes, "insyaallah sudah" is yes.
- "aman" is no (the yes/no questions ask about harm: "aman kok" = nothing happened).

Choices, ``read_choice`` and ``read_choices``:

- A message that is an option's id, label or synonym (fillers like "aja" aside) picks it.
- Numbers (digits, "dua", "kedua") are picks when the message is only numbers, fillers and
  connectors ("2", "2.", "2)", "1 dan 3", "satu sama tiga"), right after "no", "nomor",
  "pilih", "yg", "ke" ("no 2", "yg ke-3"), or between other picks; ordinals ("kedua") are
  picks anywhere. A number that belongs to something else ("2 juta", "dua orang") is not.
  "1-3" and "1 sampai 3" are 1, 2 and 3; "terakhir" is the last one.
- Words: an option is picked when its id, label or a synonym appears in the message, or one
  of its own words (4+ letters, used by no other option, not a stopword); words of 5+
  letters also with a typo (difflib ratio >= 0.85).
- ``read_choice``: one pick, else None (two different numbers, two options tied, a number
  outside 1..len(options)).
- ``read_choices``: the picks in the order written; "semua" is every option, "semua kecuali
  2" all but the second ("belum semua" is not all); "keduanya" is both when there are two;
  "tidak ada", "gak ada", "0" alone is [] (and "gak ada" with picks is those picks: "gak ada
  modal" names a need); None when nothing is recognised or a number is out of range.
  ``read_choice`` gives None for "semua" and "keduanya".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from assistant.common.errors import InputError
from assistant.common.limits import MAX_MATCH_CHARS, MAX_MATCH_TOKENS, MAX_RUPIAH
from assistant.common.money import bounded_rupiah

__all__ = [
    "PERIODS",
    "Amount",
    "Option",
    "read_amount",
    "read_choice",
    "read_choices",
    "read_yes_no",
    "too_large",
]

PERIODS = ("bulan", "minggu", "hari", "tahun")


@dataclass(frozen=True)
class Amount:
    """An amount of money a person wrote, as whole rupiah per month."""

    rupiah: int  # per month, whole rupiah, 0 <= rupiah <= MAX_RUPIAH
    certain: bool  # False: the form should confirm ("Rp 2.800.000 per bulan, betul?")
    period: str = "bulan"  # what the person said: "bulan", "minggu", "hari", "tahun"


@dataclass(frozen=True)
class Option:
    """One entry of a numbered list: its id, the label shown, and other names for it."""

    id: str
    label: str
    synonyms: tuple[str, ...] = ()


# --- shared ------------------------------------------------------------------------------

_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_REPEATS = re.compile(r"([a-z])\1+")


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, Any]:
    return yaml.safe_load(Path(__file__).with_name("lexicon.yml").read_text(encoding="utf-8"))


def _clip(message: object) -> str:
    """The part of ``message`` that is read: its first characters, lower case, each line
    break a ";" and other control characters a space."""
    if not isinstance(message, str):
        return ""
    text = _LINE_BREAKS.sub(" ; ", message[:MAX_MATCH_CHARS].lower())
    return _CONTROL.sub(" ", text)


def _collapse(word: str) -> str:
    """``word`` with repeated letters once: "iyaaa" and "iyaa" both read as "iya"."""
    return _REPEATS.sub(r"\1", word)


def _words(entries: Iterable[Any]) -> list[str]:
    return [str(entry) for entry in entries]


class _Phrases:
    """Phrases (tuples of words), each with a value, found at a position in a list of words;
    the longest phrase starting there wins."""

    def __init__(self, phrases: Iterable[tuple[tuple[str, ...], Any]]) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], Any]]] = {}
        for words, value in phrases:
            if words:
                self._by_first.setdefault(words[0], []).append((words, value))
        for entries in self._by_first.values():
            entries.sort(key=lambda entry: -len(entry[0]))

    def at(self, words: Sequence[str], start: int) -> tuple[int, Any] | None:
        """(end, value) of the longest phrase starting at ``start``, or None."""
        for phrase, value in self._by_first.get(words[start], ()):
            end = start + len(phrase)
            if tuple(words[start:end]) == phrase:
                return end, value
        return None

    def spans(
        self, words: Sequence[str], skip: Sequence[bool] | None = None
    ) -> list[tuple[int, int, Any]]:
        """Every phrase in ``words``, left to right, not overlapping, none touching a word
        marked in ``skip``."""
        found: list[tuple[int, int, Any]] = []
        start = 0
        while start < len(words):
            match = self.at(words, start)
            if match is not None and not (skip and any(skip[start : match[0]])):
                found.append((start, match[0], match[1]))
                start = match[0]
            else:
                start += 1
        return found


# --- amounts -----------------------------------------------------------------------------

# Blocked before reading (each becomes one "\x00" token): things made of digits that are not
# money. A NIK (16 digits, perhaps in groups), a phone number (10+ digits from 0, 62 or +62,
# perhaps in groups), a date, a percentage.
_NIK = re.compile(
    r"(?<![0-9.,])(?:[0-9]{16}|[0-9]{4}([ .\-])[0-9]{4}\1[0-9]{4}\1[0-9]{4}"
    r"|[0-9]{6}([ .\-])[0-9]{6}\2[0-9]{4})(?![0-9]|[.,][0-9])"
)
_PHONE = re.compile(
    r"(?:\+\s?62[ \-]?|(?<![0-9.,+])62|(?<![0-9.,+])0)[0-9]+(?:[ \-][0-9]{3,4}(?![0-9]))*"
)
_DATE = re.compile(
    r"(?<![0-9.,])(?:[0-9]{1,4}([/.\-])[0-9]{1,2}\1[0-9]{1,4}|[0-9]{1,2}/[0-9]{1,2})"
    r"(?![0-9])"
)
_PERCENT = re.compile(r"[0-9]+(?:[.,][0-9]+)*\s*(?:%|(?:persen|prsn|pct|percent)(?![a-z]))")
_BLOCK = " \x00 "

_AMOUNT_TOKEN = re.compile(
    r"(?P<block>\x00)"
    r"|(?P<num>[0-9]+(?:[.,][0-9]+)*(?:,-|\.-)?)"
    r"|(?P<word>[a-z]{3,}2(?![0-9]|[.,][0-9])|[a-z]+)"
    r"|(?P<sym>\S)"
)
_ONE_SEPARATOR = re.compile(r"([0-9]+)[.,]([0-9]+)")
_THOUSANDS_DOT = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?")
_THOUSANDS_COMMA = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_DECIMAL = re.compile(r"[0-9]+(?:[.,][0-9]+)?")
# Punctuation that ends what is said about one amount.
_SENTENCE_END = frozenset({".", ";", "!", "?", "\x00"})
_CLAUSE_END = _SENTENCE_END | {",", "(", ")", ":"}
_MILLION = Decimal(1_000_000)
_THOUSANDS_LEFT = re.compile(r"[1-9][0-9]{2}")
_WINDOW = 2  # words between an amount and its hedge or its period, at most
_PLAIN_CERTAIN = 100_000  # plain numbers from here are money without a unit
_PLAIN_SMALLEST = 1_000  # plain numbers below this are not money without a unit
_PER_MONTH = {"bulan": (1, 1), "minggu": (52, 12), "hari": (30, 1), "tahun": (1, 12)}


def _amount_tokens(text: str) -> list[str]:
    """Words, numbers and single symbols; each blocked span is one "\x00"."""
    return [match.group() for match in _AMOUNT_TOKEN.finditer(text)]


def _amount_phrases(entries: Iterable[Any], value: Any = True) -> list[tuple[tuple[str, ...], Any]]:
    return [(tuple(_amount_tokens(str(entry).lower())), value) for entry in entries]


@dataclass(frozen=True)
class _AmountWords:
    units: dict[str, Decimal]
    one_unit: dict[str, Decimal]
    currency_before: frozenset[str]
    currency_after: frozenset[str]
    digits: dict[str, int]
    whole: dict[str, int]
    teens: frozenset[str]
    tens: frozenset[str]
    hundreds: frozenset[str]
    half: frozenset[str]
    point: frozenset[str]
    neutral: _Phrases
    hedges: _Phrases
    varies: _Phrases
    range_words: frozenset[str]
    periods: _Phrases
    per_words: frozenset[str]
    period_words: dict[str, str]
    not_money_after: frozenset[str]
    counted_nouns: frozenset[str]


@lru_cache(maxsize=1)
def _amount_words() -> _AmountWords:
    lexicon = _lexicon()
    words = lexicon["amount"]
    no_words = _words(lexicon["tidak"]) + _words(lexicon["yes_no"]["no"])
    varies = _amount_phrases(words["varies"])
    varies += [
        ((no, after), True)
        for no in no_words
        for after in _words(words["varies_after_no"])
        if " " not in no
    ]
    periods: list[tuple[tuple[str, ...], Any]] = []
    for period, phrases in words["periods"].items():
        periods += _amount_phrases(phrases, str(period))
    return _AmountWords(
        units={str(k): Decimal(v) for k, v in words["units"].items()},
        one_unit={str(k): Decimal(v) for k, v in words["one_unit"].items()},
        currency_before=frozenset(_words(words["currency_before"])),
        currency_after=frozenset(_words(words["currency_after"])),
        digits={str(k): int(v) for k, v in words["digits"].items()},
        whole={str(k): int(v) for k, v in words["whole"].items()},
        teens=frozenset(_words(words["teens"])),
        tens=frozenset(_words(words["tens"])),
        hundreds=frozenset(_words(words["hundreds"])),
        half=frozenset(_words(words["half"])),
        point=frozenset(_words(words["point"])),
        neutral=_Phrases(_amount_phrases(words["neutral"])),
        hedges=_Phrases(_amount_phrases(words["hedges"])),
        varies=_Phrases(varies),
        range_words=frozenset(_words(words["range_words"])),
        periods=_Phrases(periods),
        per_words=frozenset(_words(words["per_words"])),
        period_words={
            str(word): str(period)
            for period, names in words["period_words"].items()
            for word in names
        },
        not_money_after=frozenset(_words(words["not_money_after"])),
        counted_nouns=frozenset(_words(words["counted_nouns"])),
    )


@dataclass
class _Number:
    """A number found in the tokens, with what came with it."""

    start: int
    end: int
    value: Decimal
    money: bool = False  # a unit ("juta") or a currency ("Rp") came with it
    spelled: bool = False  # words stand for digits ("dua", "setengah")
    rounded: bool = False  # "-an", "jutaan", "1.500 rb": a guess at the amount
    plain: str | None = None  # the digits, when written without a unit
    kind: str = "other"  # "amount", "number" (a count, or one end of a range), "other"
    period: str = "bulan"
    every: int = 1  # "600rb per 3 bulan": 3
    monthly: Decimal = Decimal(0)


def _at(tokens: Sequence[str], index: int) -> str:
    return tokens[index] if 0 <= index < len(tokens) else ""


def _is_digits(token: str) -> bool:
    return token[:1].isascii() and token[:1].isdigit()


def _untail(raw: str) -> str:
    return raw[:-2] if raw.endswith((",-", ".-")) else raw


def _plain_value(raw: str) -> Decimal | None:
    """A number written without a unit, separators read as ``parse_rupiah`` reads them:
    "2.500.000", "2,500,000", "2.750.000,00", "2,5"."""
    raw = _untail(raw)
    if _THOUSANDS_DOT.fullmatch(raw):
        return Decimal(raw.replace(".", "").replace(",", "."))
    if _THOUSANDS_COMMA.fullmatch(raw):
        return Decimal(raw.replace(",", ""))
    if _DECIMAL.fullmatch(raw):
        return Decimal(raw.replace(",", "."))
    return None


def _scaled_value(raw: str, scale: Decimal) -> tuple[Decimal | None, bool]:
    """The number before a unit, and whether its reading is a guess. Before a unit the
    separator is a decimal point ("2,5 jt", "2.5 juta"); after three decimals it may be a
    thousands separator: "1.500 rb" is read as 1.500 thousand, "2.500 jt" as 2,5 juta."""
    raw = _untail(raw)
    if raw.isdigit():
        return Decimal(raw), False
    one = _ONE_SEPARATOR.fullmatch(raw)
    if one:
        whole, fraction = one.groups()
        if len(fraction) == 3 and scale == 1000:
            return Decimal(whole + fraction), True
        return Decimal(f"{whole}.{fraction}"), len(fraction) == 3
    return _plain_value(raw), True


def _spelled(tokens: Sequence[str], start: int, words: _AmountWords) -> tuple[Decimal, int] | None:
    """A number below a thousand in words ("dua ratus lima puluh", "satu koma lima",
    "setengah"), and where it ends."""
    if _at(tokens, start) in words.half:
        return Decimal("0.5"), start + 1
    total, digit, index = 0, None, start
    while index < len(tokens):
        word = tokens[index]
        if word in words.digits and digit is None:
            digit = words.digits[word]
        elif word in words.whole and digit is None and (not total or total > words.whole[word]):
            total += words.whole[word]
        elif word in words.teens and digit is not None:
            total, digit = total + 10 + digit, None
        elif word in words.tens and digit is not None:
            total, digit = total + 10 * digit, None
        elif word in words.hundreds and digit is not None and not total:
            total, digit = total + 100 * digit, None
        else:
            break
        index += 1
    if index == start:
        return None
    value = Decimal(total + (digit or 0))
    if _at(tokens, index) in words.point:  # "satu koma lima", "dua koma tujuh lima"
        after, fraction = index + 1, ""
        while _at(tokens, after) in words.digits:
            fraction += str(words.digits[tokens[after]])
            after += 1
        if not fraction and _at(tokens, after).isdigit():
            fraction, after = tokens[after], after + 1
        if fraction:
            value, index = value + Decimal(f"0.{fraction}"), after
    return value, index


@dataclass
class _Group:
    """One number-and-unit of an amount ("2 jt" in "2 jt 500 rb")."""

    value: Decimal
    scale: Decimal | None
    end: int
    spelled: bool
    rounded: bool
    raw: str | None  # the digits, when no unit came after them


def _unit(word: str, words: _AmountWords) -> tuple[Decimal, bool] | None:
    """The rupiah in one ``word`` ("jt", "ribu"), and whether it is the "-an" round-up."""
    if word in words.units:
        return words.units[word], False
    stem = word[:-2]
    if word.endswith("an") and len(stem) >= 2 and stem in words.units:
        return words.units[stem], True
    return None


def _group(tokens: Sequence[str], start: int, words: _AmountWords) -> _Group | None:
    token = _at(tokens, start)
    if token in words.one_unit:  # "sejuta", "seribu"
        scale = words.one_unit[token]
        value, end = scale, start + 1
        if _at(tokens, end) in words.half:  # "sejuta setengah"
            value, end = value + scale / 2, end + 1
        return _Group(value, scale, end, True, False, None)
    raw: str | None = None
    coefficient = Decimal(0)
    if _is_digits(token):
        raw, end, spelled = token, start + 1, False
        following = _at(tokens, end + 1)
        if _at(tokens, end) in words.point and token.isdigit() and following.isdigit():
            coefficient, raw, end, spelled = Decimal(f"{token}.{following}"), None, end + 2, True
    else:
        found = _spelled(tokens, start, words)
        if found is None:
            return None
        (coefficient, end), spelled = found, True
    half = _at(tokens, end) in words.half and _at(tokens, start) not in words.half
    if half:  # "dua setengah juta", "2 setengah juta"
        end, spelled = end + 1, True
    unit = _unit(_at(tokens, end), words)
    if unit is None:
        if half and raw is not None:
            plain = _plain_value(raw)
            if plain is None:
                return None
            coefficient, raw = plain, None
        return _Group(coefficient + (Decimal("0.5") if half else 0), None, end, spelled, False, raw)
    scale, rounded = unit
    end += 1
    if raw is not None:
        number, guessed = _scaled_value(raw, scale)
        if number is None:
            return None
        coefficient, rounded = number, rounded or guessed
    value = (coefficient + (Decimal("0.5") if half else 0)) * scale
    if not half and _at(tokens, end) in words.half:  # "2 juta setengah"
        value, end, spelled = value + scale / 2, end + 1, True
    return _Group(value, scale, end, spelled, rounded, None)


def _starts_number(tokens: Sequence[str], index: int, words: _AmountWords) -> bool:
    token = _at(tokens, index)
    return (
        _is_digits(token)
        or token in words.digits
        or token in words.whole
        or (token in words.one_unit or token in words.half)
    )


def _expression(tokens: Sequence[str], start: int, words: _AmountWords) -> _Number | None:
    """The number that starts at ``start``: "Rp 2.750.000,-", "2 jt 500 rb", "dua setengah
    juta", "1.250.000-an", "3"; None when no number starts there."""
    index, money = start, False
    if _at(tokens, index) in words.currency_before:
        after = index + 1
        while _at(tokens, after) in (".", ":"):
            after += 1
        if not _starts_number(tokens, after, words):
            return None
        index, money = after, True
    number = _Number(start=start, end=start, value=Decimal(0), money=money)
    last_scale: Decimal | None = None
    parsed = False
    while True:
        group = _group(tokens, index, words)
        if group is None:
            break
        if group.scale is None:
            if last_scale == _MILLION and group.raw and _THOUSANDS_LEFT.fullmatch(group.raw):
                # "2jt500", "2 juta 750": the thousands left after the millions
                number.value += Decimal(group.raw) * 1000
                number.rounded, index = True, group.end
            elif last_scale is None:  # a number without a unit: "2500000", "3", "tiga"
                if group.raw is not None:
                    plain = _plain_value(group.raw)
                    if plain is None:
                        return None
                    number.value, number.plain = plain, group.raw
                else:
                    number.value = group.value
                number.spelled, index, parsed = group.spelled, group.end, True
            break
        if last_scale is not None and group.scale >= last_scale:
            break  # "2 jt 3 jt" is two amounts
        number.value += group.value
        number.money = parsed = True
        number.spelled |= group.spelled
        number.rounded |= group.rounded
        last_scale, index = group.scale, group.end
    if not parsed:
        return None
    # "3 juta-an", "2 jt an": an estimate, which is what the forms ask for (certain)
    if _at(tokens, index) == "-" and _at(tokens, index + 1) == "an":
        index += 2
    elif _at(tokens, index) == "an":
        index += 1
    if _at(tokens, index) in words.currency_after:  # "500 rupiah"
        number.money, index = True, index + 1
    if number.money and number.plain is not None:
        number.plain = None  # "Rp 2.500" is money as written
    number.end = index
    return number


def _kind(number: _Number, tokens: Sequence[str], words: _AmountWords) -> str:
    if number.money:
        return "amount"
    if number.plain is None:  # spelled, with no unit: "tiga", "tiga anak"
        return "number"
    raw = _untail(number.plain)
    if _at(tokens, number.start - 1) in words.not_money_after:  # "tahun 2025", "no 2"
        return "other"
    if number.value < _PLAIN_SMALLEST:
        return "number"
    if raw.isdigit() and (raw.startswith("0") or (len(raw) == 4 and 1900 <= int(raw) <= 2100)):
        return "other"  # "0812", "sejak 2019"
    if number.value < _PLAIN_CERTAIN and _at(tokens, number.end) in words.counted_nouns:
        return "other"  # "5000 orang"
    return "amount"


def _between_clear(tokens: Sequence[str], start: int, end: int, taken: set[int]) -> bool:
    return not any(tokens[i] in _SENTENCE_END or i in taken for i in range(start, end))


def _period(
    number: _Number,
    tokens: Sequence[str],
    periods: list[tuple[int, int, Any]],
    taken: set[int],
) -> str:
    """The period said right after the amount ("2 jt sebulan", "500rb / minggu"), else just
    before it ("sehari dapat 100rb"); a month when none is said."""
    for start, _end, period in periods:
        if 0 <= start - number.end <= _WINDOW and not any(
            tokens[i] in _CLAUSE_END or i in taken for i in range(number.end, start)
        ):
            return str(period)
    for _start, end, period in reversed(periods):
        if 0 <= number.start - end <= _WINDOW and _between_clear(tokens, end, number.start, taken):
            return str(period)
    return "bulan"


def _every(number: _Number, tokens: Sequence[str], words: _AmountWords) -> tuple[str, int] | None:
    """(period, how many) for "600rb per 3 bulan", "1 jt tiap 2 minggu"; else None."""
    if _at(tokens, number.end) not in words.per_words:
        return None
    count = _at(tokens, number.end + 1)
    times = int(count) if count.isdigit() and len(count) <= 3 else words.digits.get(count)
    period = words.period_words.get(_at(tokens, number.end + 2))
    if not times or period is None:
        return None
    return period, times


def _monthly(value: Decimal, period: str) -> Decimal:
    times, per = _PER_MONTH[period]
    return value * times / per


def _near(
    number: _Number, spans: list[tuple[int, int, Any]], tokens: Sequence[str], taken: set[int]
) -> bool:
    """Whether a hedge is said next to the amount (at most ``_WINDOW`` words away)."""
    for start, end, _value in spans:
        if 0 <= number.start - end <= _WINDOW and _between_clear(tokens, end, number.start, taken):
            return True
        if 0 <= start - number.end <= _WINDOW and _between_clear(tokens, number.end, start, taken):
            return True
        if number.start <= start < number.end:
            return True
    return False


def _ranged(
    number: _Number,
    tokens: Sequence[str],
    by_end: dict[int, _Number],
    by_start: dict[int, _Number],
    words: _AmountWords,
) -> bool:
    """Whether another number is joined to this one as a range or an either-or: "2-3 juta",
    "kadang 2 kadang 3 juta", "dua tiga juta"."""
    index = number.start
    for _ in range(_WINDOW + 2):
        other = by_end.get(index)
        if other is not None:
            return other.kind in ("amount", "number")
        if _at(tokens, index - 1) not in words.range_words:
            break
        index -= 1
    index = number.end
    for _ in range(_WINDOW + 2):
        other = by_start.get(index)
        if other is not None:
            return other.kind in ("amount", "number")
        if _at(tokens, index) not in words.range_words:
            break
        index += 1
    return False


def _block(text: str) -> str:
    def phone(match: re.Match[str]) -> str:
        digits = sum(1 for char in match.group() if char.isdigit())
        return _BLOCK if digits >= 10 else match.group()

    text = _NIK.sub(_BLOCK, text)
    text = _PHONE.sub(phone, text)
    text = _DATE.sub(_BLOCK, text)
    return _PERCENT.sub(_BLOCK, text)


@lru_cache(maxsize=256)
def _read(text: str) -> tuple[Amount | None, bool]:
    """The amount in ``text`` (already clipped), and whether it was there but too large."""
    words = _amount_words()
    tokens = _amount_tokens(_block(text))
    numbers: list[_Number] = []
    index = 0
    while index < len(tokens):
        number = _expression(tokens, index, words)
        if number is None or number.end <= index:
            index += 1
            continue
        number.kind = _kind(number, tokens, words)
        numbers.append(number)
        index = number.end
    amounts = [number for number in numbers if number.kind == "amount"]
    if not amounts:
        return None, False
    taken = {i for number in numbers for i in range(number.start, number.end)}
    neutral = words.neutral.spans(tokens)
    masked = [False] * len(tokens)
    for start, end, _value in neutral:
        masked[start:end] = [True] * (end - start)
    periods = words.periods.spans(tokens)
    for number in amounts:
        every = _every(number, tokens, words)
        if every is None:
            number.period = _period(number, tokens, periods, taken)
        else:
            number.period, number.every = every
        number.monthly = _monthly(number.value, number.period) / number.every
    ceiling = Decimal(MAX_RUPIAH + 1)  # beyond it every amount is "too large" alike
    different = {min(number.monthly, ceiling).quantize(Decimal(1)) for number in amounts}
    chosen = amounts[-1]
    if len(different) == 1:  # the same amount twice: the best written one
        chosen = next((n for n in reversed(amounts) if not n.spelled and not n.rounded), chosen)
    if chosen.monthly > MAX_RUPIAH:
        return None, True
    try:
        rupiah = bounded_rupiah(chosen.monthly, "income_monthly")
    except InputError:
        return None, False
    by_end = {number.end: number for number in numbers}
    by_start = {number.start: number for number in numbers}
    unsure = (
        chosen.spelled
        or chosen.rounded
        or chosen.period != "bulan"
        or chosen.every != 1
        or (chosen.plain is not None and chosen.value < _PLAIN_CERTAIN)
        or len(different) > 1
        or bool(words.varies.spans(tokens, masked))
        or _near(chosen, words.hedges.spans(tokens, masked), tokens, taken)
        or _ranged(chosen, tokens, by_end, by_start, words)
    )
    return Amount(rupiah=rupiah, certain=not unsure, period=chosen.period), False


def read_amount(message: str) -> Amount | None:
    """The monthly amount of money in ``message`` ("pendapatannya 2,8 juta sebulan" ->
    Rp 2.800.000, certain), or None when it names none (or one over ``MAX_RUPIAH``)."""
    return _read(_clip(message))[0]


def too_large(message: str) -> bool:
    """Whether ``message`` names an amount, but one over ``MAX_RUPIAH`` a month: the form
    says "terlalu besar" rather than "tidak terbaca"."""
    return _read(_clip(message))[1]


# --- yes or no ---------------------------------------------------------------------------

_STOP_MARK = "."
_EMOJI_YES = "\x01yes"
_EMOJI_NO = "\x01no"


@dataclass(frozen=True)
class _YesNoWords:
    tokens: re.Pattern[str]
    emoji: dict[str, str]
    answers: _Phrases  # value: (polarity, weak)
    no: frozenset[str]
    already: frozenset[str]
    hedges: _Phrases
    unknown: _Phrases
    unknown_after_no: frozenset[str]
    yes_after_no: _Phrases
    reasons: frozenset[str]


def _yes_no_tokens(text: str, pattern: re.Pattern[str], emoji: dict[str, str]) -> list[str]:
    tokens = []
    for match in pattern.finditer(text.replace("'", "").replace("\u2019", "")):
        token = match.group()
        if token in emoji:
            tokens.append(emoji[token])
        elif token[0] in ",.;!?":
            tokens.append(_STOP_MARK)
        else:
            tokens.append(_collapse(token))
    return tokens


@lru_cache(maxsize=1)
def _yes_no_words() -> _YesNoWords:
    lexicon = _lexicon()
    words = lexicon["yes_no"]
    emoji = {str(e): _EMOJI_YES for e in words["emoji_yes"]}
    emoji |= {str(e): _EMOJI_NO for e in words["emoji_no"]}
    alternatives = "|".join(re.escape(e) for e in sorted(emoji, key=len, reverse=True))
    pattern = re.compile(rf"{alternatives}|[a-z0-9]+|[,.;!?]")

    def phrases(entries: Iterable[Any], value: Any = True) -> list[tuple[tuple[str, ...], Any]]:
        return [(tuple(_yes_no_tokens(str(e).lower(), pattern, {})), value) for e in entries]

    weak = {_collapse(str(w)) for w in words["weak"]}
    yes = _words(lexicon["ya"]) + _words(words["yes"])
    no = _words(lexicon["tidak"]) + _words(words["no"])
    answers = [(p, (True, " ".join(p) in weak)) for p, _ in phrases(yes)]
    answers += [(p, (False, False)) for p, _ in phrases(no)]
    answers += [((_EMOJI_YES,), (True, True)), ((_EMOJI_NO,), (False, False))]
    return _YesNoWords(
        tokens=pattern,
        emoji=emoji,
        answers=_Phrases(answers),
        no=frozenset(" ".join(p) for p, _ in phrases(no)),
        already=frozenset(_collapse(str(w)) for w in words["already"]),
        hedges=_Phrases(phrases(words["hedges"])),
        unknown=_Phrases(phrases(words["unknown"])),
        unknown_after_no=frozenset(_collapse(str(w)) for w in words["unknown_after_no"]),
        yes_after_no=_Phrases(phrases(words["yes_after_no"])),
        reasons=frozenset(_collapse(str(w)) for w in words["reasons"]),
    )


def read_yes_no(message: str) -> bool | None:
    """True for a yes ("iya udah berubah kok", "udah sih", "👍"), False for a no ("belum,
    masih sama", "ya belum", "aman kok"), None when unclear ("gak tau", "mungkin", "hmm",
    a question back, a number)."""
    text = _clip(message)
    if text.rstrip().endswith("?"):
        return None
    words = _yes_no_words()
    tokens = _yes_no_tokens(text, words.tokens, words.emoji)
    # "bisa jadi iya sih, kalo alatnya gak dateng programnya macet": the answer comes before
    # the reason; a no inside the reason ("kalo ... gak ...") is not the answer
    cut = next((i for i, token in enumerate(tokens) if token in words.reasons), None)
    if cut:
        answer = _read_tokens(tokens[:cut], words)
        if answer is not None:
            return answer
    return _read_tokens(tokens, words)


def _read_tokens(tokens: list[str], words: _YesNoWords) -> bool | None:
    taken = [False] * len(tokens)
    said: dict[int, bool] = {}  # position -> an answer found by a rule
    for index, token in enumerate(tokens):
        if token not in words.no or taken[index]:
            continue
        after = _at(tokens, index + 1)
        if token == "no" and after.isdigit():  # "no 2" is a number
            taken[index] = True
        elif after in words.unknown_after_no:  # "gak tau", "belum tahu", "ga yakin"
            return None
        elif index + 1 < len(tokens) and (idiom := words.yes_after_no.at(tokens, index + 1)):
            taken[index : idiom[0]] = [True] * (idiom[0] - index)  # "tidak salah lagi"
            said[index] = True
    if words.unknown.spans(tokens, taken):
        return None
    for start, end, _value in words.hedges.spans(tokens, taken):
        taken[start:end] = [True] * (end - start)
    acknowledged = False
    index = 0
    while index < len(tokens):
        if index in said:
            return said[index]
        match = None if taken[index] else words.answers.at(tokens, index)
        if match is None:
            index += 1
            continue
        end, (polarity, weak) = match
        if weak:
            acknowledged, index = True, end
            continue
        if polarity and tokens[index] in words.already:
            following = next((i for i in range(end, len(tokens)) if not taken[i]), None)
            if following is not None and tokens[following] in words.no:
                return False  # "udah gak ada": no longer
        return bool(polarity)
    return True if acknowledged else None


# --- choices -----------------------------------------------------------------------------

_CHOICE_TOKEN = re.compile(r"[a-z]{3,}2[a-z]*(?![0-9])|[a-z]+|[0-9]+|-")
_FUZZY = 0.85  # difflib ratio for a word with a typo
_FUZZY_SHORTEST = 5  # letters; shorter words must be spelled right
_KEY_SHORTEST = 4  # letters; shorter label words do not pick an option on their own


@dataclass(frozen=True)
class _ChoiceWords:
    numbers: dict[str, int]
    cardinals: frozenset[str]
    pick_words: frozenset[str]
    fillers: frozenset[str]
    connectors: frozenset[str]
    through: _Phrases
    all: _Phrases
    both: _Phrases
    last: frozenset[str]
    except_: _Phrases
    none: _Phrases
    none_alone: frozenset[str]
    stopwords: frozenset[str]


def _choice_tokens(text: str, pick_words: frozenset[str] = frozenset()) -> list[str]:
    tokens: list[str] = []
    for match in _CHOICE_TOKEN.finditer(text):
        token = match.group()
        stem, two, rest = token.partition("2")
        if two and token[0].isalpha() and stem in pick_words:
            tokens += [stem, "2"] + ([_collapse(rest)] if rest else [])  # "nomor2"
        else:
            tokens.append(token if token[0].isdigit() else _collapse(token))
    return tokens


@lru_cache(maxsize=1)
def _choice_words() -> _ChoiceWords:
    lexicon = _lexicon()
    words = lexicon["choice"]

    def single(key: str) -> frozenset[str]:
        return frozenset(_collapse(str(w).lower()) for w in words[key])

    def phrases(key: str) -> _Phrases:
        return _Phrases((tuple(_choice_tokens(str(w).lower())), True) for w in words[key])

    numbers = {
        _collapse(str(word).lower()): int(number)
        for number, names in lexicon["ordinals"].items()
        for word in names
    }
    return _ChoiceWords(
        numbers=numbers,
        cardinals=single("cardinals"),
        pick_words=single("pick_words"),
        fillers=single("fillers"),
        connectors=single("connectors"),
        through=phrases("through"),
        all=phrases("all"),
        both=phrases("both"),
        last=single("last"),
        except_=phrases("except"),
        none=phrases("none"),
        none_alone=single("none_alone"),
        stopwords=single("stopwords"),
    )


@dataclass(frozen=True)
class _Choosable:
    id: str
    phrases: tuple[tuple[str, ...], ...]
    keys: frozenset[str]


def _choosables(options: Sequence[Option]) -> tuple[_Choosable, ...]:
    """The options as phrases and words to look for (the same lists come back each turn,
    so they are prepared once)."""
    try:
        return _choosables_of(tuple(options))
    except TypeError:  # an option that cannot be hashed (synonyms given as a list)
        return _choosables_of.__wrapped__(tuple(options))


@lru_cache(maxsize=64)
def _choosables_of(options: tuple[Option, ...]) -> tuple[_Choosable, ...]:
    words = _choice_words()
    named: list[tuple[str, list[tuple[str, ...]]]] = []
    for option in options:
        names = [str(option.id).replace("_", " "), str(option.label), *map(str, option.synonyms)]
        phrases = [tuple(_choice_tokens(name.lower()[:MAX_MATCH_CHARS])) for name in names]
        named.append((str(option.id), [p for p in phrases if p]))
    candidates = [
        {
            w
            for phrase in phrases
            for w in phrase
            if len(w) >= _KEY_SHORTEST and w.isalpha() and w not in words.stopwords
        }
        for _, phrases in named
    ]
    counts: dict[str, int] = {}
    for keys in candidates:
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
    return tuple(
        _Choosable(option_id, tuple(phrases), frozenset(k for k in keys if counts[k] == 1))
        for (option_id, phrases), keys in zip(named, candidates, strict=True)
    )


def _number_of(token: str, words: _ChoiceWords, count: int) -> int | None:
    if token.isdigit():
        return int(token) if len(token) <= 6 else 10**6
    if token in words.last:
        return count
    return words.numbers.get(token)


def _number_picks(tokens: Sequence[str], words: _ChoiceWords, count: int) -> list[tuple[int, int]]:
    """(position, number) of each number meant as a pick; ``count`` options are listed."""
    neutral = words.fillers | words.connectors | words.pick_words

    def quiet(index: int) -> bool:
        token = _at(tokens, index)
        return not token or token in neutral or _number_of(token, words, count) is not None

    only_numbers = all(quiet(i) for i in range(len(tokens)))
    picks: list[tuple[int, int]] = []
    for index, token in enumerate(tokens):
        number = _number_of(token, words, count)
        if number is None:
            continue
        ordinal = not token.isdigit() and token not in words.cardinals
        before = _at(tokens, index - 1)
        if before == "-" and _at(tokens, index - 2) in words.pick_words:
            before = _at(tokens, index - 2)  # "ke-2"
        if (
            only_numbers
            or ordinal
            or before in words.pick_words
            or (quiet(index - 1) and quiet(index + 1))
        ):
            picks.append((index, number))
    return _through(picks, tokens, words)


def _through(
    picks: list[tuple[int, int]], tokens: Sequence[str], words: _ChoiceWords
) -> list[tuple[int, int]]:
    """ "1-3", "2 sampai 4": every number from the one to the other."""
    result: list[tuple[int, int]] = []
    for position, (index, number) in enumerate(picks):
        result.append((index, number))
        following = picks[position + 1] if position + 1 < len(picks) else None
        if following is None or not (0 < number < following[1] <= number + 20):
            continue
        match = words.through.at(tokens, index + 1) if index + 1 < len(tokens) else None
        if match is not None and match[0] == following[0]:
            result += [(index, n) for n in range(number + 1, following[1])]
    return result


def _contains(tokens: Sequence[str], phrase: tuple[str, ...]) -> int | None:
    """Where ``phrase`` starts in ``tokens``, or None."""
    size = len(phrase)
    for start in range(len(tokens) - size + 1):
        if tuple(tokens[start : start + size]) == phrase:
            return start
    return None


@lru_cache(maxsize=4096)
def _similar(token: str, key: str) -> float:
    if token == key:
        return 1.0
    if len(token) < _FUZZY_SHORTEST or len(key) < _FUZZY_SHORTEST:
        return 0.0
    shorter, longer = sorted((len(token), len(key)))
    if 2 * shorter / (shorter + longer) < _FUZZY:
        return 0.0
    matcher = difflib.SequenceMatcher(None, token, key)
    if matcher.quick_ratio() < _FUZZY:
        return 0.0
    ratio = matcher.ratio()
    return ratio if ratio >= _FUZZY else 0.0


def _word_picks(
    tokens: Sequence[str], options: Sequence[_Choosable], words: _ChoiceWords
) -> tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]], set[int]]:
    """Options named in ``tokens``, as id -> (position, score): by a whole phrase (id,
    label, synonym; the score is the longest phrase's length), and by their own words (the
    score is how many); and the positions the whole phrases cover."""
    phrased: dict[str, tuple[int, int]] = {}
    covered: set[int] = set()
    for option in options:
        for phrase in option.phrases:
            start = _contains(tokens, phrase)
            if start is None:
                continue
            covered |= set(range(start, start + len(phrase)))
            position, size = phrased.get(option.id, (start, 0))
            phrased[option.id] = (min(position, start), max(size, len(phrase)))
    ignored = words.stopwords | words.fillers | words.connectors | words.pick_words
    keyed: dict[str, tuple[int, int]] = {}
    seen: set[str] = set()
    for index, token in enumerate(tokens):
        if len(seen) >= MAX_MATCH_TOKENS:
            break
        if len(token) < _KEY_SHORTEST or not token.isalpha() or token in seen | ignored:
            continue
        seen.add(token)
        scores = [
            (max((_similar(token, key) for key in option.keys), default=0.0), option.id)
            for option in options
        ]
        best, option_id = max(scores, default=(0.0, ""))
        if best > 0 and [score for score, _ in scores].count(best) == 1:
            position, count = keyed.get(option_id, (index, 0))
            keyed[option_id] = (position, count + 1)
    return phrased, keyed, covered


def _prepared(
    message: str, options: Sequence[Option]
) -> tuple[list[str], tuple[_Choosable, ...], _ChoiceWords] | None:
    words = _choice_words()
    tokens = _choice_tokens(_clip(message), words.pick_words)
    if not tokens or not options:
        return None
    return tokens, _choosables(options), words


def _exact(tokens: Sequence[str], options: Sequence[_Choosable], words: _ChoiceWords) -> str | None:
    core = tuple(t for t in tokens if t not in words.fillers)
    for candidate in (tuple(tokens), core):
        for option in options:
            if candidate in option.phrases:
                return option.id
    return None


def read_choice(message: str, options: Sequence[Option]) -> str | None:
    """The id of the one option ``message`` picks ("2", "no 2", "yg kedua", "kelompok kecil
    aja", a label with a typo), or None (nothing, several, or a number out of range)."""
    prepared = _prepared(message, options)
    if prepared is None:
        return None
    tokens, choosables, words = prepared
    exact = _exact(tokens, choosables, words)
    if exact is not None:
        return exact
    phrased, keyed, covered = _word_picks(tokens, choosables, words)
    if _wholes(tokens, words, [i in covered for i in range(len(tokens))]):
        return None  # "semua", "keduanya": not one
    numbers = {number for _, number in _number_picks(tokens, words, len(choosables))}
    if numbers:
        number = numbers.pop()
        if not numbers and 1 <= number <= len(choosables):
            return choosables[number - 1].id
        return None
    for found in (phrased, keyed):
        if found:
            best = max(score for _, score in found.values())
            winners = [option_id for option_id, (_, score) in found.items() if score == best]
            return winners[0] if len(winners) == 1 else None
    return None


def read_choices(message: str, options: Sequence[Option]) -> list[str] | None:
    """The ids of the options ``message`` picks, in the order written ("1 dan 3", "1,3",
    "satu sama tiga", "modal sama pemasaran"); every id for "semua"; [] for "tidak ada",
    "gak ada" or "0"; None when nothing is recognised or a number is out of range."""
    prepared = _prepared(message, options)
    if prepared is None:
        return None
    tokens, choosables, words = prepared
    exact = _exact(tokens, choosables, words)
    if exact is not None:
        return [exact]
    core = [t for t in tokens if t not in words.fillers]
    if len(core) == 1 and core[0] in words.none_alone:
        return []
    named = _word_picks(tokens, choosables, words)
    in_label = [i in named[2] for i in range(len(tokens))]
    wholes = _wholes(tokens, words, in_label)
    if wholes == "both":
        return [option.id for option in choosables] if len(choosables) == 2 else None
    if wholes == "all":
        exceptions = words.except_.spans(tokens)
        if not exceptions:
            return [option.id for option in choosables]
        left_out = _picked(tokens[exceptions[0][1] :], choosables, words)
        if not left_out:
            return None
        return [option.id for option in choosables if option.id not in left_out]
    picked = _picked(tokens, choosables, words, named)
    if picked is None:
        return None
    if picked:
        return picked
    return [] if words.none.spans(tokens, in_label) else None


def _wholes(tokens: Sequence[str], words: _ChoiceWords, in_label: Sequence[bool]) -> str:
    """ "all" for "semua"/"semuanya" (not "belum semua", "gak ada semua"), "both" for
    "keduanya", else "". Words in ``in_label`` belong to an option's name."""
    negations = _yes_no_words().no
    nothing = {end for _, end, _ in words.none.spans(tokens)}
    for start, _end, _value in words.all.spans(tokens, in_label):
        if _at(tokens, start - 1) not in negations and start not in nothing:
            return "all"
    return "both" if words.both.spans(tokens, in_label) else ""


_Named = tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]], set[int]]


def _picked(
    tokens: Sequence[str],
    options: Sequence[_Choosable],
    words: _ChoiceWords,
    named: _Named | None = None,
) -> list[str] | None:
    """The options ``tokens`` pick, in the order written; None when a number is out of
    range. ``named`` is what ``_word_picks`` found in ``tokens``, when known."""
    positions: dict[str, int] = {}
    for index, number in _number_picks(tokens, words, len(options)):
        if not 1 <= number <= len(options):
            return None
        positions.setdefault(options[number - 1].id, index)
    phrased, keyed, _covered = named or _word_picks(tokens, options, words)
    for found in (phrased, keyed):
        for option_id, (position, _score) in found.items():
            positions[option_id] = min(position, positions.get(option_id, position))
    order = {option.id: n for n, option in enumerate(options)}
    return sorted(positions, key=lambda option_id: (positions[option_id], order[option_id]))


@lru_cache(maxsize=1)
def needs_synonyms() -> dict[str, tuple[str, ...]]:
    """The words people use for the needs form's fixed answers (lexicon.yml, needs_choices)."""
    return {key: tuple(words) for key, words in _lexicon().get("needs_choices", {}).items()}


@lru_cache(maxsize=1)
def follow_up_synonyms() -> dict[str, tuple[str, ...]]:
    """The words people use for a graduate's follow-up choice (lexicon.yml, follow_up)."""
    return {key: tuple(words) for key, words in _lexicon().get("follow_up", {}).items()}
