"""Add a section or a heading to knowledge/sources.yml, safely from parallel writers.

    .venv/bin/python scripts/add_source.py 3.3.7 "Peran Pendamping selama proses Graduasi"

Adds the heading under section 3.3.7 (the section must already be listed). The file is
rewritten in a stable order under an exclusive lock."""

from __future__ import annotations

import fcntl
import sys
from pathlib import Path

import yaml

SOURCES = Path(__file__).resolve().parent.parent / "knowledge" / "sources.yml"
HEADER = """\
# The sections and headings of the guideline (Bappenas 2024, "Kajian Model Pemberdayaan
# Masyarakat Miskin & Rentan untuk Kemandirian Ekonomi") that citations point to.
# A citation is valid when its section is listed here and its title is the section's
# title or one of its headings. Add headings with scripts/add_source.py.
"""


def _key(section: str) -> list[int]:
    return [int(part) for part in section.split(".")]


def add(section: str, heading: str) -> str:
    with open(SOURCES.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = yaml.safe_load(SOURCES.read_text(encoding="utf-8"))
        entry = next((s for s in data["sections"] if s["section"] == section), None)
        if entry is None:
            return f"bagian {section} belum ada di sources.yml; minta pemilik berkas menambahkannya"
        if heading == entry["title"] or heading in entry["headings"]:
            return f"sudah ada: {section} '{heading}'"
        entry["headings"].append(heading)
        data["sections"].sort(key=lambda s: _key(s["section"]))
        body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
        SOURCES.write_text(HEADER + body, encoding="utf-8")
        return f"ditambahkan: {section} '{heading}'"


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print(add(sys.argv[1], sys.argv[2]))
