"""Base classes of the knowledge models: every row has an ``id`` and a ``source``.

Where each value comes from
---------------------------
Every model declares in ``GUIDELINE`` the fields whose values the guideline states (in
our words). Any other field holds the project's own values and must carry a ``basis``
(``project_default`` or ``interpretation``, with a one-line reason), either

- on the row: ``basis: {field: {kind: ..., reason: ...}}``, or ``basis: {row: ...}`` when
  the whole row is the project's; or
- on the table: ``basis: {field: ...}``, for a field that is the project's in every row
  of that table (chat hints, for example).

A row may also mark one value of a guideline field as the project's reading (a target
group the guideline does not name there, say). ``unmarked`` lists every filled field that
is neither the guideline's nor marked; the loader refuses such a table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

# Fields that identify and cite a row; they hold no content of their own.
STRUCTURAL = frozenset({"id", "source", "basis"})
# A basis key that marks a whole row (all its fields, nested ones included).
WHOLE_ROW = "row"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # the fields whose values the guideline states (see the module docstring)
    GUIDELINE: ClassVar[frozenset[str]] = frozenset()


class Source(Strict):
    """A citation: a section number of the seed and the heading it is found under."""

    section: str = Field(pattern=r"^\d+(\.\d+)*$")
    title: str = Field(min_length=3)


class Basis(Strict):
    """Why a value the guideline does not state outright is there."""

    kind: Literal["project_default", "interpretation"]
    reason: str = Field(min_length=10)


class Marked(Strict):
    """Anything that may say which of its values are the project's (``basis``)."""

    basis: dict[str, Basis] = {}


class Cited(Marked):
    """Anything that cites the guideline and may say which of its values are ours."""

    source: Source


class Row(Cited):
    id: str = Field(pattern=r"^[a-z0-9_]+$")


class Table(Strict):
    """One knowledge file. ``rows()`` walks every cited row it holds, however nested."""

    id: str
    basis: dict[str, Basis] = Field(
        default={}, description="fields that are the project's in every row of this table"
    )

    def rows(self) -> Iterator[Row]:
        yield from _walk(self)

    def cited(self) -> Iterator[tuple[str, Cited]]:
        """Every object with a citation (rows and cited parts of rows), with the id of the
        row it belongs to."""
        yield from _walk_cited(self, self.id)


def _walk(value: object) -> Iterator[Row]:
    if isinstance(value, Row):
        yield value
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk(getattr(value, name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _walk(item)


def _walk_cited(value: object, owner: str) -> Iterator[tuple[str, Cited]]:
    if isinstance(value, Cited):
        owner = getattr(value, "id", owner)
        yield owner, value
    if isinstance(value, BaseModel) and not isinstance(value, Source | Basis):
        for name in type(value).model_fields:
            yield from _walk_cited(getattr(value, name), owner)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _walk_cited(item, owner)


def unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for row_id in ids:
        if row_id in seen:
            raise ValueError(f"id '{row_id}' muncul dua kali di {what}")
        seen.add(row_id)


def _filled(value: Any) -> bool:
    return value not in (None, "", [], {}, ())


def model_fields_in(table: type[BaseModel]) -> set[str]:
    """Every field name of the table's model and of the models nested in it."""
    names: set[str] = set()
    seen: set[type] = set()

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, info in model.model_fields.items():
            names.add(name)
            for inner in _models_in(info.annotation):
                visit(inner)

    visit(table)
    return names


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _models_in(arg)


def unmarked(table: Table) -> list[tuple[str, str, str]]:
    """``(model, field, row id)`` of every filled field (not empty, not its default) that is
    neither one the model declares the guideline's nor covered by a basis; and of every
    basis naming a field that does not exist. Empty when the table is in order."""
    problems: list[tuple[str, str, str]] = []
    known = model_fields_in(type(table))
    for key in table.basis:
        if key not in known:
            problems.append((type(table).__name__, f"basis.{key}", table.id))

    def visit(obj: BaseModel, row_id: str, whole: bool) -> None:
        if isinstance(obj, Source | Basis):
            return
        model = type(obj)
        own = obj.basis if isinstance(obj, Marked) else {}
        if isinstance(obj, Cited):
            row_id = getattr(obj, "id", row_id)
        for key in own:
            if key != WHOLE_ROW and key not in model.model_fields:
                problems.append((model.__name__, f"basis.{key}", row_id))
        whole = whole or WHOLE_ROW in own
        for name in model.model_fields:
            if name in STRUCTURAL:
                continue
            value = getattr(obj, name)
            marked = whole or name in model.GUIDELINE or name in own or name in table.basis
            if not marked and _filled(value) and value != model.model_fields[name].default:
                problems.append((model.__name__, name, row_id))
            for child in _children(value):
                visit(child, row_id, whole or name in own or name in table.basis)

    for name in type(table).model_fields:
        if name in STRUCTURAL:
            continue
        value = getattr(table, name)
        if name not in type(table).GUIDELINE and name not in table.basis and _filled(value):
            problems.append((type(table).__name__, name, table.id))
        for child in _children(value):
            visit(child, table.id, name in table.basis)
    return problems


def _children(value: Any) -> Iterator[BaseModel]:
    if isinstance(value, BaseModel):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _children(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _children(item)
