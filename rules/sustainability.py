"""Sustainability and exit strategy (seed 3.3.7): which of the table's strategies fit,
given the deciding parameters a program reports as met or not."""

from __future__ import annotations

from typing import Any

from durable.lang import c, m

from assistant.common.texts import phrase
from assistant.decisions.inputs import SustainabilityInput
from assistant.knowledge.loader import Knowledge
from assistant.knowledge.models.sustainability import Parameter, StrategyRow
from rules.engine import Fire, RuleBook

PARAMETER = "parameter"


def facts(data: SustainabilityInput, knowledge: Knowledge) -> list[dict[str, Any]]:
    return [
        {"t": PARAMETER, "parameter": key, "met": value} for key, value in data.parameters.items()
    ]


def define(knowledge: Knowledge, book: RuleBook) -> None:
    for row in knowledge.sustainability.strategies:
        aliases = [f"p{i}" for i in range(len(row.parameters))]
        conditions = [
            getattr(c, alias) << ((m.t == PARAMETER) & (m.parameter == p.id) & (m.met == True))  # noqa: E712
            for alias, p in zip(aliases, row.parameters, strict=True)
        ]

        @book.rule(f"keberlanjutan.{row.id}.cocok", *conditions, source=row.source)
        def fits(fire: Fire, strategy: StrategyRow = row) -> None:
            fire.add("ready", strategy.id)
            fire.because(phrase("because.keberlanjutan_cocok", strategy=strategy.strategy))

        for parameter in row.parameters:
            for met in (True, False):

                @book.rule(
                    f"keberlanjutan.{row.id}.{parameter.id}.{'ya' if met else 'belum'}",
                    (m.t == PARAMETER) & (m.parameter == parameter.id) & (m.met == met),
                    source=row.source,
                )
                def assess(
                    fire: Fire,
                    strategy: StrategyRow = row,
                    item: Parameter = parameter,
                    ok: bool = met,
                ) -> None:
                    key = "met" if ok else "gaps"
                    found = dict(fire.conclusions.get(key, {}))
                    found[strategy.id] = [*found.get(strategy.id, []), item.id]
                    fire.conclude(**{key: found})
                    sentence = "because.keberlanjutan_ya" if ok else "because.keberlanjutan_belum"
                    fire.because(phrase(sentence, parameter=item.text, strategy=strategy.strategy))


def summarise(conclusions: dict[str, Any], knowledge: Knowledge) -> dict[str, Any]:
    table = knowledge.sustainability
    ready = conclusions.get("ready", [])
    gaps: dict[str, list[str]] = conclusions.get("gaps", {})
    met: dict[str, list[str]] = conclusions.get("met", {})
    models = {model.id: model.name for model in table.models}
    return {
        "strategies": [
            {
                "id": row.id,
                "model": row.model,
                "model_name": models[row.model],
                "strategy": row.strategy,
            }
            for row in table.strategies
            if row.id in ready
        ],
        "not_ready": [
            {
                "id": row.id,
                "model": row.model,
                "strategy": row.strategy,
                "gaps": [p.text for p in row.parameters if p.id in gaps[row.id]],
            }
            for row in table.strategies
            if row.id in gaps
        ],
        "incomplete": [
            {
                "id": row.id,
                "model": row.model,
                "strategy": row.strategy,
                "unknown": [p.text for p in row.parameters if p.id not in met[row.id]],
            }
            for row in table.strategies
            if row.id in met and row.id not in ready and row.id not in gaps
        ],
    }
