"""The Rasa domain as Rasa reads it: every file of ``domain/`` merged into one mapping."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from tests.conftest import ROOT

LISTS = ("intents", "entities", "actions")
MAPPINGS = ("slots", "forms", "responses")


@cache
def load_domain() -> dict[str, Any]:
    merged: dict[str, Any] = {key: [] for key in LISTS} | {key: {} for key in MAPPINGS}
    for path in sorted((ROOT / "domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in LISTS:
            merged[key].extend(part.get(key) or [])
        for key in MAPPINGS:
            clash = set(merged[key]) & set(part.get(key) or {})
            if clash:
                raise ValueError(f"{path.name} defines {sorted(clash)} again")
            merged[key].update(part.get(key) or {})
        if "session_config" in part:
            merged["session_config"] = part["session_config"]
    return merged
