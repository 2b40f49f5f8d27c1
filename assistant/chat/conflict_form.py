"""Which facts of a conflict report the rules still need, given what is known so far.

Escalation questions (scope, threat to the program) only matter while the category can
still rise: once the known facts already put the conflict in the highest category, they
are not asked. Whether anyone was harmed is always asked (safeguarding, seed 3.3.5)."""

from __future__ import annotations

from typing import Any

from assistant.knowledge.loader import Knowledge

# input field of the conflict decision, in the order a person is asked
QUESTIONS = ("type", "scope", "threatens_program", "safeguarding")


def reached_top(knowledge: Knowledge, known: dict[str, Any]) -> bool:
    table = knowledge.conflicts
    top = max(category.rank for category in table.categories)
    ranks = []
    # Raw answers not yet validated (e.g. "1") are not types and count for nothing.
    if known.get("type") in {conflict_type.id for conflict_type in table.types}:
        ranks.append(table.category(table.type(known["type"]).category).rank)
    for escalation in table.escalations:
        if known.get(escalation.field) == escalation.equals:
            ranks.append(table.category(escalation.to).rank)
    return max(ranks, default=0) >= top


def still_needed(knowledge: Knowledge, known: dict[str, Any]) -> list[str]:
    """The input fields still to ask, in order (those already known are left out)."""
    escalating = {escalation.field for escalation in knowledge.conflicts.escalations}
    top = reached_top(knowledge, known)
    return [
        field
        for field in QUESTIONS
        if known.get(field) is None and not (top and field in escalating)
    ]
