"""Base classes of the knowledge models: every row has an ``id`` and a ``source``."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """A citation: a section number of the seed and the heading it is found under."""

    section: str = Field(pattern=r"^\d+(\.\d+)*$")
    title: str = Field(min_length=3)


class Row(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    source: Source


class Table(Strict):
    """One knowledge file. ``rows()`` walks every cited row it holds, however nested."""

    id: str

    def rows(self) -> Iterator[Row]:
        yield from _walk(self)


def _walk(value: object) -> Iterator[Row]:
    if isinstance(value, Row):
        yield value
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk(getattr(value, name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _walk(item)


def unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for row_id in ids:
        if row_id in seen:
            raise ValueError(f"id '{row_id}' muncul dua kali di {what}")
        seen.add(row_id)
