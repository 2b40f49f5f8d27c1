"""Validate knowledge files one by one: `.venv/bin/python scripts/check_knowledge.py FILE...`

Checks each file against its pydantic model and its citations against knowledge/sources.yml.
The whole knowledge (with references between files) is checked by loading it:
`.venv/bin/assistant knowledge list`."""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.knowledge.loader import KnowledgeError, validate_file


def main(paths: list[str]) -> int:
    failed = 0
    for name in paths:
        try:
            table = validate_file(Path(name))
        except KnowledgeError as error:
            print(f"SALAH  {error}")
            failed += 1
        else:
            print(f"OK     {name}: {sum(1 for _ in table.rows())} baris bersumber")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
