"""Conflict triage (seed 3.3.5): type -> default category; escalation to the category the
definitions call for; the management steps; the safeguarding protocol when someone is hurt,
harassed or exploited. Every rule is generated from ``knowledge/conflicts.yml`` and
``knowledge/safeguarding.yml``."""

from __future__ import annotations

from typing import Any

from durable.lang import m

from assistant.common.texts import phrase
from assistant.decisions.inputs import ConflictInput
from assistant.knowledge.loader import Knowledge
from assistant.knowledge.models import ConflictCategory, ConflictType, Escalation
from rules.engine import Fire, RuleBook

REPORT = "laporan"
LEVEL = "kategori"
# the report's facts after its type, in the order a person is asked for them
ASKED = ("scope", "threatens_program", "safeguarding")


def facts(report: ConflictInput, knowledge: Knowledge) -> list[dict[str, Any]]:
    """A conflict report becomes one fact; the free-text description stays out of the rules."""
    return [{"t": REPORT, **report.model_dump(exclude_none=True, exclude={"description"})}]


def define(knowledge: Knowledge, book: RuleBook) -> None:
    table = knowledge.conflicts
    safeguarding = knowledge.safeguarding

    for conflict_type in table.types:

        @book.rule(
            f"konflik.tipe.{conflict_type.id}",
            (m.t == REPORT) & (m.type == conflict_type.id),
            source=conflict_type.source,
        )
        def by_type(fire: Fire, row: ConflictType = conflict_type) -> None:
            fire.conclude(
                type=row.id,
                type_name=row.name,
                parties=list(row.parties),
                options=list(row.options),
            )
            fire.derive({"t": LEVEL, "level": row.category, "by": row.id})
            fire.because(phrase("because.konflik_tipe", name=row.name, category=row.category))

    for escalation in table.escalations:
        condition = (m.t == REPORT) & (getattr(m, escalation.field) == escalation.equals)

        @book.rule(f"konflik.eskalasi.{escalation.id}", condition, source=escalation.source)
        def escalate(fire: Fire, row: Escalation = escalation) -> None:
            fire.derive({"t": LEVEL, "level": row.to, "by": row.id})
            fire.because(phrase("because.kutipan", text=row.reason))

    for category in table.categories:

        @book.rule(
            f"konflik.kategori.{category.id}",
            (m.t == LEVEL) & (m.level == category.id),
            source=category.source,
        )
        def settle(fire: Fire, row: ConflictCategory = category) -> None:
            current = fire.conclusions.get("category")
            if current is None or table.category(current).rank < row.rank:
                fire.conclude(category=row.id, category_meaning=row.meaning)
            fire.because(phrase("because.konflik_kategori", name=row.name, meaning=row.meaning))

    steps = table.ordered_steps()

    @book.rule("konflik.langkah", m.t == REPORT, source=steps[0].source)
    def plan_steps(fire: Fire) -> None:
        fire.conclude(
            steps=[
                {"id": step.id, "name": step.name, "actions": list(step.actions)} for step in steps
            ],
            next_step=steps[0].id,
            answered=[name for name in ASKED if name in fire.fact],
        )
        fire.because(phrase("because.konflik_langkah", count=len(steps), first=steps[0].name))

    @book.rule(
        "konflik.perlindungan",
        (m.t == REPORT) & (m.safeguarding == True),  # noqa: E712 - a durable_rules expression
        source=safeguarding.protocol[0].source,
    )
    def protect(fire: Fire) -> None:
        fire.conclude(safeguarding_protocol=[step.text for step in safeguarding.protocol])
        fire.because(phrase("because.konflik_perlindungan"))


def summarise(conclusions: dict[str, Any], knowledge: Knowledge) -> dict[str, Any]:
    """The conclusions, and ``missing``: the facts not given yet whose answer could still
    change the decision. An escalation question stops mattering once the conflict is
    already in the highest category; whether anyone was harmed always matters
    (safeguarding, 3.3.5). The chat asks exactly these, in this order."""
    table = knowledge.conflicts
    out = dict(conclusions)
    answered = set(out.pop("answered", ()))
    top = max(category.rank for category in table.categories)
    category = out.get("category")
    at_top = category is not None and table.category(category).rank >= top
    escalating = {escalation.field for escalation in table.escalations}
    out["missing"] = [
        name for name in ASKED if name not in answered and not (at_top and name in escalating)
    ]
    return out
