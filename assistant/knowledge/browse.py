"""Browsing the knowledge: list tables and rows, show a row by id, search in Indonesian
(case-insensitive, tolerant of simple typos). Used by ``assistant knowledge`` and the chat."""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, create_model

from assistant.common.texts import text
from assistant.knowledge.loader import Knowledge, default_knowledge
from assistant.knowledge.models import Basis, Row, Source, Table
from assistant.knowledge.models.base import WHOLE_ROW, Marked

_WORD = re.compile(r"[0-9a-zà-ÿ]+")
# Words too common in the knowledge to help a search.
_STOP = frozenset(
    "dan atau yang di ke dari untuk dengan dalam pada ini itu agar bila oleh para serta "
    "juga sebagai secara warga program masyarakat apa apakah bagaimana gimana gmn itu "
    # chat fillers and slang that carry no subject
    "yg dgn utk buat biar supaya mesti harus perlu musti sih dong deh nih kok kak pak bu "
    "min mau tau tahu tanya nanya saya sy kami kita aja saja ya tolong mana".split()
)
# chat shorthand for the words the guideline spells out
_SPELLED = {"brp": "berapa", "org": "orang", "jml": "jumlah", "sdm": "sumber daya manusia"}
# how people ask for what the guideline names otherwise: "berapa orang (diwawancarai)" is
# the number of respondents of 3.3.3
_ASKED_AS = {("berapa", "orang"): ("jumlah", "responden")}
# Indonesian affixes, taken off for matching ("diwawancarai" finds "wawancara")
_PREFIXES = ("diper", "mem", "men", "meng", "meny", "me", "di", "ber", "ter", "pe", "per")
_SUFFIXES = ("kan", "nya", "an", "i")


def _stem(word: str) -> str:
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 5:
            word = word[len(prefix) :]
            break
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 5:
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class Hit:
    file: str
    row: Row
    score: float

    @property
    def title(self) -> str:
        return row_title(self.row)


def table_name(file_name: str) -> str:
    return file_name.removesuffix(".yml")


def find_table(knowledge: Knowledge, name: str) -> tuple[str, Table] | None:
    """A table by file stem ("programs"), file name, or table id ("program")."""
    for file_name, table in knowledge.tables.items():
        if name in (file_name, table_name(file_name), table.id):
            return file_name, table
    return None


def row_title(row: Row) -> str:
    field = _title_field(row)
    return getattr(row, field) if field else row.id


def find(knowledge: Knowledge, row_id: str) -> list[tuple[str, Row]]:
    """Every row with this id (an id may name, say, both a needs row and a model); a table's
    id also finds the table's own settings (e.g. ``graduasi``: the task schedule)."""
    wanted = row_id.strip().lower()
    found = [(file_name, row) for file_name, row in knowledge.rows() if row.id == wanted]
    for file_name, table in knowledge.tables.items():
        if table.id == wanted:
            own = settings(table)
            if own is not None:
                found.append((file_name, own))
    return found


def settings(table: Table) -> Row | None:
    """A table's values that belong to no row (the graduation schedule, say), as one row
    carrying the table's basis, so that they can be shown with where they come from."""
    values = {
        name: getattr(table, name)
        for name in type(table).model_fields
        if name not in ("id", "basis") and not _holds_rows(getattr(table, name))
    }
    if not values:
        return None
    first = next(table.rows(), None)
    if first is None:
        return None
    model = create_model(  # type: ignore[call-overload]
        "Pengaturan",
        __base__=Row,
        **{name: (Any, value) for name, value in values.items()},
    )
    basis = {k: v for k, v in table.basis.items() if k in values}
    return model(id=table.id, source=first.source, basis=basis, **values)


def _holds_rows(value: Any) -> bool:
    if isinstance(value, BaseModel):
        return True
    return isinstance(value, list | tuple) and any(isinstance(v, BaseModel) for v in value)


def _words(value: str) -> list[str]:
    words = [_SPELLED.get(w, w) for w in _WORD.findall(value.lower())]
    for asked, named in _ASKED_AS.items():
        for i in range(len(words) - len(asked) + 1):
            if tuple(words[i : i + len(asked)]) == asked:
                words[i : i + len(asked)] = named
    return [w for w in words if w not in _STOP and len(w) > 1]


def _row_words(row: Row) -> set[str]:
    words: set[str] = set(_words(row.id.replace("_", " ")))

    def walk(value: Any) -> None:
        if isinstance(value, str):
            words.update(_words(value))
        elif isinstance(value, BaseModel) and not isinstance(value, Source):
            for name in type(value).model_fields:
                walk(getattr(value, name))
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    for name in type(row).model_fields:
        if name not in ("id", "source"):
            walk(getattr(row, name))
    return words


def _match(query_word: str, words: set[str]) -> float:
    if query_word in words:
        return 1.0
    best = 0.0
    stem = _stem(query_word)
    for word in words:
        if stem != query_word and stem == _stem(word):
            best = max(best, 0.9)
            continue
        # a word typed short finds the whole ("sosialisa"); a longer query word finds a row
        # word only when the rest is a suffix ("pelatihannya"), not another word
        # ("sosialisasi" is not "sosial")
        if len(query_word) >= 4 and (
            word.startswith(query_word)
            or (query_word.startswith(word) and len(query_word) - len(word) <= 3)
        ):
            best = max(best, 0.9 if len(word) >= 4 else 0.0)
        elif abs(len(word) - len(query_word)) <= 2:
            ratio = difflib.SequenceMatcher(None, query_word, word).ratio()
            if ratio >= 0.8:
                best = max(best, ratio * 0.9)
    return best


