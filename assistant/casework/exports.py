"""Exports of decisions and cases as CSV or XLSX (for offices that work in spreadsheets).
No NIK, not even its hash, ever leaves through an export.

An export holds personal data, and spreadsheets run formulas: every file is readable by
its owner only (0600, also when it replaces an older export), and every text cell that a
spreadsheet would take for a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) is written with a leading ``'``, so Excel and LibreOffice show it as text.
Numbers stay numbers."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

# What makes a spreadsheet read a cell as a formula (or a DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PRIVATE = 0o600


def neutralise(value: Any) -> Any:
    """``value`` as a spreadsheet will show it, never run it: a text that starts like a
    formula gets a leading ``'``; numbers and everything else are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write(rows: Iterable[dict[str, Any]], path: Path, kind: str) -> int:
    """Write ``rows`` to ``path`` as ``kind`` ("csv" or "xlsx"); the number of rows."""
    rows = list(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = list(rows[0]) if rows else []
    with _private_file(path) as handle:
        if kind == "csv":
            _write_csv(rows, columns, handle)
        else:
            _write_xlsx(rows, columns, handle, path.stem)
    return len(rows)


def _write_csv(rows: list[dict[str, Any]], columns: list[str], handle: IO[bytes]) -> None:
    stream = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    writer = csv.writer(stream)
    writer.writerow([neutralise(c) for c in columns])
    for row in rows:
        writer.writerow([neutralise(row[c]) for c in columns])
    stream.flush()
    stream.detach()


def _write_xlsx(
    rows: list[dict[str, Any]], columns: list[str], handle: IO[bytes], title: str
) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(value: Any) -> Any:
        value = neutralise(value)
        if isinstance(value, str):
            # characters XLSX cannot hold (control characters) would stop the whole export
            return ILLEGAL_CHARACTERS_RE.sub("", value)
        return value

    book = Workbook(write_only=True)
    sheet = book.create_sheet(ILLEGAL_CHARACTERS_RE.sub("", title)[:31] or "data")
    sheet.append([cell(c) for c in columns])
    for row in rows:
        sheet.append([cell(row[c]) for c in columns])
    book.save(handle)


@contextmanager
def _private_file(path: Path) -> Iterator[IO[bytes]]:
    """A new file beside ``path``, mode 0600 from its creation, that replaces ``path`` once
    written completely (an older export, or a link in its place, is replaced, never written
    through); removed if writing fails."""
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        os.fchmod(descriptor, PRIVATE)
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
