"""Load and validate the knowledge files; compute the knowledge version.

The version is a hash of the files' bytes: every decision is stamped with it, so that a
stored decision can always be traced to the exact tables that produced it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from assistant.knowledge_models import (
    TABLES,
    ConflictTable,
    Row,
    SafeguardingTable,
    SourcesTable,
    Table,
)
from assistant.paths import knowledge_dir

T = TypeVar("T", bound=Table)


class KnowledgeError(Exception):
    """A knowledge file is wrong. Names the file, the row id and the field."""

    def __init__(self, file: str, row: str | None, field: str | None, problem: str) -> None:
        self.file, self.row, self.field, self.problem = file, row, field, problem
        where = [f"berkas {file}"]
        if row:
            where.append(f"baris '{row}'")
        if field:
            where.append(f"kolom '{field}'")
        super().__init__(f"{', '.join(where)}: {problem}")


@dataclass(frozen=True)
class Knowledge:
    version: str
    tables: dict[str, Table]

    def table(self, model: type[T]) -> T:
        for table in self.tables.values():
            if isinstance(table, model):
                return table
        raise KeyError(model.__name__)

    @property
    def sources(self) -> SourcesTable:
        return self.table(SourcesTable)

    @property
    def conflicts(self) -> ConflictTable:
        return self.table(ConflictTable)

    @property
    def safeguarding(self) -> SafeguardingTable:
        return self.table(SafeguardingTable)

    def rows(self) -> Iterator[tuple[str, Row]]:
        """Every cited row with the name of the file it comes from."""
        for file_name, table in self.tables.items():
            for row in table.rows():
                yield file_name, row


def load_knowledge(directory: Path | None = None) -> Knowledge:
    directory = Path(directory) if directory else knowledge_dir()
    digest = hashlib.sha256()
    tables: dict[str, Table] = {}
    for file_name, model in TABLES.items():
        path = directory / file_name
        if not path.is_file():
            raise KnowledgeError(file_name, None, None, "berkas tidak ditemukan")
        raw = path.read_bytes()
        digest.update(file_name.encode() + b"\0" + raw + b"\0")
        tables[file_name] = _parse(file_name, raw, model)
    knowledge = Knowledge(version=digest.hexdigest()[:12], tables=tables)
    _check_citations(knowledge)
    return knowledge


@lru_cache(maxsize=1)
def default_knowledge() -> Knowledge:
    """The knowledge of this installation, loaded once per process."""
    return load_knowledge()


def _parse(file_name: str, raw: bytes, model: type[Table]) -> Table:
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        raise KnowledgeError(file_name, None, None, f"YAML tidak sah: {error}") from error
    if not isinstance(data, dict):
        raise KnowledgeError(file_name, None, None, "isi berkas harus berupa pemetaan (mapping)")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        row, field = _locate(data, first["loc"])
        raise KnowledgeError(file_name, row, field, first["msg"]) from error


def _locate(data: Any, loc: tuple[int | str, ...]) -> tuple[str | None, str | None]:
    """The id of the innermost row on the error's path, and the field that is wrong."""
    row_id: str | None = None
    node = data
    for step in loc:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            row_id = node["id"]
    fields = [step for step in loc if isinstance(step, str)]
    return row_id, (fields[-1] if fields else None)


def _check_citations(knowledge: Knowledge) -> None:
    sources = knowledge.sources
    for file_name, row in knowledge.rows():
        if not sources.knows(row.source):
            raise KnowledgeError(
                file_name,
                row.id,
                "source",
                f"bagian {row.source.section} '{row.source.title}' tidak ada di sources.yml",
            )
