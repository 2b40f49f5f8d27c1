"""Mermaid diagrams of decisions: the path one decision took through the rules (which
facts led to which rule, which rule derived the facts the next one matched)."""

from __future__ import annotations

import json
from typing import Any

from assistant.decision import Decision
from assistant.texts import text

MAX_LABEL = 60


def _label(value: str) -> str:
    value = value if len(value) <= MAX_LABEL else value[: MAX_LABEL - 1] + "…"
    return value.replace('"', "#quot;").replace("[", "(").replace("]", ")")


def _key(fact: dict[str, Any]) -> str:
    return json.dumps(fact, sort_keys=True, ensure_ascii=False)


def _summary(data: dict[str, Any], keys: int = 4) -> str:
    parts = []
    for key, value in list(data.items())[:keys]:
        if isinstance(value, dict | list):
            value = ",".join(str(v) for v in (value if isinstance(value, list) else value))
        parts.append(f"{key}={value}")
    return "; ".join(parts)


def decision_path(decision: Decision, lang: str = "id") -> str:
    """A flowchart: input -> each fired rule (in firing order) -> the decision."""
    lines = ["flowchart TD"]
    given = text("diagram.input", lang) + ": " + _summary(decision.input)
    lines.append(f'  in(["{_label(given)}"])')
    derived_by: dict[str, str] = {}
    concluding: list[str] = []
    for n, fired in enumerate(decision.trace):
        node = f"r{n}"
        lines.append(
            f'  {node}["{_label(fired.rule)}<br/>{text("diagram.section", lang)} '
            f'{fired.source.section}"]'
        )
        sources = {derived_by.get(_key(fact), "in") for fact in fired.facts} or {"in"}
        for source in sorted(sources):
            lines.append(f"  {source} --> {node}")
        for fact in fired.conclusion.get("derived", []):
            derived_by[_key(fact)] = node
        if set(fired.conclusion) - {"derived"}:
            concluding.append(node)
    headline = {k: v for k, v in decision.output.items() if isinstance(v, str | bool | int)}
    lines.append(f'  out(["{_label(text("diagram.output", lang) + ": " + _summary(headline))}"])')
    for node in concluding:
        lines.append(f"  {node} --> out")
    return "\n".join(lines)
