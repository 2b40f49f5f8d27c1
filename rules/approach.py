"""Approach selection (seed 1.2, 3.2): community conditions and target groups -> the
approach(es) whose conditions or target groups they are, with the reason for each."""

from __future__ import annotations

from typing import Any

from durable.lang import m

from assistant.common.texts import phrase
from assistant.decisions.inputs import ApproachInput
from assistant.knowledge.loader import Knowledge
from assistant.knowledge.models.approaches import Approach
from rules.engine import Fire, RuleBook

CONDITION = "kondisi"
GROUP = "kelompok"
MATCH = "cocok"


def facts(data: ApproachInput, knowledge: Knowledge) -> list[dict[str, Any]]:
    return [{"t": CONDITION, "kondisi": c} for c in data.conditions] + [
        {"t": GROUP, "kelompok": g} for g in data.groups
    ]


def define(knowledge: Knowledge, book: RuleBook) -> None:
    table = knowledge.approaches
    conditions = {c.id: c for c in table.conditions}
    groups = {g.id: g for g in table.groups}

    for approach in table.approaches:
        for condition_id in approach.conditions:
            condition = conditions[condition_id]

            @book.rule(
                f"pendekatan.kondisi.{condition_id}.{approach.id}",
                (m.t == CONDITION) & (m.kondisi == condition_id),
                source=approach.source,
            )
            def by_condition(
                fire: Fire, row: Approach = approach, name: str = condition.name
            ) -> None:
                reason = phrase("because.pendekatan_kondisi", condition=name, approach=row.name)
                fire.derive({"t": MATCH, "approach": row.id, "reason": reason})
                fire.because(reason)

        for group_id in approach.target_groups:
            group = groups[group_id]

            @book.rule(
                f"pendekatan.kelompok.{group_id}.{approach.id}",
                (m.t == GROUP) & (m.kelompok == group_id),
                source=approach.source,
            )
            def by_group(fire: Fire, row: Approach = approach, name: str = group.name) -> None:
                reason = phrase("because.pendekatan_kelompok", group=name, approach=row.name)
                fire.derive({"t": MATCH, "approach": row.id, "reason": reason})
                fire.because(reason)

        @book.rule(
            f"pendekatan.pilih.{approach.id}",
            (m.t == MATCH) & (m.approach == approach.id),
            source=approach.source,
        )
        def choose(fire: Fire, row: Approach = approach) -> None:
            reasons = dict(fire.conclusions.get("reasons", {}))
            reasons[row.id] = [*reasons.get(row.id, []), fire.fact["reason"]]
            fire.conclude(reasons=reasons)
            fire.because(phrase("because.pendekatan_pilih", approach=row.name))


def summarise(conclusions: dict[str, Any], knowledge: Knowledge) -> dict[str, Any]:
    """Approaches ranked by how many facts point to them; the framework's core ones first
    on a tie (3.2 centres on needs-based and rights-based). When the top two are equally
    supported and of the same standing, none is singled out: the guideline treats
    approaches as combinable."""
    reasons: dict[str, list[str]] = conclusions.get("reasons", {})
    table = knowledge.approaches
    ranked = sorted(
        (a for a in table.approaches if a.id in reasons),
        key=lambda a: (-len(reasons[a.id]), not a.core, a.id),
    )
    return {
        "approaches": [
            {
                "id": a.id,
                "name": a.name,
                "core": a.core,
                "summary": a.summary,
                "aims": list(a.aims),
                "reasons": reasons[a.id],
            }
            for a in ranked
        ],
        "recommended": ranked[0].id if ranked and not _tied(ranked, reasons) else None,
        "combine": _tied(ranked, reasons),
    }


def _tied(ranked: list[Approach], reasons: dict[str, list[str]]) -> bool:
    if len(ranked) < 2:
        return False
    first, second = ranked[0], ranked[1]
    return len(reasons[first.id]) == len(reasons[second.id]) and first.core == second.core
