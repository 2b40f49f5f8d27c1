"""Exports of decisions and cases as CSV or XLSX (for offices that work in spreadsheets).
No NIK, not even its hash, ever leaves through an export."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def write(rows: Iterable[dict[str, Any]], path: Path, kind: str) -> int:
    rows = list(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = list(rows[0]) if rows else []
    if kind == "csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(path.stem[:31] or "data")
        sheet.append(columns)
        for row in rows:
            sheet.append([row[c] for c in columns])
        book.save(path)
    return len(rows)
