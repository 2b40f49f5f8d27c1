"""Mermaid diagrams of decisions: the path one decision took through the rules (which
facts led to which rule, which rule derived the facts the next one matched)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from assistant.common.texts import text
from assistant.knowledge.loader import Knowledge
from assistant.store.decision import Decision

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


def path_links(decision: Decision) -> tuple[list[tuple[str, str]], list[str]]:
    """The path one decision took, as links between fired rules in firing order: ("in",
    rule) when a rule matched the input, (rule, rule) when it matched a fact another rule
    derived; and the rules whose conclusions reach the decision's output. Rules are named
    by their id (a rule that fired twice appears once)."""
    links: list[tuple[str, str]] = []
    derived_by: dict[str, str] = {}
    concluding: list[str] = []
    for fired in decision.trace:
        sources = {derived_by.get(_key(fact), "in") for fact in fired.facts} or {"in"}
        for source in sorted(sources):
            if (source, fired.rule) not in links:
                links.append((source, fired.rule))
        for fact in fired.conclusion.get("derived", []):
            derived_by[_key(fact)] = fired.rule
        if set(fired.conclusion) - {"derived"} and fired.rule not in concluding:
            concluding.append(fired.rule)
    return links, concluding


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


@dataclass(frozen=True)
class Flow:
    """The rules of a decision kind and how their facts chain: ``rules`` maps each rule id
    to its guideline section; ``links`` are (source, rule) pairs, source "in" (the input)
    or the rule that derived the fact the other one matched."""

    kind: str
    rules: dict[str, str]
    links: frozenset[tuple[str, str]]


def flow_of(kind: str, engine: Any, knowledge: Knowledge, samples: int = 400) -> Flow:
    """The whole flow of a decision kind: every rule the engine fires over many varied
    inputs, linked the way its facts chain (input -> rule -> derived fact -> rule). Built
    from the rules themselves, so it never drifts from what they do. Kinds without an
    input sampler give an empty flow."""
    from itertools import islice

    from assistant.decisions.inputs import INPUTS
    from assistant.decisions.sampling import GENERATORS, stream

    model = INPUTS[kind]
    nodes: dict[str, str] = {}
    edges: set[tuple[str, str]] = set()
    if kind not in GENERATORS:
        return Flow(kind, nodes, frozenset(edges))
    for payload in islice(stream(kind, knowledge, seed=5), samples):
        outcome = engine.run(kind, model.model_validate(payload, context={"knowledge": knowledge}))
        derived_by: dict[str, str] = {}
        for firing in outcome.trace:
            nodes[firing.rule] = firing.source.section
            public = firing.public()
            for fact in public["facts"]:
                edges.add((derived_by.get(_key(fact), "in"), firing.rule))
            for fact in public["conclusion"].get("derived", []):
                derived_by[_key(fact)] = firing.rule
    return Flow(kind, nodes, frozenset(edges))


def decision_flow(kind: str, engine: Any, knowledge: Knowledge, samples: int = 400) -> str:
    """The whole flow of a decision kind (``flow_of``) as a Mermaid flowchart, each rule
    with its guideline section."""
    flow = flow_of(kind, engine, knowledge, samples)
    ids = {rule: f"r{n}" for n, rule in enumerate(sorted(flow.rules))}
    lines = ["flowchart LR", f'  in(["{_label(text("diagram.input") + ": " + kind)}"])']
    for rule in sorted(flow.rules):
        lines.append(
            f'  {ids[rule]}["{_label(rule)}<br/>{text("diagram.section")} {flow.rules[rule]}"]'
        )
    for source, target in sorted(flow.links):
        lines.append(f"  {ids.get(source, 'in')} --> {ids[target]}")
    return "\n".join(lines)
