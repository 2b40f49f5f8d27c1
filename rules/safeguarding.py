"""Safeguarding (seed 3.3.5 "Kebijakan Perlindungan"): a report of violence, harassment,
exploitation, child labour or discrimination -> the protection protocol (where to report,
that the reporter is protected, support for victims, sanctions), each concern cited."""

from __future__ import annotations

from typing import Any

from durable.lang import m

from assistant.common.texts import phrase
from assistant.decisions.inputs import SafeguardingInput
from assistant.knowledge.loader import Knowledge
from assistant.knowledge.models.safeguarding import Concern
from rules.engine import Fire, RuleBook

CONCERN = "kekhawatiran"


def facts(data: SafeguardingInput, knowledge: Knowledge) -> list[dict[str, Any]]:
    return [{"t": CONCERN, "concern": concern} for concern in data.concerns]


def define(knowledge: Knowledge, book: RuleBook) -> None:
    table = knowledge.safeguarding
    protocol = [step.text for step in table.protocol]
    for concern in table.concerns:

        @book.rule(
            f"perlindungan.{concern.id}",
            (m.t == CONCERN) & (m.concern == concern.id),
            source=concern.source,
        )
        def protect(fire: Fire, row: Concern = concern) -> None:
            fire.add("concerns", row.id)
            fire.add("protocol", *protocol)
            fire.because(phrase("because.perlindungan", concern=row.name))


def summarise(conclusions: dict[str, Any], knowledge: Knowledge) -> dict[str, Any]:
    return {
        "concerns": conclusions.get("concerns", []),
        "protocol": conclusions.get("protocol", []),
        "flagged": bool(conclusions.get("concerns")),
    }
