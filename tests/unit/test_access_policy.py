"""One access policy: who may do what is decided in assistant/casework/access.py (with the role
names defined in assistant/store/records.py), never by comparing roles elsewhere."""

from __future__ import annotations

import re

from assistant.store.records import ROLES
from tests.conftest import ROOT

DECIDING = re.compile(r"\.role\s*(==|!=|\bin\b|\bnot in\b)")
ALLOWED = {"assistant/casework/access.py", "assistant/store/records.py"}


def sources() -> list[str]:
    found = []
    for folder in ("assistant", "actions", "rules"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative not in ALLOWED:
                found.append(relative)
    return found


def test_no_role_is_compared_outside_the_access_policy():
    offenders = [
        f"{name}:{number}: {line.strip()}"
        for name in sources()
        for number, line in enumerate((ROOT / name).read_text(encoding="utf-8").splitlines(), 1)
        if DECIDING.search(line)
    ]
    assert offenders == []


def test_no_role_name_is_written_outside_the_access_policy():
    """Role names as string literals ("admin", "pelatih", ...). "pendamping" is also a CSV
    column and a word of the guideline, so only its use as a role would matter; it is
    covered by the comparison test above."""
    names = "|".join(role for role in ROLES if role != "pendamping")
    literal = re.compile(rf"[\"']({names})[\"']")
    offenders = [
        f"{name}:{number}: {line.strip()}"
        for name in sources()
        for number, line in enumerate((ROOT / name).read_text(encoding="utf-8").splitlines(), 1)
        if literal.search(line)
    ]
    assert offenders == []