def search(knowledge: Knowledge, query: str, limit: int = 10) -> list[Hit]:
    """Rows ranked by the query words they contain (exact, prefix or near-miss), rarer
    words counting more, words in the row's title or id counting double."""
    query_words = _words(query)
    if not query_words:
        return []
    rows = list(knowledge.rows())
    indexed = [
        (f, row, _row_words(row), set(_words(f"{row_title(row)} {row.id}"))) for f, row in rows
    ]
    order = {file_name: i for i, file_name in enumerate(knowledge.tables)}
    rarity = {
        word: math.log((1 + len(indexed)) / (1 + _frequency(word, indexed)))
        for word in set(query_words)
    }
    hits: list[Hit] = []
    for file_name, row, words, title in indexed:
        score = 0.0
        matched = 0
        for word in query_words:
            quality = _match(word, words)
            if quality == 0:
                continue
            if quality >= 0.9:  # a near-miss spelling does not complete the query
                matched += 1
            score += quality * (1 + rarity[word]) * (2 if _match(word, title) else 1)
        if score == 0:
            continue
        if matched == len(query_words):
            score *= 1.5
        hits.append(Hit(file_name, row, round(score, 3)))
    hits.sort(key=lambda hit: (-hit.score, order[hit.file], hit.row.id))
    return hits[:limit]


def _frequency(word: str, indexed: list[tuple[str, Row, set[str], set[str]]]) -> int:
    return sum(1 for _, _, words, _ in indexed if _match(word, words) > 0)


def render(row: Row, lang: str = "id", knowledge: Knowledge | None = None) -> str:
    """A row as short labelled lines, ending with its citation. A value the guideline does
    not state outright is followed by its basis and the reason."""
    basis = (knowledge or default_knowledge()).basis_of(row)
    lines = [f"*{row_title(row)}* ({row.id})"]
    if WHOLE_ROW in basis:
        lines.append(_basis_line(basis[WHOLE_ROW], lang, None))
    for name in type(row).model_fields:
        if name in ("id", "source", "basis") or name == _title_field(row):
            continue
        value = getattr(row, name)
        if value in (None, [], "", {}):
            continue
        label = _label(name, lang)
        lines.extend(_render_value(label, value, lang))
        if name in basis:
            lines.append(_basis_line(basis[name], lang, label))
    lines.append(text("knowledge.source", lang, section=row.source.section, title=row.source.title))
    return "\n".join(lines)


def _basis_line(basis: Basis, lang: str, label: str | None) -> str:
    kind = text(f"knowledge.basis_kind.{basis.kind}", lang)
    if label is None:
        return text("knowledge.basis_row", lang, kind=kind, reason=basis.reason)
    return text("knowledge.basis", lang, field=label, kind=kind, reason=basis.reason)


def _title_field(row: Row) -> str | None:
    for field in ("name", "title", "text", "hypothesis", "question", "summary", "activity", "role"):
        if isinstance(getattr(row, field, None), str):
            return field
    return None


def _label(field: str, lang: str) -> str:
    try:
        return text(f"knowledge.labels.{field}", lang)
    except KeyError:
        return field.replace("_", " ").capitalize()


def _render_value(label: str, value: Any, lang: str) -> list[str]:
    if isinstance(value, bool):
        return [f"{label}: {text('knowledge.yes' if value else 'knowledge.no', lang)}"]
    if isinstance(value, str | int | float):
        return [f"{label}: {value}"]
    if isinstance(value, list):
        if all(isinstance(item, str) for item in value):
            return [f"{label}:"] + [f"- {item}" for item in value]
        lines = [f"{label}:"]
        for item in value:
            lines.append(f"- {_inline(item)}")
        return lines
    if isinstance(value, BaseModel):
        return [f"{label}: {_inline(value)}"]
    if isinstance(value, dict):
        return [f"{label}:"] + [f"- {key}: {_inline(item)}" for key, item in value.items()]
    return [f"{label}: {value}"]


def _inline(value: Any) -> str:
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, Row):
        return f"{row_title(value)} ({value.id})" + _own_basis(value)
    if isinstance(value, BaseModel) and isinstance(getattr(value, "name", None), str):
        return value.name
    if isinstance(value, BaseModel) and isinstance(getattr(value, "text", None), str):
        return value.text + _own_basis(value)
    if isinstance(value, BaseModel):
        data = value.model_dump(exclude_none=True, exclude={"source"})
        if {"min", "max", "unit"} <= data.keys():
            low, high = _number(data["min"]), _number(data["max"])
            span = low if low == high else f"{low}-{high}"
            return f"{span} {data['unit']}"
        return "; ".join(f"{k}: {_inline(v)}" for k, v in data.items())
    if isinstance(value, list):
        return ", ".join(_inline(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_inline(v)}" for k, v in value.items())
    return str(value)


def _own_basis(value: BaseModel) -> str:
    """A cited part's own basis, inline (e.g. a program's condition read by the project)."""
    if not isinstance(value, Marked) or not value.basis:
        return ""
    kinds = sorted({text(f"knowledge.basis_kind.{b.kind}") for b in value.basis.values()})
    return f" [{', '.join(kinds)}]"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
